import { PermissionDeniedError, UnavailableError } from '../errors/domain-errors';
import { EventOwners } from './broker-identity';
import { Logger } from '../log/logger';
import {
  ConsumeOptions,
  deadLetterHeaders,
  DEFAULT_RETRY_POLICY,
  Delivery,
  DeliveryHandler,
  EventBus,
  EventProperties,
  RetryPolicy,
  Subscription,
  onFailure,
} from './event-bus';
import { QueueName, RoutingKey, Topology, deadLetterQueue, queuesFor } from './topology';

interface QueueState {
  messages: Delivery[];
  consumer?: { handler: DeliveryHandler; prefetch: number; inFlight: number; cancelled: boolean };
  idle: Set<() => void>;
}

/** A dead-lettered message and why, as `<queue>.dead` holds it. */
export interface DeadLetter {
  delivery: Delivery;
  /** DEAD_LETTER_HEADERS values. */
  headers: Record<string, string | number>;
}

/**
 * The in-process bus of the embedded default: the same queues and topic bindings as RabbitMQ,
 * messages kept in memory (lost when the process exits, which is why deployments use RabbitMQ;
 * the outbox publishes again what was not yet delivered). A message whose handler throws is
 * retried after the policy's delays, then kept in the queue's dead letters with the reason, as
 * AmqpBus does.
 */
export class MemoryBus implements EventBus {
  private readonly queues = new Map<string, QueueState>();
  private readonly dead = new Map<string, DeadLetter[]>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly topology: Topology,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  declareTopology(): Promise<void> {
    for (const queue of Object.keys(this.topology)) this.queue(queue);
    return Promise.resolve();
  }

  /** Publishes with no publisher named (as a broker administrator would, without a `user-id`). */
  publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    return this.publishAs('', routingKey, body, properties);
  }

  /**
   * This bus as the broker user `user` sees it, as RabbitMQ treats a service's connection: it may
   * publish only the routing keys `owners` gives it (else PermissionDeniedError, as the broker's
   * topic permissions refuse them), its events carry it as their publisher, and its consumers get
   * only events whose publisher owns their routing key: the others are parked in the queue's dead
   * letters (ForgedEventError). Closing the view leaves the bus open.
   */
  as(user: string, owners: EventOwners): EventBus {
    const allowed = new Set(owners.keysOf(user));
    return {
      declareTopology: () => this.declareTopology(),
      publish: (routingKey, body, properties) =>
        allowed.has(routingKey)
          ? this.publishAs(user, routingKey, body, properties)
          : Promise.reject(new PermissionDeniedError(`broker user ${user} may not publish ${routingKey}`)),
      consume: (queue, handler, options) =>
        this.consume(
          queue,
          async (delivery) => {
            owners.admit(delivery, options.onForged);
            await handler(delivery);
          },
          options,
        ),
      isReady: () => this.isReady(),
      close: () => Promise.resolve(),
    };
  }

  private publishAs(publisher: string, routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError('the bus is closed'));
    for (const queue of queuesFor(this.topology, routingKey)) this.enqueue(queue, { routingKey, body, properties, redelivered: false, attempt: 1, publisher });
    return Promise.resolve();
  }

  consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const state = this.queue(queue);
    if (state.consumer && !state.consumer.cancelled) return Promise.reject(new Error(`queue ${queue} already has a consumer`));
    const consumer = { handler, prefetch: Math.max(1, options.prefetch), inFlight: 0, cancelled: false };
    state.consumer = consumer;
    setImmediate(() => {
      this.drain(queue);
    });
    return Promise.resolve({
      cancel: async () => {
        consumer.cancelled = true;
        while (consumer.inFlight > 0) await new Promise<void>((resolve) => state.idle.add(resolve));
      },
    });
  }

  isReady(): boolean {
    return !this.closed;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    return Promise.resolve();
  }

  /** Messages dead-lettered from `queue`, with their reasons. */
  deadLetters(queue: QueueName): readonly DeadLetter[] {
    return this.dead.get(deadLetterQueue(queue)) ?? [];
  }

  /** Schedules the next attempt, or dead-letters the message with the reason. */
  private settleFailure(queue: QueueName, delivery: Delivery, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    const outcome = onFailure(this.retry, delivery.attempt, error);
    const logFields = { queue, messageId: delivery.properties.messageId, attempt: delivery.attempt, reason };
    if (outcome.kind === 'dead-letter') {
      this.log.error(logFields, `message dead-lettered to ${deadLetterQueue(queue)}`);
      const letters = this.dead.get(deadLetterQueue(queue)) ?? [];
      letters.push({ delivery, headers: deadLetterHeaders(queue, delivery.attempt, reason) });
      this.dead.set(deadLetterQueue(queue), letters);
      return;
    }
    this.log.warn({ ...logFields, retryInMs: outcome.delayMs }, 'message failed: retrying later');
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.closed) this.enqueue(queue, { ...delivery, attempt: outcome.nextAttempt });
    }, outcome.delayMs);
    this.retryTimers.add(timer);
  }

  private queue(name: string): QueueState {
    let state = this.queues.get(name);
    if (!state) {
      state = { messages: [], idle: new Set() };
      this.queues.set(name, state);
    }
    return state;
  }

  private enqueue(queue: string, delivery: Delivery): void {
    this.queue(queue).messages.push(delivery);
    setImmediate(() => {
      this.drain(queue);
    });
  }

  private drain(queue: string): void {
    const state = this.queue(queue);
    const consumer = state.consumer;
    while (consumer && !consumer.cancelled && !this.closed && consumer.inFlight < consumer.prefetch) {
      const delivery = state.messages.shift();
      if (!delivery) break;
      consumer.inFlight += 1;
      consumer
        .handler(delivery)
        .catch((error: unknown) => {
          this.settleFailure(queue, delivery, error);
        })
        .finally(() => {
          consumer.inFlight -= 1;
          if (consumer.inFlight === 0) {
            for (const resolve of state.idle) resolve();
            state.idle.clear();
          }
          this.drain(queue);
        });
    }
  }
}
