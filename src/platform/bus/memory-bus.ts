import { Logger } from '../log/logger';
import { ConsumeOptions, Delivery, DeliveryHandler, EventBus, EventProperties, Subscription } from './event-bus';
import { BINDINGS, QueueName, RoutingKey, deadLetterQueue, topicMatches } from './topology';

interface QueueState {
  messages: Delivery[];
  consumer?: { handler: DeliveryHandler; prefetch: number; inFlight: number; cancelled: boolean };
  idle: Set<() => void>;
}

/**
 * The in-process bus of the embedded default: the same queues and topic bindings as RabbitMQ,
 * messages kept in memory (lost when the process exits, which is why deployments use RabbitMQ).
 * A message whose handler throws goes to the queue's `.dead` list, as a dead-letter exchange would.
 */
export class MemoryBus implements EventBus {
  private readonly queues = new Map<string, QueueState>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  async declareTopology(): Promise<void> {
    for (const queue of Object.keys(BINDINGS)) this.queue(queue);
  }

  async publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    if (this.closed) throw new Error('the bus is closed');
    for (const [queue, patterns] of Object.entries(BINDINGS)) {
      if (patterns.some((pattern) => topicMatches(pattern, routingKey))) {
        this.enqueue(queue, { routingKey, body, properties, redelivered: false });
      }
    }
  }

  async consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const state = this.queue(queue);
    if (state.consumer && !state.consumer.cancelled) throw new Error(`queue ${queue} already has a consumer`);
    const consumer = { handler, prefetch: Math.max(1, options.prefetch), inFlight: 0, cancelled: false };
    state.consumer = consumer;
    setImmediate(() => this.drain(queue));
    return {
      cancel: async () => {
        consumer.cancelled = true;
        while (consumer.inFlight > 0) await new Promise<void>((resolve) => state.idle.add(resolve));
      },
    };
  }

  isReady(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Messages dead-lettered from `queue`, for inspection. */
  deadLetters(queue: QueueName): readonly Delivery[] {
    return this.queue(deadLetterQueue(queue)).messages;
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
    setImmediate(() => this.drain(queue));
  }

  private drain(queue: string): void {
    const state = this.queue(queue);
    const consumer = state.consumer;
    while (consumer && !consumer.cancelled && !this.closed && consumer.inFlight < consumer.prefetch && state.messages.length) {
      const delivery = state.messages.shift()!;
      consumer.inFlight += 1;
      consumer
        .handler(delivery)
        .catch((error) => {
          this.log.error({ err: error, queue, messageId: delivery.properties.messageId }, 'message rejected to the dead-letter queue');
          this.queue(deadLetterQueue(queue as QueueName)).messages.push(delivery);
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
