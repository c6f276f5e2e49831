import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The fault suite's own PostgreSQL cluster and RabbitMQ node (scripts/infra/fault-cluster.sh: the
 * suite restarts them, so it must not share the other tests' servers), and toxiproxy for network
 * faults. Installs what is missing and says so.
 */
export default function globalSetup(): void {
  const scripts = path.resolve(__dirname, '../../../scripts/infra');
  const run = (script: string, ...args: string[]) =>
    execFileSync('bash', [path.join(scripts, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 900_000 }).trim().split('\n').pop()!;
  const [databaseAdminUrl, amqpUrl] = run('fault-cluster.sh', 'up').split(' ');
  process.env.FAULTS_DATABASE_ADMIN_URL = databaseAdminUrl;
  process.env.FAULTS_AMQP_URL = amqpUrl;
  process.env.FAULTS_TOXIPROXY_BIN = run('ensure-toxiproxy.sh');
}
