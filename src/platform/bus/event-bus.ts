import { QueueName, RoutingKey } from './topology';

/** AMQP properties every event carries (ARCHITECTURE.md, Events). */
export interface EventProperties {
  /** Unique per message: consumers deduplicate on it. */
  messageId: string;
  /** The interview (session) the event is about. */
  correlationId: string;
  /** Full protobuf message name of the payload, e.g. `interview.events.v1.FrameCaptured`. */
  type: string;
  /** Version of the payload schema, e.g. `v1`. */
  schemaVersion: string;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
}

export interface Delivery {
  readonly routingKey: string;
  readonly body: Buffer;
  readonly properties: EventProperties;
  /** True when the broker delivered this message before (a consumer died holding it). */
  readonly redelivered: boolean;
}

/**
 * What a consumer's handler does with a message: resolve to acknowledge it; throw to reject it
 * to the dead-letter queue. The message is acknowledged only after the handler resolves.
 */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface ConsumeOptions {
  /** How many unacknowledged messages this consumer holds at once. */
  prefetch: number;
}

export interface Subscription {
  /** Stops delivering; in-flight handlers finish. */
  cancel(): Promise<void>;
}

/**
 * The event bus over the topic exchange `interview.events`: RabbitMQ (AmqpBus) in a deployment,
 * in process (MemoryBus) in the embedded default, with the same routing.
 */
export interface EventBus {
  /** Declares the exchanges, queues and bindings of topology.ts (idempotent). */
  declareTopology(): Promise<void>;
  /** Publishes a persistent message; resolves once the broker has confirmed it. */
  publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void>;
  consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription>;
  /** True while connected. */
  isReady(): boolean;
  close(): Promise<void>;
}
