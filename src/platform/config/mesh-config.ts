import path from 'node:path';
import { Env, integerListOr, integerOr, optionalInteger, optionalString, optionalUrl, portOr, stringOr } from './env';
import { REPO_ROOT } from '../paths';
import { DEFAULT_RETRY_POLICY } from '../bus/event-bus';
import { DEFAULT_RELAY_OPTIONS } from '../messaging/outbox-relay';

export type ServiceName = 'interview' | 'emotion' | 'scoring' | 'notifier';

export const SERVICE_NAMES: readonly ServiceName[] = ['interview', 'emotion', 'scoring', 'notifier'];

/** Default gRPC ports (ARCHITECTURE.md): the notifier serves health only. */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = Object.freeze({
  interview: 50051,
  emotion: 50052,
  scoring: 50053,
  notifier: 50054,
});

/**
 * Everything the mesh reads from its environment, parsed once at start-up and frozen.
 * Unset variables give the embedded default: PGlite under `.data/`, the in-process bus, static
 * addresses on 127.0.0.1.
 */
export interface MeshConfig {
  readonly logLevel: string;
  /** Address the gRPC servers bind to. */
  readonly bindHost: string;
  /** Address other instances reach this one at (registered in Consul). */
  readonly advertiseHost: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** postgres:// URL; undefined means embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** amqp:// URL; undefined means the in-process bus. */
  readonly amqpUrl: string | undefined;
  /** Consul agent (CONSUL_HTTP_ADDR, `host:port` or an http(s) URL); undefined means no Consul. */
  readonly consulAddr: string | undefined;
  /** How often Consul runs each instance's gRPC health check, milliseconds. */
  readonly consulCheckIntervalMs: number;
  /** How long an instance's check may stay critical before Consul drops it, milliseconds (at least one minute). */
  readonly consulDeregisterAfterMs: number;
  /** Directory of embedded data (PGlite) and logs. */
  readonly dataDir: string;
  readonly modelsDir: string;
  /** gRPC targets of the downstreams, e.g. `127.0.0.1:50052` or `consul://emotion`. */
  readonly emotionTarget: string;
  readonly scoringTarget: string;
  /** Deadline of one AnalyzeFrame call from the interview service, milliseconds. */
  readonly emotionDeadlineMs: number;
  /** Deadline of one call to the scoring service, milliseconds. */
  readonly scoringDeadlineMs: number;
  /** How long a SIGTERM waits for in-flight work before forcing the shutdown, milliseconds. */
  readonly shutdownGraceMs: number;
  /** Delays before each retry of a failed message, milliseconds; then it is dead-lettered. */
  readonly eventRetryDelaysMs: readonly number[];
  /** How often the outbox relay looks for rows it was not woken for, milliseconds. */
  readonly outboxPollMs: number;
  /**
   * Live frames an emotion instance lets wait for its models before refusing more with
   * UNAVAILABLE; undefined for its default (1 per worker thread, see AnalysisPool).
   */
  readonly emotionMaxWaitingFrames: number | undefined;
}

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): MeshConfig {
  const ports = Object.freeze({
    interview: portOr(env, 'INTERVIEW_PORT', DEFAULT_PORTS.interview),
    emotion: portOr(env, 'EMOTION_PORT', DEFAULT_PORTS.emotion),
    scoring: portOr(env, 'SCORING_PORT', DEFAULT_PORTS.scoring),
    notifier: portOr(env, 'NOTIFIER_PORT', DEFAULT_PORTS.notifier),
  });
  const advertiseHost = stringOr(env, 'ADVERTISE_HOST', '127.0.0.1');
  const consulAddr = optionalString(env, 'CONSUL_HTTP_ADDR');
  return Object.freeze({
    logLevel: stringOr(env, 'LOG_LEVEL', 'info'),
    bindHost: stringOr(env, 'BIND_HOST', '0.0.0.0'),
    advertiseHost,
    ports,
    databaseUrl: optionalUrl(env, 'DATABASE_URL', ['postgres', 'postgresql']),
    amqpUrl: optionalUrl(env, 'AMQP_URL', ['amqp', 'amqps']),
    consulAddr,
    dataDir: path.resolve(stringOr(env, 'DATA_DIR', path.join(REPO_ROOT, '.data'))),
    modelsDir: path.resolve(stringOr(env, 'MODELS_DIR', path.join(REPO_ROOT, 'models'))),
    // With Consul, downstreams are found through it unless an address is given explicitly.
    emotionTarget: stringOr(env, 'EMOTION_ADDR', consulAddr ? 'consul:///emotion' : `${advertiseHost}:${ports.emotion}`),
    scoringTarget: stringOr(env, 'SCORING_ADDR', consulAddr ? 'consul:///scoring' : `${advertiseHost}:${ports.scoring}`),
    consulCheckIntervalMs: integerOr(env, 'CONSUL_CHECK_INTERVAL_MS', 10_000, 100, 600_000),
    consulDeregisterAfterMs: integerOr(env, 'CONSUL_DEREGISTER_AFTER_MS', 60_000, 60_000, 86_400_000),
    emotionDeadlineMs: integerOr(env, 'EMOTION_DEADLINE_MS', 2000, 50, 60_000),
    scoringDeadlineMs: integerOr(env, 'SCORING_DEADLINE_MS', 5000, 50, 60_000),
    shutdownGraceMs: integerOr(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 300_000),
    eventRetryDelaysMs: integerListOr(env, 'EVENT_RETRY_DELAYS_MS', DEFAULT_RETRY_POLICY.delaysMs, 10, 3_600_000),
    outboxPollMs: integerOr(env, 'OUTBOX_POLL_MS', DEFAULT_RELAY_OPTIONS.pollMs, 10, 60_000),
    emotionMaxWaitingFrames: optionalInteger(env, 'EMOTION_MAX_WAITING_FRAMES', 1, 100_000),
  });
}
