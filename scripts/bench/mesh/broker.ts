import { brokerManagementRequest } from '../../../src/platform/bus/broker-provision';
import { run } from '../../../test/support/tools';

/** Bytes and messages through one vhost of the broker, cumulative. */
export interface BrokerCounters {
  /** Bytes the broker received on the vhost's AMQP connections (publishes, acks, frames' overhead) and sent on them (deliveries). */
  readonly receivedBytes: number;
  readonly sentBytes: number;
  /** Messages published into the vhost, and delivered (or fetched) from its queues. */
  readonly published: number;
  readonly delivered: number;
}

interface ConnectionStats {
  recv_oct?: number;
  send_oct?: number;
}

interface VhostStats {
  message_stats?: { publish?: number; deliver_get?: number };
}

/**
 * The vhost's counters from RabbitMQ's management HTTP API (which scripts/infra/ensure-rabbitmq.sh
 * enables, on 127.0.0.1:15672): recv_oct and send_oct summed over the vhost's connections
 * (GET /api/vhosts/<vhost>/connections: the services' own, one or two each), and the vhost's
 * message_stats publish and deliver_get (GET /api/vhosts/<vhost>). The API serves what the node
 * sampled last: read it collectStatisticsMs after the traffic stopped (brokerStatisticsIntervalMs).
 * A connection that closed takes its bytes with it: the services keep theirs for the whole run.
 */
export async function brokerCounters(managementUrl: string, vhost: string): Promise<BrokerCounters> {
  const name = encodeURIComponent(vhost);
  const [connections, stats] = await Promise.all([
    brokerManagementRequest(managementUrl, 'GET', `/api/vhosts/${name}/connections?columns=recv_oct,send_oct`).then(
      async (r) => (await r.json()) as ConnectionStats[],
    ),
    brokerManagementRequest(managementUrl, 'GET', `/api/vhosts/${name}`).then(async (r) => (await r.json()) as VhostStats),
  ]);
  return {
    receivedBytes: connections.reduce((sum, c) => sum + (c.recv_oct ?? 0), 0),
    sentBytes: connections.reduce((sum, c) => sum + (c.send_oct ?? 0), 0),
    published: stats.message_stats?.publish ?? 0,
    delivered: stats.message_stats?.deliver_get ?? 0,
  };
}

/** Messages published on the whole node so far (the overview's message_stats): another vhost's traffic shows as more than the benchmark's own. */
export async function nodePublished(managementUrl: string): Promise<number> {
  const overview = (await (await brokerManagementRequest(managementUrl, 'GET', '/api/overview')).json()) as VhostStats;
  return overview.message_stats?.publish ?? 0;
}

/** Runs `rabbitmqctl -q eval <expression>` on the default node (the tests'); resolves with what it prints, trimmed. */
async function rabbitmqEval(expression: string): Promise<string> {
  return (await run('rabbitmqctl', ['-q', 'eval', expression], { timeout: 60_000 })).stdout.trim();
}

/** The pid of the node's Erlang VM (beam.smp), which runs the whole broker. */
export async function beamPid(): Promise<number> {
  const pid = Number((await rabbitmqEval('os:getpid().')).replace(/"/g, ''));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('rabbitmqctl eval os:getpid() gave no pid');
  return pid;
}

/** How often the node samples the statistics the management API serves (rabbit's collect_statistics_interval), milliseconds. */
export async function brokerStatisticsIntervalMs(): Promise<number> {
  const match = /\{ok,(\d+)\}/.exec(await rabbitmqEval('application:get_env(rabbit, collect_statistics_interval).'));
  return match ? Number(match[1]) : 5_000;
}
