import { ServiceDefinition } from '@grpc/grpc-js';
import { Kysely } from 'kysely';
import { DeliveryHandler, Subscription } from './bus/event-bus';
import { QueueName } from './bus/topology';
import { ServiceName } from './config/mesh-config';
import { registerServiceInstance } from './discovery/service-registration';
import { adaptService, AsyncService } from './grpc/async-service';
import { HealthState } from './grpc/health';
import { InFlightHandlers } from './grpc/in-flight';
import { loggingInterceptor } from './grpc/logging-interceptor';
import { monitorReadiness, ReadinessCheck } from './grpc/readiness';
import { startGrpcServer } from './grpc/server';
import { MessagingTables } from './messaging/messaging-tables';
import { Outbox } from './messaging/outbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from './messaging/outbox-relay';
import { RunningService, ServiceDependencies } from './service';

/** One gRPC service a process serves, with its async implementation. */
export interface GrpcServiceSpec<D extends ServiceDefinition = ServiceDefinition> {
  /** Full name as health and reflection report it, e.g. `emotion.EmotionService`. */
  name: string;
  definition: D;
  implementation: AsyncService<D>;
}

export function grpcService<D extends ServiceDefinition>(name: string, definition: D, implementation: AsyncService<D>): GrpcServiceSpec {
  return { name, definition, implementation: implementation as AsyncService<ServiceDefinition> };
}

export interface ConsumerSpec {
  queue: QueueName;
  handler: DeliveryHandler;
  /** Unacknowledged messages held at once. */
  prefetch: number;
}

/** Everything that differs between services; the rest of their anatomy is the same. */
export interface ServiceSpec {
  name: ServiceName;
  port: number;
  services: readonly GrpcServiceSpec[];
  /** Readiness beyond database and broker (e.g. models loaded). */
  readiness?: readonly ReadinessCheck[];
  /** Runs once the server is up and NOT_SERVING, before consumers start (e.g. load models). */
  prepare?: () => Promise<void>;
  consumers?: readonly ConsumerSpec[];
  /** The service's outbox: its relay runs while the service does and is flushed at shutdown. */
  outbox?: { readonly relay: OutboxRelay };
  /** Releases the service's own resources after the server stopped. */
  release?: () => Promise<void>;
}

/**
 * The one bootstrap every service shares: gRPC server with health and reflection, logging
 * interceptor, readiness (database, broker and the service's own checks), consumers, and the
 * graceful stop in the reverse order.
 */
export async function hostService(deps: ServiceDependencies, spec: ServiceSpec): Promise<RunningService> {
  const log = deps.log.child({ service: spec.name });
  const health = new HealthState(spec.services.map((s) => s.name));
  const inFlight = new InFlightHandlers();
  const server = await startGrpcServer({
    name: spec.name,
    host: deps.config.bindHost,
    port: spec.port,
    services: spec.services.map((s) => ({
      name: s.name,
      definition: s.definition,
      implementation: adaptService(s.definition, s.implementation, { log, interceptors: [inFlight.interceptor, loggingInterceptor] }),
    })),
    health,
    log,
  });
  const readiness = monitorReadiness(
    health,
    [
      ...(spec.readiness ?? []),
      { name: 'database', check: () => deps.db.ping() },
      { name: 'broker', check: () => deps.bus.isReady() },
    ],
    log,
  );
  try {
    await spec.prepare?.();
  } catch (error) {
    readiness.stop();
    await server.shutdown(0);
    throw error;
  }
  spec.outbox?.relay.start();
  const subscriptions: Subscription[] = [];
  for (const consumer of spec.consumers ?? []) {
    subscriptions.push(await deps.bus.consume(consumer.queue, consumer.handler, { prefetch: consumer.prefetch }));
  }
  await readiness.refresh();
  // In Consul only once serving: its gRPC check then finds the instance ready.
  const registration = await registerServiceInstance(
    deps.config,
    { name: spec.name, port: server.port, healthService: spec.services[0]?.name ?? '', grpcServices: spec.services.map((s) => s.name) },
    log,
  ).catch(async (error: unknown) => {
    readiness.stop();
    await Promise.all(subscriptions.map((s) => s.cancel()));
    await server.shutdown(0);
    throw error;
  });

  return {
    name: spec.name,
    server,
    health,
    async stop(graceMs) {
      readiness.stop();
      health.markNotServing();
      // Out of Consul before draining, so that clients stop picking this instance first.
      await registration?.deregister();
      // No new messages; the ones in hand finish (or, past the grace, are redelivered elsewhere).
      const consumersDone = withinGrace(Promise.all(subscriptions.map((s) => s.cancel())), graceMs);
      await server.shutdown(graceMs);
      // Handlers whose calls the shutdown ended may still be committing: their writes go out too.
      if (!(await withinGrace(inFlight.drained(), graceMs))) log.warn({ graceMs }, 'handlers still running after the grace period');
      if (!(await consumersDone)) log.warn({ graceMs }, 'messages still in hand after the grace period: the broker redelivers them');
      // What the finished work wrote to the outbox goes out now, not at the next start.
      await spec.outbox?.relay.flushAndStop(graceMs);
      await spec.release?.();
    },
  };
}

/**
 * The outbox of a service's schema, with its relay publishing to the process's bus.
 * `db` is the service's Kysely (deps.db.forService), whose schema holds the outbox table.
 */
export function createOutbox<DB extends MessagingTables>(deps: ServiceDependencies, service: string, db: Kysely<DB>): Outbox<DB> {
  const log = deps.log.child({ service });
  const relay = new OutboxRelay(db, deps.bus, log.child({ component: 'outbox-relay' }), { ...DEFAULT_RELAY_OPTIONS, pollMs: deps.config.outboxPollMs });
  return new Outbox(db, relay, log);
}

/** Resolves true when `work` settles within `ms` milliseconds, false otherwise. */
async function withinGrace(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
