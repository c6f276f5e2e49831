import { Channel } from 'amqplib';
import { RetryPolicy } from './event-bus';
import { DEAD_LETTER_EXCHANGE, EXCHANGE, QueueName, RETRY_EXCHANGE, Topology, deadLetterQueue, retryQueue } from './topology';

/**
 * Deliveries of one message after which a quorum queue dead-letters it itself: the last guard
 * against a message that kills its consumer's process before the handler can fail cleanly.
 */
const DELIVERY_LIMIT = 20;

/**
 * Quorum queues dead-letter at most once unless told otherwise; at-least-once needs reject-publish
 * overflow (RabbitMQ docs, "Quorum Queues: Dead Lettering").
 */
const AT_LEAST_ONCE_DEAD_LETTERING = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };

/**
 * The mesh's exchanges. All three are topic exchanges so that RabbitMQ's topic permissions apply to
 * each (a user publishes and binds only the routing keys its permissions name): a direct exchange,
 * or the default one, would let any user that may write to it route into any queue bound there.
 */
export const EXCHANGES: readonly { readonly name: string; readonly type: 'topic' }[] = [
  { name: EXCHANGE, type: 'topic' },
  { name: DEAD_LETTER_EXCHANGE, type: 'topic' },
  { name: RETRY_EXCHANGE, type: 'topic' },
];

/** A queue as RabbitMQ declares it: durable, with its arguments and bindings. */
export interface QueueSpec {
  readonly name: QueueName;
  readonly arguments: Readonly<Record<string, string | number>>;
  /** Binding keys per exchange. */
  readonly bindings: readonly { readonly exchange: string; readonly key: string }[];
}

/**
 * The queues of `topology`, each with three kinds:
 * - the queue itself (quorum, bound to EXCHANGE by its patterns; a message delivered more than
 *   DELIVERY_LIMIT times is dead-lettered by the broker);
 * - `<queue>.dead`, bound to DEAD_LETTER_EXCHANGE with the queue's name as key: parked messages;
 * - `<queue>.retry.<delay>ms` per retry delay, bound to RETRY_EXCHANGE with its own name: a failed
 *   message waits out its delay there (message TTL), then the broker dead-letters it back to
 *   RETRY_EXCHANGE with the queue's name as key, where the queue is bound by that name. Not through
 *   the default exchange: declaring a queue that dead-letters there needs write on `amq.default`,
 *   which would let its user route into any queue; this way a service declares retry queues of
 *   any delay it chooses with permissions on its own queues' names only.
 */
export function queueSpecs(topology: Topology, retry: RetryPolicy): QueueSpec[] {
  const specs: QueueSpec[] = [];
  for (const [queue, patterns] of Object.entries(topology)) {
    specs.push({
      name: deadLetterQueue(queue),
      arguments: { 'x-queue-type': 'quorum' },
      bindings: [{ exchange: DEAD_LETTER_EXCHANGE, key: queue }],
    });
    specs.push({
      name: queue,
      arguments: {
        // Quorum queues: replicated, durable, RabbitMQ's recommended queue type for data safety.
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
        'x-dead-letter-routing-key': queue,
        'x-delivery-limit': DELIVERY_LIMIT,
        ...AT_LEAST_ONCE_DEAD_LETTERING,
      },
      // Its retried messages come back by its name on the retry exchange.
      bindings: [...patterns.map((key) => ({ exchange: EXCHANGE, key })), { exchange: RETRY_EXCHANGE, key: queue }],
    });
    for (const delayMs of retry.delaysMs) {
      const name = retryQueue(queue, delayMs);
      specs.push({
        name,
        arguments: {
          'x-queue-type': 'quorum',
          'x-message-ttl': delayMs,
          'x-dead-letter-exchange': RETRY_EXCHANGE,
          'x-dead-letter-routing-key': queue,
          ...AT_LEAST_ONCE_DEAD_LETTERING,
        },
        bindings: [{ exchange: RETRY_EXCHANGE, key: name }],
      });
    }
  }
  return specs;
}

/** Declares the exchanges (needs configure permission on them: the administrator's provisioning). */
export async function declareExchanges(channel: Channel): Promise<void> {
  for (const { name, type } of EXCHANGES) await channel.assertExchange(name, type, { durable: true });
}

/**
 * Checks that the exchanges exist (a passive declare, which needs no configure permission).
 * Rejects, closing `channel`, with RabbitMQ's NOT_FOUND when one is missing.
 */
export async function checkExchanges(channel: Channel): Promise<void> {
  for (const { name } of EXCHANGES) await channel.checkExchange(name);
}

/** Declares the queues of `topology` and their bindings (idempotent; needs configure and write on them, read on the exchanges). */
export async function declareQueues(channel: Channel, topology: Topology, retry: RetryPolicy): Promise<void> {
  for (const spec of queueSpecs(topology, retry)) {
    await channel.assertQueue(spec.name, { durable: true, arguments: spec.arguments });
    for (const { exchange, key } of spec.bindings) await channel.bindQueue(spec.name, exchange, key);
  }
}
