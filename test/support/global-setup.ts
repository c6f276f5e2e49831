import { postgresTlsArguments } from './postgres-tls';
import { rabbitmqTlsArguments } from './rabbitmq-tls';
import { ensureTestTls } from './tls';
import { runScript } from './tools';

/**
 * Integration tests run against real PostgreSQL and RabbitMQ. When TEST_DATABASE_ADMIN_URL and
 * TEST_AMQP_URL are not set, this makes them reachable on this machine (installing them from
 * Debian's packages when missing, starting them when stopped; the scripts say what they do), with
 * RabbitMQ's management API (TEST_RABBITMQ_MANAGEMENT_URL), through which the tests provision each
 * vhost's users (test/support/infrastructure.ts createTestVhost). A broker of your own needs both
 * TEST_AMQP_URL and TEST_RABBITMQ_MANAGEMENT_URL, each with an administrator's credentials.
 */
export default async function globalSetup(): Promise<void> {
  // The local server also offers TLS with a certificate of the tests' CA (postgres-tls.ts).
  process.env.TEST_DATABASE_ADMIN_URL ??= runScript('scripts/infra/ensure-postgres.sh', await postgresTlsArguments(), { timeoutMs: 600_000 });
  if (process.env.TEST_AMQP_URL === undefined) {
    // With a TLS listener too, its certificate of the tests' CA (rabbitmq-tls.ts).
    const [amqpUrl, managementUrl] = runScript('scripts/infra/ensure-rabbitmq.sh', await rabbitmqTlsArguments(), { timeoutMs: 600_000 }).split(' ');
    process.env.TEST_AMQP_URL = amqpUrl;
    process.env.TEST_RABBITMQ_MANAGEMENT_URL ??= managementUrl;
  } else if (process.env.TEST_RABBITMQ_MANAGEMENT_URL === undefined) {
    throw new Error(
      "TEST_AMQP_URL is set but TEST_RABBITMQ_MANAGEMENT_URL is not: the tests provision their broker users through RabbitMQ's management API (http://ADMIN:PASSWORD@HOST:15672)",
    );
  }
  await ensureTestTls();
}
