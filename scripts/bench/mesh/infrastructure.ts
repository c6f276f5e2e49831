import { INTEGRATION_SERVERS, requireEnv, withClient } from '../../../test/support/infrastructure';
import { ensureTestTls } from '../../../test/support/tls';
import { runScript } from '../../../test/support/tools';
import { brokerManagementRequest } from '../../../src/platform/bus/broker-provision';

/** Where the benchmark's PostgreSQL and RabbitMQ are, as the integration tests name them (test/support/infrastructure.ts). */
export interface Servers {
  /** PostgreSQL URL of a role that may create databases and roles (`mesh`). */
  readonly databaseAdminUrl: string;
  /** RabbitMQ's AMQP URL (default vhost) and its management API's, both as its administrator. */
  readonly amqpUrl: string;
  readonly managementUrl: string;
}

/**
 * The admin URL of the integration tests' PostgreSQL (TEST_DATABASE_ADMIN_URL, set to it): the
 * server it names when set, else scripts/infra/ensure-postgres.sh installs PostgreSQL from Debian's
 * packages when missing and starts it when stopped (its stderr shown). Says which on `log`.
 */
export function ensurePostgres(log: (line: string) => void = console.log): string {
  const { databaseAdminUrlEnv } = INTEGRATION_SERVERS;
  if (process.env[databaseAdminUrlEnv]) log(`PostgreSQL: ${databaseAdminUrlEnv} is set, using that server`);
  else {
    log('PostgreSQL: scripts/infra/ensure-postgres.sh (installs and starts it when missing or stopped)');
    process.env[databaseAdminUrlEnv] = runScript('scripts/infra/ensure-postgres.sh', [], { timeoutMs: 600_000 });
  }
  return requireEnv(databaseAdminUrlEnv);
}

/**
 * The integration tests' servers, made reachable as their global set-up does
 * (test/support/global-setup.ts): unless TEST_DATABASE_ADMIN_URL and TEST_AMQP_URL (with
 * TEST_RABBITMQ_MANAGEMENT_URL) name servers of your own, scripts/infra/ensure-postgres.sh and
 * ensure-rabbitmq.sh install PostgreSQL and RabbitMQ from Debian's packages when missing and start
 * them when stopped, saying so on stderr (shown). No --tls: the benchmark's services reach both in
 * plaintext on 127.0.0.1, and a TLS listener the tests set up earlier is left as it is. Also issues
 * the tests' CA and certificates (.cache/test-tls) when missing.
 */
export async function ensureServers(): Promise<Servers> {
  const { amqpUrlEnv, managementUrlEnv } = INTEGRATION_SERVERS;
  const databaseAdminUrl = ensurePostgres();
  if (process.env[amqpUrlEnv]) {
    console.log(`RabbitMQ: ${amqpUrlEnv} is set, using that broker`);
    requireEnv(managementUrlEnv);
  } else {
    console.log('RabbitMQ: scripts/infra/ensure-rabbitmq.sh (installs and starts it, with its management API, when missing or stopped)');
    const [amqpUrl, managementUrl] = runScript('scripts/infra/ensure-rabbitmq.sh', [], { timeoutMs: 600_000 }).split(' ');
    process.env[amqpUrlEnv] = amqpUrl;
    process.env[managementUrlEnv] ??= managementUrl;
  }
  await ensureTestTls();
  return { databaseAdminUrl, amqpUrl: requireEnv(amqpUrlEnv), managementUrl: requireEnv(managementUrlEnv) };
}

/** PostgreSQL's version (its server_version setting). */
export async function postgresVersion(adminUrl: string): Promise<string> {
  const { rows } = await withClient(adminUrl, (c) => c.query<{ version: string }>("select current_setting('server_version') as version"));
  return rows[0].version;
}

/**
 * The pid of the postmaster of the cluster at `adminUrl`: the parent of a backend serving this
 * benchmark (every PostgreSQL process of a cluster is a child of its postmaster).
 */
export async function postmasterPid(adminUrl: string, parentOf: (pid: number) => number | undefined): Promise<number> {
  // Read while the connection is open: its backend ends with it.
  const [backend, postmaster] = await withClient(adminUrl, async (c) => {
    const { pid } = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0];
    return [pid, parentOf(pid)];
  });
  if (postmaster === undefined) throw new Error(`PostgreSQL's backend ${backend} is not a process of this machine: the benchmark needs the server on it`);
  return postmaster;
}

/** RabbitMQ's and Erlang's versions, from the management API's overview. */
export async function rabbitmqVersions(managementUrl: string): Promise<{ rabbitmq: string; erlang: string; node: string }> {
  const overview = (await (await brokerManagementRequest(managementUrl, 'GET', '/api/overview')).json()) as {
    rabbitmq_version: string;
    erlang_version: string;
    node: string;
  };
  return { rabbitmq: overview.rabbitmq_version, erlang: overview.erlang_version, node: overview.node };
}
