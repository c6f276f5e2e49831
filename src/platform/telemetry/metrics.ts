import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Latency buckets in seconds, 1 ms to 10 s: AnalyzeFrame's median is ~15 ms; the downstream budgets
 * (2 s for emotion and auth, 5 s for scoring) are bounds, so "p99 over the deadline" is read at a
 * bucket's edge rather than interpolated across it; a call past its deadline lands above them.
 */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10];

/** Every `outcome` of `mesh_messages_total`, each started at 0 so that the first one counted is an increase. */
export const MESSAGE_OUTCOMES: readonly MessageOutcome[] = ['handled', 'duplicate', 'retried', 'dead_lettered'];

/**
 * Every metric name the mesh exports, in one place: the dashboard, the alert rules, `npm run stat`
 * and the tests refer to these. RPC metrics follow OpenTelemetry's semantic conventions for RPC
 * (`rpc.server.call.duration`, `rpc.client.call.duration`, seconds; attributes `rpc.system`,
 * `rpc.service`, `rpc.method`, `rpc.grpc.status_code`), dots as underscores, as OpenTelemetry's
 * Prometheus exporter writes them; the mesh's own internals are `mesh_*`, the emotion models'
 * `emotion_*`, the integrity pipeline's `integrity_*`. Label values are bounded: service, method, queue, model and status names, never ids.
 */
export const METRIC = {
  rpcServerDuration: 'rpc_server_call_duration_seconds',
  rpcClientDuration: 'rpc_client_call_duration_seconds',
  breakerState: 'mesh_breaker_state',
  breakerTransitions: 'mesh_breaker_transitions_total',
  outboxWaiting: 'mesh_outbox_waiting_messages',
  outboxOldestAge: 'mesh_outbox_oldest_age_seconds',
  messages: 'mesh_messages_total',
  callsRefused: 'mesh_calls_refused_total',
  dbPoolConnections: 'mesh_db_pool_connections',
  emotionInference: 'emotion_inference_duration_seconds',
  emotionFramesShed: 'emotion_frames_shed_total',
  emotionQueueLength: 'emotion_worker_queue_length',
  emotionStreamFrames: 'emotion_stream_frame_duration_seconds',
  streamMessageDuration: 'mesh_stream_message_duration_seconds',
  integrityStage: 'integrity_stage_duration_seconds',
  integrityFrames: 'integrity_frames_total',
} as const;

/** The labels of a call (or a stream's message) as its caller saw it: OpenTelemetry's RPC attributes and the `server` called. */
const RPC_CLIENT_LABELS = ['service', 'server', 'rpc_system', 'rpc_service', 'rpc_method', 'rpc_grpc_status_code'] as const;

/** A histogram of durations in seconds over LATENCY_BUCKETS_S, registered in `registry`. */
function latencyHistogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Histogram<L> {
  return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS_S, registers: [registry] });
}

/** Longest a scrape waits for one scrape hook, milliseconds: well inside Prometheus's 10 s scrape timeout. */
export const SCRAPE_HOOK_TIMEOUT_MS = 1_000;

/** `mesh_breaker_state`'s values. */
export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * What became of a consumed message (`mesh_messages_total{outcome}`): handled (the handler
 * resolved), retried, dead_lettered (parked: failed for good, or forged: never handled); and,
 * among the handled, duplicate (its inbox had it: nothing was done again).
 */
export type MessageOutcome = 'handled' | 'duplicate' | 'retried' | 'dead_lettered';

/** Why a call was refused (`mesh_calls_refused_total{reason}`). */
export type RefusalReason = 'unauthenticated' | 'permission_denied' | 'rate_limited';

/** Something sampled at scrape time (outbox rows, pool connections): registered by a service, called by the registry. */
export type ScrapeHook = () => Promise<void> | void;

/**
 * The metrics of one process (prom-client, one Registry), for every service it runs: each series
 * carries the service's name as `service`. Gauges that describe state elsewhere (an outbox table,
 * a pool) are sampled when scraped, through hooks the services register (onScrape).
 */
export class MeshMetrics {
  readonly registry = new Registry();
  private readonly hooks = new Set<ScrapeHook>();

  /** Server side of every RPC: its duration by status code (`_count` is the request count). */
  readonly rpcServerDuration = latencyHistogram(
    this.registry,
    METRIC.rpcServerDuration,
    'Duration of gRPC calls served, seconds (OpenTelemetry rpc.server.call.duration)',
    ['service', 'rpc_system', 'rpc_service', 'rpc_method', 'rpc_grpc_status_code'] as const,
  );

  /** Client side: calls a service made to another (`server`), by status code. */
  readonly rpcClientDuration = latencyHistogram(
    this.registry,
    METRIC.rpcClientDuration,
    'Duration of gRPC calls made to another service, seconds (OpenTelemetry rpc.client.call.duration)',
    RPC_CLIENT_LABELS,
  );

  readonly breakerState = new Gauge({
    name: METRIC.breakerState,
    help: "State of a downstream's circuit breaker: 0 closed, 1 half-open, 2 open",
    labelNames: ['service', 'downstream'] as const,
    registers: [this.registry],
  });

