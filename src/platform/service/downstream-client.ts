import {
  CallOptions,
  ChannelCredentials,
  Client,
  ClientDuplexStream,
  ClientOptions,
  ClientUnaryCall,
  Metadata,
  ServiceDefinition,
  ServiceError as GrpcClientError,
  status,
} from '@grpc/grpc-js';
import { Breaker, BreakerOptions, BreakerState } from '../breaker/circuit-breaker';
import { clientTelemetryInterceptor, zeroRpcSeries } from '../telemetry/grpc-telemetry';
import { MeshMetrics } from '../telemetry/metrics';
import { carriesStatus, classifyError } from '../errors/classify';
import { CancelledError, deserializeDomainError, DomainError, ErrorKind, TimeoutError, UnavailableError } from '../errors/domain-errors';
import { CallContext, downstreamDeadline } from '../grpc/call-context';
import { STATUS_OF_KIND } from '../grpc/errors';
import { meshChannelOptions } from '../grpc/client-options';
import { callUnary, UnaryMethod } from '../grpc/unary-call';
import { Logger } from '../log/logger';
import { MeshChannel } from '../tls/transport-security';

/** ts-proto's generated client class for a service (`outputServices=grpc-js`). */
export type GrpcClientClass<C extends Client> = new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>) => C;

/** Another service this one calls over gRPC: the root builds its client, channel and breaker. */
export interface DownstreamSpec<C extends Client = Client> {
  /**
   * The called service's registered name: its Consul name (`consul:///<service>`), and the prefix
   * of the variables that override its address and the call budget (`<SERVICE>_ADDR`,
   * `<SERVICE>_DEADLINE_MS`).
   */
  readonly service: string;
  /** Full gRPC service name, e.g. `scoring.ScoringService` (for the channel's retry policy). */
  readonly grpcService: string;
  readonly client: GrpcClientClass<C>;
  /** Budget of one call, milliseconds, when `<SERVICE>_DEADLINE_MS` is unset. */
  readonly deadlineMs: number;
  /** Methods the channel may retry on UNAVAILABLE because they change nothing, e.g. `GenerateReport`. */
  readonly idempotentMethods?: readonly string[];
}

/** A ts-proto unary method's last overload (request, metadata, options, callback), whose types inference reads. */
type UnaryShape<C, M extends keyof C> = C[M] extends (
  request: infer Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: GrpcClientError | null, response: infer Res) => void,
) => ClientUnaryCall
  ? { request: Req; response: Res }
  : never;

/** The names of a ts-proto client's unary methods (streaming ones return a stream, not ClientUnaryCall). */
export type UnaryMethodName<C> = { [K in keyof C]: [UnaryShape<C, K>] extends [never] ? never : K }[keyof C] & string;
type RequestOf<C, M extends keyof C> = UnaryShape<C, M>['request'];
type ResponseOf<C, M extends keyof C> = UnaryShape<C, M>['response'];

/** A ts-proto bidirectional method's last overload (metadata, options), whose types inference reads. */
type DuplexShape<C, M extends keyof C> = C[M] extends (metadata: Metadata, options?: Partial<CallOptions>) => ClientDuplexStream<infer Req, infer Res>
  ? ClientDuplexStream<Req, Res>
  : never;

/** The names of a ts-proto client's bidirectional streaming methods. */
type DuplexMethodName<C> = { [K in keyof C]: [DuplexShape<C, K>] extends [never] ? never : K }[keyof C] & string;

/**
 * Work on a downstream that is not one unary call (a message and its answer on a stream), run
 * behind its breaker: given the absolute deadline and the caller's cancellation signal.
 */
type DownstreamExchange<T> = (deadline: Date, signal?: AbortSignal) => Promise<T>;

/**
 * A service's view of one downstream: typed unary calls with a deadline, cancelled with their
 * caller, behind one opossum breaker. Failures come back as DomainErrors, so the caller's own
 * edge maps them like its own:
 * - the downstream's caller-fault statuses as the matching error with the downstream's message
 *   (INVALID_ARGUMENT as InvalidInputError, NOT_FOUND as NotFoundError, ...);
 * - UNAVAILABLE and DEADLINE_EXCEEDED, the breaker open or timing out, as UnavailableError or
 *   TimeoutError naming the downstream, never its addresses or internals;
 * - CANCELLED as CancelledError; anything else as an Error that the edge reports as INTERNAL.
 */
export interface DownstreamClient<C> {
  /** The downstream's service name, e.g. `emotion`. */
  readonly name: string;
  /** `metadata` goes with the call: a gateway passes its caller's `authorization` on. */
  call<M extends UnaryMethodName<C>>(method: M, request: RequestOf<C, M>, ctx?: CallContext, metadata?: Metadata): Promise<ResponseOf<C, M>>;
  /**
   * Runs `work` as `call` runs a unary call: within the call budget (the deadline given to it),
   * behind the breaker, its failures mapped to DomainErrors the same way (a grpc-js ServiceError,
   * or any error carrying a status `code` and `details`).
   */
  exchange<T>(work: DownstreamExchange<T>, ctx?: CallContext): Promise<T>;
  /** Opens a bidirectional stream of `method` on the downstream's channel: no deadline (it lives as long as its user keeps it), no breaker (guard each message with `exchange`). */
  openDuplex<M extends DuplexMethodName<C>>(method: M, metadata?: Metadata): DuplexShape<C, M>;
  readonly breakerState: BreakerState;
  /** Tells `listener` of every change of the breaker's state (health follows it). */
  onBreakerState(listener: (state: BreakerState) => void): void;
  close(): void;
}

