import path from 'node:path';
export { serviceVariable } from './env';
import { Env, integerListOr, integerOr, optionalString, optionalUrl, stringOr } from './env';
import { REPO_ROOT } from '../paths';
import { DEFAULT_RETRY_POLICY } from '../bus/event-bus';
import { DEFAULT_BROKER_USER_PREFIX } from '../bus/broker-identity';
import { DEFAULT_RELAY_OPTIONS } from '../messaging/outbox-relay';
import { TransportSettings, transportSettings } from '../tls/transport-security';
import { ConsulTokens } from '../discovery/consul-tokens';

/**
 * What the platform reads from its environment, parsed once at start-up and frozen; each service's
 * own settings come from its descriptor (`settings(env)`), and its port, address and call budget
 * from `<SERVICE>_PORT`, `<SERVICE>_ADDR` and `<SERVICE>_DEADLINE_MS` (serviceVariable).
 * Unset variables give the embedded default: PGlite under `.data/`, the in-process bus, static
 * addresses on 127.0.0.1.
 */
export interface MeshConfig {
  readonly logLevel: string;
  /** Address the gRPC servers bind to. */
  readonly bindHost: string;
  /** Address other instances reach this one at (registered in Consul). */
  readonly advertiseHost: string;
  /** postgres:// URL; undefined means embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * amqp:// or amqps:// URL of RabbitMQ as a service's own user, for the services without a
   * `<SERVICE>_AMQP_URL`; the in-process bus when neither is set for any service.
   */
  readonly amqpUrl: string | undefined;
  /** The services' broker users are `<amqpUserPrefix><service>` (AMQP_USER_PREFIX, default `mesh-`). */
  readonly amqpUserPrefix: string;
  /** PEM file of the CA that signed the broker's certificate, for amqps:// (AMQP_CA_FILE); the system's CAs when unset. */
  readonly amqpCaFile: string | undefined;
  /** Consul agent (CONSUL_HTTP_ADDR, `host:port` or an http(s) URL); undefined means no Consul. */
  readonly consulAddr: string | undefined;
  /**
   * ACL tokens for the agent: CONSUL_HTTP_TOKEN (registration), `<SERVICE>_CONSUL_TOKEN` (one
   * service's own, over CONSUL_HTTP_TOKEN), CONSUL_RESOLVER_TOKEN (the resolver's read-only token,
   * CONSUL_HTTP_TOKEN when unset). Serialised, it lists the variables set, never a token.
   */
  readonly consulTokens: ConsulTokens;
  /** How often Consul runs each instance's gRPC health check, milliseconds. */
  readonly consulCheckIntervalMs: number;
  /** How long an instance's check may stay critical before Consul drops it, milliseconds (at least one minute). */
  readonly consulDeregisterAfterMs: number;
  /** Directory of embedded data (PGlite) and logs. */
  readonly dataDir: string;
  /** How long a SIGTERM waits for in-flight work before forcing the shutdown, milliseconds. */
  readonly shutdownGraceMs: number;
  /** Delays before each retry of a failed message, milliseconds; then it is dead-lettered. */
  readonly eventRetryDelaysMs: readonly number[];
  /** How often the outbox relay looks for rows it was not woken for, milliseconds. */
  readonly outboxPollMs: number;
  /** Port of the process's metrics endpoint (`/metrics`, METRICS_PORT, default 9464; 0 a free one); undefined: none (`off`). */
  readonly metricsPort: number | undefined;
  /** mTLS between services and TLS to the public ports (MESH_TLS_DIR, MESH_INSECURE_PLAINTEXT). */
  readonly transport: TransportSettings;
}

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): MeshConfig {
  const dataDir = path.resolve(stringOr(env, 'DATA_DIR', path.join(REPO_ROOT, '.data')));
  return Object.freeze({
    logLevel: stringOr(env, 'LOG_LEVEL', 'info'),
    bindHost: stringOr(env, 'BIND_HOST', '0.0.0.0'),
    advertiseHost: stringOr(env, 'ADVERTISE_HOST', '127.0.0.1'),
    databaseUrl: optionalUrl(env, 'DATABASE_URL', ['postgres', 'postgresql']),
    amqpUrl: optionalUrl(env, 'AMQP_URL', ['amqp', 'amqps']),
    amqpUserPrefix: stringOr(env, 'AMQP_USER_PREFIX', DEFAULT_BROKER_USER_PREFIX),
    amqpCaFile: optionalString(env, 'AMQP_CA_FILE'),
    consulAddr: optionalString(env, 'CONSUL_HTTP_ADDR'),
    consulTokens: ConsulTokens.fromEnv(env),
    dataDir,
    consulCheckIntervalMs: integerOr(env, 'CONSUL_CHECK_INTERVAL_MS', 10_000, 100, 600_000),
    consulDeregisterAfterMs: integerOr(env, 'CONSUL_DEREGISTER_AFTER_MS', 60_000, 60_000, 86_400_000),
    shutdownGraceMs: integerOr(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 300_000),
    eventRetryDelaysMs: integerListOr(env, 'EVENT_RETRY_DELAYS_MS', DEFAULT_RETRY_POLICY.delaysMs, 10, 3_600_000),
    outboxPollMs: integerOr(env, 'OUTBOX_POLL_MS', DEFAULT_RELAY_OPTIONS.pollMs, 10, 60_000),
    metricsPort: metricsPort(env),
    transport: transportSettings(env, dataDir),
  });
}

/** OpenTelemetry's Prometheus exporter's default port, which the mesh keeps. */
export const DEFAULT_METRICS_PORT = 9464;

/** METRICS_PORT: a port (0 picks a free one), `off` for no endpoint, 9464 when unset. */
function metricsPort(env: Env): number | undefined {
  if (optionalString(env, 'METRICS_PORT') === 'off') return undefined;
  return integerOr(env, 'METRICS_PORT', DEFAULT_METRICS_PORT, 0, 65_535);
}