  readonly breakerTransitions = new Counter({
    name: METRIC.breakerTransitions,
    help: "Changes of a downstream's circuit breaker, by the state entered",
    labelNames: ['service', 'downstream', 'state'] as const,
    registers: [this.registry],
  });

  /**
   * Reports a circuit breaker under `labels` (the service, and the downstream it guards): closed from
   * the start, each transition's series from 0 (so that the first is an increase to Prometheus).
   * Returns the listener to give the breaker's state changes.
   */
  reportBreaker(labels: { readonly service: string; readonly downstream: string }): (state: keyof typeof BREAKER_STATE_VALUE) => void {
    this.breakerState.set(labels, BREAKER_STATE_VALUE.closed);
    for (const state of Object.keys(BREAKER_STATE_VALUE)) this.breakerTransitions.inc({ ...labels, state }, 0);
    return (state) => {
      this.breakerState.set(labels, BREAKER_STATE_VALUE[state]);
      this.breakerTransitions.inc({ ...labels, state });
    };
  }

  readonly outboxWaiting = new Gauge({
    name: METRIC.outboxWaiting,
    help: 'Outbox rows not yet confirmed by the broker',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });

  readonly outboxOldestAge = new Gauge({
    name: METRIC.outboxOldestAge,
    help: 'Age of the oldest outbox row not yet confirmed by the broker, seconds (0 when none waits)',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });

  readonly messages = new Counter({
    name: METRIC.messages,
    help: 'Messages consumed, by queue and outcome: handled, retried, dead_lettered; duplicate counts the handled ones an inbox had seen',
    labelNames: ['service', 'queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly callsRefused = new Counter({
    name: METRIC.callsRefused,
    help: 'Calls refused for who the caller is or what it may do: unauthenticated, permission_denied, rate_limited (with the limit)',
    labelNames: ['service', 'reason', 'limit'] as const,
    registers: [this.registry],
  });

  readonly dbPoolConnections = new Gauge({
    name: METRIC.dbPoolConnections,
    help: "Connections of a service's PostgreSQL pool: total, idle, and clients waiting for one",
    labelNames: ['service', 'state'] as const,
    registers: [this.registry],
  });

  readonly emotionInference = latencyHistogram(
    this.registry,
    METRIC.emotionInference,
    'Inference time of one emotion-service model on one frame or face, seconds',
    ['model'] as const,
  );

  readonly emotionFramesShed = new Counter({
    name: METRIC.emotionFramesShed,
    help: 'Frames the emotion service refused (UNAVAILABLE) because its model workers were full',
    registers: [this.registry],
  });

  readonly emotionQueueLength = new Gauge({
    name: METRIC.emotionQueueLength,
    help: "Frames waiting for the emotion service's model workers",
    registers: [this.registry],
  });

  /** A stream's messages one by one, as their caller saw them (stream-telemetry.ts): rpc_client_call_duration_seconds sees only the whole stream. */
  readonly streamMessageDuration = latencyHistogram(
    this.registry,
    METRIC.streamMessageDuration,
    "Time from sending one message of a bidirectional stream to its answer, seconds, by the status code of the answer (the caller's side)",
    RPC_CLIENT_LABELS,
  );

  /** AnalyzeStream's frames one by one: rpc_server_call_duration_seconds sees only the whole stream. */
  readonly emotionStreamFrames = latencyHistogram(
    this.registry,
    METRIC.emotionStreamFrames,
    'Time from the receipt of one AnalyzeStream frame to its response, seconds, by the status code of its response',
    ['rpc_grpc_status_code'] as const,
  );

  /** The integrity pipeline's stages on one frame (decode, faces, mesh, pose, gaze, objects), each measured where it runs. */
  readonly integrityStage = latencyHistogram(
    this.registry,
    METRIC.integrityStage,
    "Time of one stage of the integrity service's pipeline on one frame, seconds",
    ['stage'] as const,
  );

  /**
   * What became of each frame the integrity consumer received: analyzed, skipped_no_image,
   * skipped_interval (within INTEGRITY_SAMPLE_INTERVAL_MS of the session's last analysed frame, or
   * earlier than it), duplicate (its effect was stored already).
   */
  readonly integrityFrames = new Counter({
    name: METRIC.integrityFrames,
    help: 'Frames the integrity consumer received, by outcome: analyzed, skipped_no_image, skipped_interval, duplicate',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, GC, file descriptors, and event-loop lag (nodejs_eventloop_lag_seconds and its percentiles).
    collectDefaultMetrics({ register: this.registry });
  }

  /** Registers `hook` to run before each scrape (sampling a table or a pool); returns its removal. */
  onScrape(hook: ScrapeHook): () => void {
    this.hooks.add(hook);
    return () => {
      this.hooks.delete(hook);
    };
  }

  /**
   * The Prometheus text exposition of every metric, after the scrape hooks ran. A hook that fails,
   * or takes longer than SCRAPE_HOOK_TIMEOUT_MS (a stalled database: the outbox's count waits for a
   * connection), leaves its gauges as they were: the scrape still answers, with the RPC and process
   * metrics an incident needs most.
   */
  async exposition(): Promise<string> {
    await Promise.allSettled(
      [...this.hooks].map(async (hook) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SCRAPE_HOOK_TIMEOUT_MS);
        });
        try {
          await Promise.race([hook(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return this.registry.metrics();
  }
}
