import { Kysely } from 'kysely';
import { Client } from '@grpc/grpc-js';
import { DeliveryHandler, EventBus, onFailure, RetryPolicy, Subscription } from '../bus/event-bus';
import { MeshConfig } from '../config/mesh-config';
import { DatabaseHandle } from '../db/database';
import { registerServiceInstance } from '../discovery/service-registration';
import { adaptService } from '../grpc/async-service';
import { HealthState } from '../grpc/health';
import { InFlightHandlers } from '../grpc/in-flight';
import { loggingInterceptor } from '../grpc/logging-interceptor';
import { monitorReadiness, ReadinessCheck } from '../grpc/readiness';
import { RunningGrpcServer, startGrpcServer } from '../grpc/server';
import { HttpsListener, startHttpsServer } from '../http/https-server';
import { createRateLimit, LimitStore } from '../limits/rate-limit';
import { Logger } from '../log/logger';
import { serverTelemetryInterceptor, zeroRpcSeries } from '../telemetry/grpc-telemetry';
import { tracedConsume } from '../telemetry/message-tracing';
import { MESSAGE_OUTCOMES, MeshMetrics, MessageOutcome } from '../telemetry/metrics';
import { callPolicyInterceptor, CallPolicy } from '../tls/call-policy';
import { TransportSecurity } from '../tls/transport-security';
import { MessagingTables } from '../messaging/messaging-tables';
import { Outbox } from '../messaging/outbox';
import { requireOutboxTraceContext } from '../messaging/trace-context-migration';
import { requireOutboxContentType } from '../messaging/content-type-migration';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '../messaging/outbox-relay';
import { dependencyHealthName, DownstreamClients, DownstreamSpecs, keepsTables, ServiceContext, ServiceDescriptor, ServiceParts } from './descriptor';
import { DownstreamClient } from './downstream-client';
import { LateResource, provided, Provisioned } from './provisioned';

/** What the composition root opens once per process and every service shares. */
export interface HostDependencies {
  readonly config: MeshConfig;
  readonly log: Logger;
  readonly db: DatabaseHandle;
  /** The event bus as a service's own broker user (only asked for services that publish or consume). */
  busFor(name: string): EventBus;
  /** The certificates of this process's workloads (or the development switch's plaintext). */
  readonly transport: TransportSecurity;
  /** Which callers may call which RPCs (enforced unless the transport is plaintext). */
  readonly policy: CallPolicy;
  /** The process's metrics (one registry for all its services, each series labelled with its service). */
  readonly metrics: MeshMetrics;
  /** Port of the process's metrics endpoint, recorded in Consul (`metrics_port`) for scrapers and `npm run stat`; none when off. */
  readonly metricsPort?: number;
}

/** What the composition root built for one service: its port, settings and downstream clients. */
export interface ServiceWiring<S, D extends DownstreamSpecs, R> {
  /** gRPC port; 0 picks a free one. */
  readonly port: number;
  readonly settings: S;
  readonly downstreams: DownstreamClients<D>;
  /** A resource made by the caller (a test's model pool): used as is, neither created nor closed by the host. */
  readonly resource?: R;
}

/** A started service: its gRPC server and health, and how to stop it. */
export interface RunningService {
  readonly name: string;
  readonly server: RunningGrpcServer;
  readonly health: HealthState;
  /** The HTTPS listeners the service opened (ServiceContext.serveHttps: the gateway's front door, the report links), in order; closed by `stop`. */
  readonly httpsListeners: readonly HttpsListener[];
  /**
   * Graceful stop: health NOT_SERVING, out of Consul, consumers stop taking messages and finish the
   * ones in hand, the server finishes in-flight calls within `graceMs` milliseconds, the outbox is
   * flushed, then resources are released.
   */
  stop(graceMs: number): Promise<void>;
}

