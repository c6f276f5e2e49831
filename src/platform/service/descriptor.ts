import { ServiceDefinition } from '@grpc/grpc-js';
import { Kysely, Migration } from 'kysely';
import { DeliveryHandler } from '../bus/event-bus';
import { QueueName, RoutingKey } from '../bus/topology';
import { Env } from '../config/env';
import { AsyncService, ServerInterceptor } from '../grpc/async-service';
import { HttpHandler, HttpsListener, UpgradeHandler } from '../http/https-server';
import { ReadinessCheck } from '../grpc/readiness';
import { LimitSpec, RateLimit } from '../limits/rate-limit';
import { Logger } from '../log/logger';
import { MeshMetrics } from '../telemetry/metrics';
import { MessagingTables } from '../messaging/messaging-tables';
import { Outbox } from '../messaging/outbox';
import { DownstreamClient, DownstreamSpec } from './downstream-client';

export type { DownstreamSpec, GrpcClientClass } from './downstream-client';
import { Provisioned } from './provisioned';

/** A queue a service consumes, bound to the topic exchange. */
export interface ConsumedQueue {
  /** `<service>.<purpose>`, e.g. `emotion.analysis`. */
  readonly queue: QueueName;
  /** Routing key patterns bound to it (AMQP topic syntax). */
  readonly bindings: readonly RoutingKey[];
  /** Unacknowledged messages the consumer holds at once. */
  readonly prefetch: number;
}

export type DownstreamSpecs = Readonly<Record<string, DownstreamSpec>>;

/** The downstreams of a service that calls none. */
export type NoDownstreams = Readonly<Record<string, never>>;
export const NO_DOWNSTREAMS: NoDownstreams = {};

/** The clients a service gets for its declared downstreams, under the same keys. */
export type DownstreamClients<D extends DownstreamSpecs> = { readonly [K in keyof D]: D[K] extends DownstreamSpec<infer C> ? DownstreamClient<C> : never };

/**
 * Something heavy a service needs that the host creates after the server is up (NOT_SERVING), and
 * closes after it stopped: the emotion service's model pool. Until it exists the service is not
 * ready, and `Provisioned.get()` throws UnavailableError.
 */
export interface ResourceSpec<S, R> {
  /** The readiness check's name while it is created, e.g. `models`. */
  readonly name: string;
  /** What callers are told (UNAVAILABLE) until it exists, e.g. `models are still loading; retry shortly`. */
  readonly whileMissing: string;
  create(settings: S, log: Logger): Promise<R>;
  close(resource: R): Promise<void>;
}

/** One gRPC service a process serves, with its async implementation. */
export interface GrpcServiceSpec<D extends ServiceDefinition = ServiceDefinition> {
  /** Full name as health and reflection report it, e.g. `emotion.EmotionService`. */
  readonly name: string;
  readonly definition: D;
  readonly implementation: AsyncService<D>;
}

export function grpcService<D extends ServiceDefinition>(name: string, definition: D, implementation: AsyncService<D>): GrpcServiceSpec {
  return { name, definition, implementation };
}

/** What a service's `start` wires from its context; the host serves and runs it. */
export interface ServiceParts {
  /** The implementations of the descriptor's `grpcServices`. */
  readonly grpc: readonly GrpcServiceSpec[];
  /** A handler for each queue the descriptor consumes, by queue name. */
  readonly consumers?: Readonly<Record<QueueName, DeliveryHandler>>;
  /** Readiness beyond database, broker and the resource. */
  readonly readiness?: readonly ReadinessCheck[];
  /** Interceptors around its RPCs (authentication), after the host's own (in-flight count, logging); health and reflection are not intercepted. */
  readonly interceptors?: readonly ServerInterceptor[];
  /** Releases what `start` made, after the server stopped. */
  release?(): Promise<void>;
}

