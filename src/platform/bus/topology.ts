/**
 * The event topology (seed 002 section 6, see docs/seeds.md and docs/architecture.md): one durable topic exchange, a queue per
 * consumer, a dead-letter exchange with a `<queue>.dead` queue per queue for messages that
 * cannot be processed, and a retry exchange with the queues where failed messages wait for their
 * next attempt (broker-topology.ts declares them). The queues and their bindings are not listed here: each service declares
 * the queues it consumes (its descriptor), and the composition root gathers them into a Topology
 * that both bus implementations declare and route by.
 */
export const EXCHANGE = 'interview.events';
export const DEAD_LETTER_EXCHANGE = 'interview.events.dlx';
/** Where a consumer sends a failed message to wait for its next attempt (routing key: the retry queue's name). */
export const RETRY_EXCHANGE = 'interview.events.retry';

/** A routing key on EXCHANGE, e.g. `interview.frame.captured` (event-catalog.ts lists the mesh's). */
export type RoutingKey = string;

/** A queue name, `<service>.<purpose>` by convention, e.g. `emotion.analysis`. */
export type QueueName = string;

/** Every queue of the mesh with its binding patterns on EXCHANGE (AMQP topic syntax: `*` one word, `#` zero or more). */
export type Topology = Readonly<Record<QueueName, readonly string[]>>;

export function deadLetterQueue(queue: QueueName): string {
  return `${queue}.dead`;
}

/**
 * The queue where a failed message of `queue` waits `delayMs` milliseconds (its message TTL)
 * before the broker dead-letters it back to `queue` for another attempt. The delay is in the name,
 * so changing the retry policy declares new queues instead of clashing with the old arguments.
 */
export function retryQueue(queue: QueueName, delayMs: number): string {
  return `${queue}.retry.${delayMs}ms`;
}

/** The queues of `topology` whose patterns match `routingKey`. */
export function queuesFor(topology: Topology, routingKey: RoutingKey): QueueName[] {
  return Object.entries(topology)
    .filter(([, patterns]) => patterns.some((pattern) => topicMatches(pattern, routingKey)))
    .map(([queue]) => queue);
}

/** AMQP topic matching: words split on '.', `*` matches one word, `#` zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}