/**
 * The one bootstrap every service shares: builds the service's context (its schema's Kysely and
 * outbox, its settings, downstream clients and resource), lets the descriptor wire its parts, then
 * serves them: gRPC server with health, reflection and interceptors, readiness (database, broker,
 * resource and the service's own checks), the outbox relay, consumers, Consul registration, and the
 * graceful stop in the reverse order. Throws when the parts do not match the descriptor.
 */
export async function startService<S, D extends DownstreamSpecs, R>(
  descriptor: ServiceDescriptor<S, D, R>,
  deps: HostDependencies,
  wiring: ServiceWiring<S, D, R>,
): Promise<RunningService> {
  const { name } = descriptor;
  const log = deps.log.child({ service: name });
  const db = deps.db.forService<MessagingTables>(name);
  const messaging = descriptor.consumes.length > 0 || descriptor.publishes.length > 0;
  const retry: RetryPolicy = { delaysMs: deps.config.eventRetryDelaysMs };
  const bus = messaging ? deps.busFor(name) : undefined;
  const relay = bus
    ? new OutboxRelay(db, bus, log.child({ component: 'outbox-relay' }), { ...DEFAULT_RELAY_OPTIONS, pollMs: deps.config.outboxPollMs })
    : undefined;
  const outbox =
    relay &&
    new Outbox(db, relay, log, (consumer) => {
      deps.metrics.messages.inc({ service: name, queue: consumer, outcome: 'duplicate' });
    });
  const late = wiring.resource === undefined && descriptor.resource ? new LateResource<R>(descriptor.resource.whileMissing) : undefined;
  const resource: Provisioned<R> = late ?? provided(wiring.resource as R);
  // A service keeping no tables has no rate_limits table (nor a role of its own): its counters stay in this replica's memory.
  const pool = keepsTables(descriptor) ? deps.db.poolOf(name) : undefined;
  const limitStore: LimitStore = pool ? { kind: 'postgres', query: (text, values) => pool.query(text, [...values]), schema: name } : { kind: 'memory' };
  const stopping = new AbortController();
  const listeners: HttpsListener[] = [];
  const closeListeners = () => Promise.all(listeners.splice(0).map((l) => l.close()));
  const context: ServiceContext<S, D, R> = {
    name,
    settings: wiring.settings,
    log,
    db: <T>() => deps.db.forService<T>(name),
    outbox: <T extends MessagingTables>() => {
      if (!outbox) throw new Error(`${name} neither consumes nor publishes events: it has no outbox`);
      return outbox as unknown as Outbox<T>;
    },
    downstreams: wiring.downstreams,
    resource,
    rateLimit: (spec) => createRateLimit(spec, limitStore),
    metrics: deps.metrics,
    serveHttps: async (port, handler, upgrade) => {
      const listener = await startHttpsServer({
        host: deps.config.bindHost,
        advertiseHost: deps.config.advertiseHost,
        port,
        identity: deps.transport.identity(name),
        handler,
        ...(upgrade ? { upgrade } : {}),
        log: log.child({ component: 'https' }),
      });
      listeners.push(listener);
      return listener;
    },
    stopping: stopping.signal,
  };
  if (relay) {
    await requireOutboxTraceContext(db, name);
    await requireOutboxContentType(db, name);
  }
  // A listener the service opened is closed if its start fails half-way.
  const parts = await (async () => {
    const started = await descriptor.start(context);
    checkParts(descriptor, started);
    return started;
  })().catch(async (error: unknown) => {
    await closeListeners();
    throw error;
  });

  for (const spec of parts.grpc) zeroRpcSeries(deps.metrics, spec.definition, { service: name });
  const health = new HealthState(descriptor.grpcServices);
  for (const [key, client] of Object.entries(wiring.downstreams) as [string, DownstreamClient<Client>][]) {
    const healthName = dependencyHealthName(name, key);
    health.set(healthName, 'SERVING');
    client.onBreakerState((state) => {
      health.set(healthName, state === 'open' ? 'NOT_SERVING' : 'SERVING');
    });
  }
  const inFlight = new InFlightHandlers();
  const server = await startGrpcServer({
    name,
    host: deps.config.bindHost,
    port: wiring.port,
    services: parts.grpc.map((s) => ({
      name: s.name,
      definition: s.definition,
      implementation: adaptService(s.definition, s.implementation, {
        log,
        interceptors: [
          inFlight.interceptor,
          // Outside the logging: its lines, and everything after, carry the call's span.
          serverTelemetryInterceptor(deps.metrics, name),
          loggingInterceptor,
          // Callers are authorised by their certificates first; without TLS there are none to check.
          ...(deps.transport.settings.plaintext ? [] : [callPolicyInterceptor(deps.policy)]),
          ...(parts.interceptors ?? []),
        ],
      }),
    })),
    credentials: deps.transport.serverCredentials(name, descriptor.exposure !== 'public'),
    health,
    log,
  });
  const checks: ReadinessCheck[] = [
    ...(descriptor.resource ? [{ name: descriptor.resource.name, check: () => resource.ready }] : []),
    ...(parts.readiness ?? []),
    { name: 'database', check: () => deps.db.ping() },
    ...(bus ? [{ name: 'broker', check: () => bus.isReady() }] : []),
  ];
  const readiness = monitorReadiness(health, checks, log);
  const unhook = [
    ...(relay ? [deps.metrics.onScrape(() => sampleOutbox(db, relay, name, deps.metrics))] : []),
    ...(pool
      ? [
          deps.metrics.onScrape(() => {
            samplePool(pool, name, deps.metrics);
          }),
        ]
      : []),
  ];
  const subscriptions: Subscription[] = [];
  /** What the service and the host made for it, released after the server stopped. */
  const release = async () => {
    await parts.release?.();
    if (late?.ready && descriptor.resource) await descriptor.resource.close(late.get());
  };
  /** Undoes a start that failed half-way. */
  const abandon = async () => {
    await closeListeners();
    readiness.stop();
    for (const remove of unhook) remove();
    await Promise.all(subscriptions.map((s) => s.cancel()));
    await server.shutdown(0);
    await relay?.flushAndStop(0);
    await release();
  };
  try {
    if (late && descriptor.resource) late.set(await descriptor.resource.create(wiring.settings, log));
    relay?.start();
    for (const queue of descriptor.consumes) {
      // checkParts made sure every declared queue has its handler.
      const handler = parts.consumers?.[queue.queue];
      if (!handler) throw new Error(`${name} has no handler for queue ${queue.queue}`);
      // checkParts made sure a consuming service has its bus.
      if (!bus) throw new Error(`${name} consumes ${queue.queue} without a bus`);
      const counted = (outcome: MessageOutcome) => {
        deps.metrics.messages.inc({ service: name, queue: queue.queue, outcome });
      };
      // Every outcome's series exists from the start: Prometheus's increase() sees the first one counted.
      for (const outcome of MESSAGE_OUTCOMES) deps.metrics.messages.inc({ service: name, queue: queue.queue, outcome }, 0);
      subscriptions.push(
        await bus.consume(queue.queue, observedHandler(name, queue.queue, handler, retry, counted), {
          prefetch: queue.prefetch,
          onForged: () => {
            counted('dead_lettered');
          },
        }),
      );
    }
    await readiness.refresh();
  } catch (error) {
    await abandon();
    throw error;
  }
  // In Consul only once serving: its gRPC check then finds the instance ready.
  const registration = await registerServiceInstance(
    deps.config,
    {
      name,
      port: server.port,
      tags: descriptor.consulTags,
      healthService: descriptor.grpcServices[0] ?? '',
      grpcServices: descriptor.grpcServices,
      metricsPort: deps.metricsPort,
    },
    log,
  ).catch(async (error: unknown) => {
    await abandon();
    throw error;
  });

  return {
    name,
    server,
    health,
    httpsListeners: [...listeners],
    async stop(graceMs) {
      stopping.abort(new Error(`${name} is stopping`));
      readiness.stop();
      for (const remove of unhook) remove();
      health.markNotServing();
      // Out of Consul before draining, so that clients stop picking this instance first.
      await registration?.deregister();
      // No new HTTPS requests; those in progress finish.
      await closeListeners();
      // No new messages; the ones in hand finish (or, past the grace, are redelivered elsewhere).
      const consumersDone = withinGrace(Promise.all(subscriptions.map((s) => s.cancel())), graceMs);
      await server.shutdown(graceMs);
      // Handlers whose calls the shutdown ended may still be committing: their writes go out too.
      if (!(await withinGrace(inFlight.drained(), graceMs))) log.warn({ graceMs }, 'handlers still running after the grace period');
      if (!(await consumersDone)) log.warn({ graceMs }, 'messages still in hand after the grace period: the broker redelivers them');
      // What the finished work wrote to the outbox goes out now, not at the next start.
      await relay?.flushAndStop(graceMs);
      await release();
    },
  };
}

