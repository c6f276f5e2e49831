import { classifyError } from '../errors/classify';
import { InvalidInputError } from '../errors/domain-errors';
import { QueueName, RoutingKey } from './topology';

/** AMQP properties every event carries (docs/architecture.md, "Ports, queues and events"). */
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
  /** W3C trace context (`traceparent`, `tracestate`) of the span that published it, when tracing is on. */
  traceContext?: Readonly<Record<string, string>>;
  /**
   * The body's MIME type, the AMQP `content_type`: `application/json` (proto3 JSON) or
   * `application/x-protobuf` (binary protobuf), event-encoding.ts. Published as `application/json`
   * when unset; a delivery without one is JSON (a producer from before content types).
   */
  contentType?: string;
}

export interface Delivery {
  readonly routingKey: string;
  readonly body: Buffer;
  readonly properties: EventProperties;
  /** True when the broker delivered this message before (a consumer died holding it). */
  readonly redelivered: boolean;
  /** 1 for the first delivery; n for the n-th after n-1 failed attempts (delayed retries). */
  readonly attempt: number;
  /**
   * The broker user that published it, as the broker vouches for it (RabbitMQ validates the AMQP
   * `user-id` property against the publishing connection's user); '' when it carried none. A bus
   * bound to a service's identity delivers only events whose publisher owns their routing key
   * (EventOwners) and parks the others.
   */
  readonly publisher: string;
}

/**
 * What a consumer's handler does with a message: resolve to acknowledge it; throw to have it
 * retried after a delay (RetryPolicy), or parked in the queue's dead-letter queue with the reason
 * once the attempts are spent, or at once for an error that rejects the message itself
 * (classifyError: `rejected`, e.g. UnprocessableMessageError). The message is acknowledged only
 * after the handler resolves (or after its retry or dead letter is confirmed).
 */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

/** A message no retry can help (not the event its queue carries): dead-lettered at its first failure. */
export class UnprocessableMessageError extends InvalidInputError {}

/**
 * Delayed retries of failed messages: attempt n+1 comes `delaysMs[n-1]` milliseconds after attempt
 * n failed; after `delaysMs.length + 1` attempts the message is dead-lettered.
 */
export interface RetryPolicy {
  readonly delaysMs: readonly number[];
}

/** 1 s, 5 s, 30 s: rides out a broker or database restart without holding a poison message for long. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { delaysMs: [1_000, 5_000, 30_000] };

/** Where a failed message goes next: another attempt after a delay, or the dead letters. */
export type FailureOutcome = { kind: 'retry'; delayMs: number; nextAttempt: number } | { kind: 'dead-letter' };

/**
 * The policy applied to a message whose handler failed on attempt `attempt`, by the failure's class
 * (classifyError): one that rejects the message (malformed, invalid) is dead-lettered at once; a
 * transient one (the database restarting, a service shutting down) is not the message's fault: it
 * waits the longest delay and keeps its attempt number, for as long as it lasts; anything else
 * uses the next delay until none is left.
 */
export function onFailure(policy: RetryPolicy, attempt: number, error: unknown): FailureOutcome {
  const kind = classifyError(error);
  if (kind === 'rejected' || policy.delaysMs.length === 0) return { kind: 'dead-letter' };
  if (kind === 'transient') return { kind: 'retry', delayMs: policy.delaysMs[policy.delaysMs.length - 1], nextAttempt: attempt };
  // Undefined past the last delay, and for an attempt number that no delay belongs to.
  const delayMs = policy.delaysMs[attempt - 1] as number | undefined;
  return delayMs === undefined ? { kind: 'dead-letter' } : { kind: 'retry', delayMs, nextAttempt: attempt + 1 };
}

/** Headers a dead-lettered message carries, for whoever inspects `<queue>.dead`. */
export const DEAD_LETTER_HEADERS = { reason: 'x-dead-reason', attempts: 'x-attempts', queue: 'x-failed-queue' } as const;

/** The DEAD_LETTER_HEADERS values of a message of `queue` parked after `attempts` attempts for `reason`. */
export function deadLetterHeaders(queue: string, attempts: number, reason: string): Record<string, string | number> {
  return { [DEAD_LETTER_HEADERS.reason]: reason, [DEAD_LETTER_HEADERS.attempts]: attempts, [DEAD_LETTER_HEADERS.queue]: queue };
}

export interface ConsumeOptions {
  /** How many unacknowledged messages this consumer holds at once. */
  prefetch: number;
  /** Told of each delivery parked unhandled because its publisher does not own its routing key (metrics). */
  onForged?: (delivery: Delivery) => void;
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
  /** Declares the exchanges and the queues and bindings of the bus's Topology (idempotent). */
  declareTopology(): Promise<void>;
  /** Publishes a persistent message; resolves once the broker has confirmed it. */
  publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void>;
  consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription>;
  /** True while connected. */
  isReady(): boolean;
  close(): Promise<void>;
}