/** What a service is given: its own settings and what the composition root built for it. */
export interface ServiceContext<S, D extends DownstreamSpecs, R> {
  readonly name: string;
  readonly settings: S;
  /** The process's logger with `service` set. */
  readonly log: Logger;
  /** Kysely on the service's own schema, typed with its tables. */
  db<T>(): Kysely<T>;
  /** The outbox of the service's schema (its relay runs while the service does). */
  outbox<T extends MessagingTables>(): Outbox<T>;
  readonly downstreams: DownstreamClients<D>;
  readonly resource: Provisioned<R>;
  /**
   * The counters of a limit: in the service's table `rate_limits` (list rateLimitsMigration among
   * its migrations) on PostgreSQL, shared by its replicas; in memory on embedded PGlite.
   */
  readonly rateLimit: (spec: LimitSpec) => RateLimit;
  /** The process's metrics, for the service's own (the emotion models'); label series with the service's name where they have a `service` label. */
  readonly metrics: MeshMetrics;
  /**
   * Serves `handler` over HTTPS on `port` (0: a free one) with the service's own certificate, as
   * its gRPC port (plain HTTP with the development switch), for people who follow a link rather
   * than call an RPC. The host closes it when the service stops, before the gRPC server drains.
   * `upgrade` takes WebSocket handshakes (the gateway's); upgraded connections are the service's
   * to close (on `stopping`).
   */
  serveHttps(port: number, handler: HttpHandler, upgrade?: UpgradeHandler): Promise<HttpsListener>;
  /**
   * Aborts when the host begins to stop the service, before the server drains: a handler of a
   * long-lived stream ends it then, so that its client reconnects to another replica at once
   * instead of when the grace period runs out.
   */
  readonly stopping: AbortSignal;
}

/**
 * Everything the mesh knows of a service, declared once in its folder's index.ts: the platform and
 * the composition root iterate over registered descriptors and name no service themselves.
 */
export interface ServiceDescriptor<S = unknown, D extends DownstreamSpecs = DownstreamSpecs, R = unknown> {
  /** Registered name: Consul name, PostgreSQL schema, log field, `<NAME>_PORT` variable. */
  readonly name: string;
  /** gRPC port when `<NAME>_PORT` is unset (docs/architecture.md, "Ports, queues and events"). */
  readonly defaultPort: number;
  /** Kysely migrations of the service's schema, applied in name order. */
  readonly migrations: Readonly<Record<string, Migration>>;
  readonly consumes: readonly ConsumedQueue[];
  /** Routing keys of the events it writes to its outbox. */
  readonly publishes: readonly RoutingKey[];
  /** Consul tags (seed 003 section 6, docs/seeds.md). */
  readonly consulTags: readonly string[];
  /**
   * `public`: its callers are people and programs outside the mesh with access tokens (interview,
   * auth): TLS, a client certificate optional. `internal` (the default): only workloads with a
   * certificate of the mesh's CA connect (mTLS), and the call policy says which may call what.
   */
  readonly exposure?: 'public' | 'internal';
  /** Full names of the gRPC services it serves (health, reflection, Consul metadata); may be empty. */
  readonly grpcServices: readonly string[];
  readonly downstreams: D;
  /** Its own settings, parsed from the environment once at start-up; throws ConfigError naming the variable. */
  settings(env: Env): S;
  readonly resource?: ResourceSpec<S, R>;
  /** Wires handlers and consumers from what it was given. */
  start(context: ServiceContext<S, D, R>): ServiceParts | Promise<ServiceParts>;
}

/** Any registered descriptor (the registry's element type). */
export type AnyServiceDescriptor = ServiceDescriptor;

/** Identity, for type inference: `export const emotionService = defineService({ ... })`. */
export function defineService<S, D extends DownstreamSpecs, R = undefined>(descriptor: ServiceDescriptor<S, D, R>): ServiceDescriptor<S, D, R> {
  return descriptor;
}

/**
 * Whether `service` keeps tables (declares migrations): only such a service gets a schema, a
 * database role (provision-db) and a URL of its own; one that keeps none (the gateway) opens no
 * database connection of its own and counts its limits in memory.
 */
export function keepsTables(service: Pick<AnyServiceDescriptor, 'migrations'>): boolean {
  return Object.keys(service.migrations).length > 0;
}

/** Whether `service` publishes or consumes events: only such a service gets a broker user (broker:provision) and a bus. */
export function usesBroker(service: Pick<AnyServiceDescriptor, 'consumes' | 'publishes'>): boolean {
  return service.consumes.length > 0 || service.publishes.length > 0;
}

/** Health names reporting each downstream's breaker, e.g. `interview.dependency.emotion`. */
export function dependencyHealthName(service: string, downstream: string): string {
  return `${service}.dependency.${downstream}`;
}