/** The parts must serve exactly the declared gRPC services and consume exactly the declared queues. */
function checkParts(descriptor: Pick<ServiceDescriptor, 'name' | 'grpcServices' | 'consumes'>, parts: ServiceParts): void {
  const served = parts.grpc.map((s) => s.name);
  if (served.join(',') !== descriptor.grpcServices.join(',')) {
    throw new Error(`${descriptor.name} declares gRPC services [${descriptor.grpcServices.join(', ')}] but started [${served.join(', ')}]`);
  }
  const declared = descriptor.consumes.map((q) => q.queue).sort();
  const handled = Object.keys(parts.consumers ?? {}).sort();
  if (declared.join(',') !== handled.join(',')) {
    throw new Error(`${descriptor.name} declares queues [${declared.join(', ')}] but handles [${handled.join(', ')}]`);
  }
}

/** Resolves true when `work` settles within `ms` milliseconds, false otherwise. */
async function withinGrace(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `handler` as the host runs it: inside a CONSUMER span continuing the publisher's trace, each
 * delivery counted by outcome (handled; or, when it throws, retried or dead_lettered, as the bus
 * decides from the same retry policy: onFailure).
 */
function observedHandler(
  service: string,
  queue: string,
  handler: DeliveryHandler,
  retry: RetryPolicy,
  counted: (outcome: MessageOutcome) => void,
): DeliveryHandler {
  return async (delivery) => {
    try {
      await tracedConsume(service, queue, delivery, () => handler(delivery));
      counted('handled');
    } catch (error) {
      counted(onFailure(retry, delivery.attempt, error).kind === 'retry' ? 'retried' : 'dead_lettered');
      throw error;
    }
  };
}

/** The outbox rows of `service` not yet confirmed, and the age of the oldest, into their gauges. */
async function sampleOutbox(db: Kysely<MessagingTables>, relay: OutboxRelay, service: string, metrics: MeshMetrics): Promise<void> {
  // Rows the broker confirmed are marked published up to settleDelayMs later: mark them first, or
  // the gauge would count as waiting what was delivered already.
  await relay.settleConfirmed();
  const row = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<string>().as('waiting'), eb.fn.min('created_at').as('oldest')])
    .where('published_at', 'is', null)
    .executeTakeFirst();
  metrics.outboxWaiting.set({ service }, Number(row?.waiting ?? 0));
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined;
  metrics.outboxOldestAge.set({ service }, oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
}

/** The connections of `service`'s PostgreSQL pool (total, idle, clients waiting) into their gauge. */
function samplePool(pool: { totalCount: number; idleCount: number; waitingCount: number }, service: string, metrics: MeshMetrics): void {
  metrics.dbPoolConnections.set({ service, state: 'total' }, pool.totalCount);
  metrics.dbPoolConnections.set({ service, state: 'idle' }, pool.idleCount);
  metrics.dbPoolConnections.set({ service, state: 'waiting' }, pool.waitingCount);
}
