import { ensureTestTls } from './tls';
import { runScript } from './tools';

/**
 * Integration tests run against real PostgreSQL and RabbitMQ. When TEST_DATABASE_ADMIN_URL and
 * TEST_AMQP_URL are not set, this makes them reachable on this machine (installing them from
 * Debian's packages when missing, starting them when stopped; the scripts say what they do).
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_DATABASE_ADMIN_URL ??= runScript('scripts/infra/ensure-postgres.sh', [], { timeoutMs: 600_000 });
  process.env.TEST_AMQP_URL ??= runScript('scripts/infra/ensure-rabbitmq.sh', [], { timeoutMs: 600_000 });
  await ensureTestTls();
}
