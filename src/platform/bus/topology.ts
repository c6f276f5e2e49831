/**
 * The event topology (seed 002 section 6, ARCHITECTURE.md): one durable topic exchange, a queue per
 * consumer, and a dead-letter exchange with a `<queue>.dead` queue per queue for messages that
 * cannot be processed. Both bus implementations route by these same bindings.
 */
export const EXCHANGE = 'interview.events';
export const DEAD_LETTER_EXCHANGE = 'interview.events.dlx';

export const ROUTING_KEYS = {
  frameCaptured: 'interview.frame.captured',
  emotionAnalyzed: 'interview.emotion.analyzed',
  completed: 'interview.completed',
  scored: 'interview.scored',
  videoUploaded: 'interview.video.uploaded',
} as const;

export type RoutingKey = (typeof ROUTING_KEYS)[keyof typeof ROUTING_KEYS];

export const QUEUES = {
  /** emotion service: analyse and store frames. */
  emotionAnalysis: 'emotion.analysis',
  /** scoring service: score completed interviews. */
  scoringProcess: 'scoring.process',
  /** scoring service: its own copy of every frame's emotion, for scoring without reading emotion's tables. */
  scoringEmotions: 'scoring.emotions',
  /** notifier: record (and later send) the scored notification. */
  notificationEmail: 'notification.email',
  /** interview service: learn that an interview was scored. */
  interviewScored: 'interview.scored',
  /** video processing (no consumer yet: no RPC uploads video). */
  videoProcessing: 'video.processing',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Binding patterns of each queue on EXCHANGE (AMQP topic syntax: `*` one word, `#` zero or more). */
export const BINDINGS: Readonly<Record<QueueName, readonly string[]>> = {
  [QUEUES.emotionAnalysis]: [ROUTING_KEYS.frameCaptured],
  [QUEUES.scoringProcess]: [ROUTING_KEYS.completed],
  [QUEUES.scoringEmotions]: [ROUTING_KEYS.emotionAnalyzed],
  [QUEUES.notificationEmail]: [ROUTING_KEYS.scored],
  [QUEUES.interviewScored]: [ROUTING_KEYS.scored],
  [QUEUES.videoProcessing]: [ROUTING_KEYS.videoUploaded],
};

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