export interface DownstreamClientOptions {
  /** gRPC target: `host:port`, `dns:///host:port` or `consul:///<service>`. */
  target: string;
  /** Credentials and TLS options of the channel to the downstream (TransportSecurity.channel). */
  channel: MeshChannel;
  /** Budget of one call, milliseconds (the deadline is the earlier of this and the caller's). */
  deadlineMs: number;
  log: Logger;
  /** Opossum settings for tests (defaults: 5 calls, 50 %, 5 s). */
  breaker?: Pick<BreakerOptions, 'volumeThreshold' | 'errorThresholdPercentage' | 'resetTimeoutMs'>;
  /** Where the calls' durations, spans' trace context and the breaker's state are recorded, as `caller`'s; nowhere when absent. */
  metrics?: { readonly registry: MeshMetrics; readonly caller: string };
}

/** The breaker's timeout is this share of the call's budget, so the breaker decides before the deadline. */
const BREAKER_TIMEOUT_SHARE = 0.9;

/** The client, channel and breaker of one declared downstream. */
export function createDownstreamClient<C extends Client>(spec: DownstreamSpec<C>, options: DownstreamClientOptions): DownstreamClient<C> {
  const idempotent = (spec.idempotentMethods ?? []).map((method) => ({ service: spec.grpcService, method }));
  const telemetry = options.metrics;
  const client = new spec.client(options.target, options.channel.credentials, {
    ...meshChannelOptions(idempotent),
    ...options.channel.options,
    ...(telemetry ? { interceptors: [clientTelemetryInterceptor(telemetry.registry, telemetry.caller, spec.service)] } : {}),
  });
  // ts-proto's clients (makeGenericClientConstructor) carry their service definition.
  const definition = (spec.client as unknown as { service?: ServiceDefinition }).service;
  if (telemetry && definition) zeroRpcSeries(telemetry.registry, definition, { caller: telemetry.caller, server: spec.service });
  const listeners: ((state: BreakerState) => void)[] = telemetry
    ? [telemetry.registry.reportBreaker({ service: telemetry.caller, downstream: spec.service })]
    : [];
  const breaker = new Breaker((work: DownstreamExchange<unknown>, deadline: Date, signal?: AbortSignal) => work(deadline, signal), {
    ...options.breaker,
    name: spec.service,
    timeoutMs: Math.round(options.deadlineMs * BREAKER_TIMEOUT_SHARE),
    log: options.log,
    onStateChange: (state) => {
      listeners.forEach((listener) => {
        listener(state);
      });
    },
  });
  const exchange = async <T>(work: DownstreamExchange<T>, ctx?: CallContext): Promise<T> => {
    try {
      return (await breaker.fire(work, downstreamDeadline(options.deadlineMs, ctx), ctx?.signal)) as T;
    } catch (error) {
      throw asDomainError(spec.service, error);
    }
  };
  return {
    name: spec.service,
    call(method, request, ctx, metadata) {
      const unary = (client[method] as UnaryMethod<unknown, unknown>).bind(client);
      return exchange((deadline, signal) => callUnary(unary, request, { deadline, signal, ...(metadata ? { metadata } : {}) }), ctx);
    },
    exchange,
    openDuplex(method, metadata) {
      return (client[method] as (metadata: Metadata) => DuplexShape<C, typeof method>).call(client, metadata ?? new Metadata());
    },
    get breakerState() {
      return breaker.state;
    },
    onBreakerState: (listener) => listeners.push(listener),
    close: () => {
      breaker.shutdown();
      client.close();
    },
  };
}

/** The kind of domain error each caller-fault status stands for: STATUS_OF_KIND read backwards (OUT_OF_RANGE is bad input too). */
const CALLER_FAULT_KINDS: ReadonlyMap<status, ErrorKind> = new Map<status, ErrorKind>([
  ...(Object.entries(STATUS_OF_KIND) as [ErrorKind, status][])
    .filter(([kind]) => classifyError(deserializeDomainError({ kind, message: '' })) === 'rejected')
    .map(([kind, code]): [status, ErrorKind] => [code, kind]),
  [status.OUT_OF_RANGE, 'invalid-input'],
]);

/**
 * A downstream's failure in the caller's terms (see DownstreamClient); the original stays as `cause`
 * for the logs, and for a gateway that reads its status details (RetryInfo).
 */
function asDomainError(service: string, error: unknown): unknown {
  if (error instanceof DomainError || !carriesStatus(error)) return error;
  const kind = CALLER_FAULT_KINDS.get(error.code);
  if (kind) return Object.assign(deserializeDomainError({ kind, message: error.details }), { cause: error });
  if (error.code === status.UNAVAILABLE) return new UnavailableError(`the ${service} service is unavailable; retry shortly`, { cause: error });
  if (error.code === status.DEADLINE_EXCEEDED) return new TimeoutError(`the ${service} service did not answer in time`, { cause: error });
  if (error.code === status.CANCELLED) return new CancelledError('cancelled', { cause: error });
  return new Error(`${service} failed with ${status[error.code]}: ${error.details}`, { cause: error });
}
