import { ensureTestTls } from '../../support/tls';
import { runScript } from '../../support/tools';

/**
 * The fault suite's own PostgreSQL cluster and RabbitMQ node (scripts/infra/fault-cluster.sh: the
 * suite restarts them, so it must not share the other tests' servers), the node's management API
 * (FAULTS_RABBITMQ_MANAGEMENT_URL, through which the suite provisions its vhost's users), and
 * toxiproxy for network faults. Installs what is missing and says so.
 */
export default async function globalSetup(): Promise<void> {
  const [databaseAdminUrl, amqpUrl, managementUrl] = runScript('scripts/infra/fault-cluster.sh', ['up'], { timeoutMs: 900_000 }).split(' ');
  process.env.FAULTS_DATABASE_ADMIN_URL = databaseAdminUrl;
  process.env.FAULTS_AMQP_URL = amqpUrl;
  process.env.FAULTS_RABBITMQ_MANAGEMENT_URL = managementUrl;
  process.env.FAULTS_TOXIPROXY_BIN = runScript('scripts/infra/ensure-toxiproxy.sh', [], { timeoutMs: 900_000 });
  await ensureTestTls();
}
