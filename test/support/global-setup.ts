import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Integration tests run against real PostgreSQL and RabbitMQ. When TEST_DATABASE_ADMIN_URL and
 * TEST_AMQP_URL are not set, this makes them reachable on this machine (installing them from
 * Debian's packages when missing, starting them when stopped; the scripts say what they do).
 */
export default function globalSetup(): void {
  const scripts = path.resolve(__dirname, '../../scripts/infra');
  const run = (script: string) => {
    const output = execFileSync('bash', [path.join(scripts, script)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 600_000 });
    return output.trim().split('\n').pop()!;
  };
  process.env.TEST_DATABASE_ADMIN_URL ??= run('ensure-postgres.sh');
  process.env.TEST_AMQP_URL ??= run('ensure-rabbitmq.sh');
}
