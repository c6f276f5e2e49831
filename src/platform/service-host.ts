import { ServiceDefinition } from '@grpc/grpc-js';
import { DeliveryHandler, Subscription } from './bus/event-bus';
import { QueueName } from './bus/topology';
import { ServiceName } from './config/mesh-config';
import { adaptService, AsyncService } from './grpc/async-service';
import { HealthState } from './grpc/health';
import { loggingInterceptor } from './grpc/logging-interceptor';
import { monitorReadiness, ReadinessCheck } from './grpc/readiness';
import { startGrpcServer } from './grpc/server';
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
  const server = await startGrpcServer({
    name: spec.name,
    host: deps.config.bindHost,
    port: spec.port,
    services: spec.services.map((s) => ({
      name: s.name,
      definition: s.definition,
      implementation: adaptService(s.definition, s.implementation, { log, interceptors: [loggingInterceptor] }),
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
  const subscriptions: Subscription[] = [];
  for (const consumer of spec.consumers ?? []) {
    subscriptions.push(await deps.bus.consume(consumer.queue, consumer.handler, { prefetch: consumer.prefetch }));
  }
  await readiness.refresh();

  return {
    name: spec.name,
    server,
    health,
    async stop(graceMs) {
      readiness.stop();
      health.markNotServing();
      await Promise.all(subscriptions.map((s) => s.cancel()));
      await server.shutdown(graceMs);
      await spec.release?.();
    },
  };
}
