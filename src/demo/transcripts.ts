/**
 * Realistic spoken answers to the seeded question bank (migrations/interview/0002_question_bank.ts),
 * as a speech-to-text engine would transcribe them, with speaking time in seconds.
 */
export interface Transcript {
  text: string;
  durationSeconds: number;
}

const BY_QUESTION: Record<string, Transcript> = {
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10001': {
    text: "I'm a backend engineer with about six years of experience, mostly building payment and messaging services in TypeScript and Go. What I enjoy most is making distributed systems boring: clear contracts, good observability, and failure modes we have actually tested. Lately I led the migration of our order pipeline to an event-driven design with RabbitMQ.",
    durationSeconds: 32,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10002': {
    text: 'Last spring our checkout latency jumped from 200 milliseconds to several seconds during a sale. I started from the dashboards, saw the database connection pool was saturated, and traced it with pg_stat_activity to a new query doing a sequential scan on the orders table. We rolled back the release within fifteen minutes, added the missing index, and afterwards I added a query-plan check to CI and an alert on pool wait time, so the next regression was caught before production.',
    durationSeconds: 48,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10003': {
    text: 'A colleague wanted to add Kafka for a feature that needed a simple job queue. I thought the operational cost was too high for the team. Instead of arguing opinions, we wrote down the requirements, throughput, ordering and retention, and measured both options with a small prototype. The numbers showed RabbitMQ was enough, and we agreed to revisit if volume grew tenfold. We still work together well because the decision was based on data.',
    durationSeconds: 41,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10004': {
    text: 'We tried to rewrite our reporting service in one big bang and after four months it still did not match the old numbers, so the project was cancelled. The mistake was not shipping incrementally. Today I would run the new and old implementations side by side, compare outputs in production with shadow traffic, and migrate one report at a time.',
    durationSeconds: 36,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10005': {
    text: 'A hash map computes a hash of the key and uses it to pick a bucket. When two keys land in the same bucket, that is a collision. Separate chaining keeps a list or a tree of entries per bucket, while open addressing probes other slots, for example linear probing. With a good hash function and a load factor kept below about 0.75 by resizing, lookups are constant time on average, but in the worst case, when everything collides, they degrade to linear time, or logarithmic if buckets are trees like in Java 8.',
    durationSeconds: 44,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10006': {
    text: 'A process has its own address space, so processes are isolated and one crash does not take down the others, but communication between them needs IPC and is more expensive. Threads share the memory of one process, which makes sharing data cheap but requires locks or other synchronization to avoid races. I choose processes for isolation and for scaling CPU-bound work in Node, and threads when tasks need to share large in-memory state with low latency.',
    durationSeconds: 40,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10007': {
    text: 'First I would confirm it is a leak by watching heap used over time after garbage collection, not just RSS. Then I take two heap snapshots some minutes apart with the inspector and compare them to see which objects keep growing and what retains them. Typical causes are caches without eviction, event listeners that are never removed, or closures holding large buffers. After the fix I would add a memory metric and an alert so it does not come back.',
    durationSeconds: 42,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10008': {
    text: 'An index, usually a B-tree, keeps the indexed column sorted with pointers to the rows, so the database can find matching rows in logarithmic time instead of scanning the whole table. The cost is on writes: every insert, update or delete must also update each index, and indexes use disk and memory. So I index columns used in selective filters and joins, and check with EXPLAIN that the planner actually uses them.',
    durationSeconds: 38,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10009': {
    text: 'Um, so, basically you take the long URL and you make a short code, like, with a hash or something, and store it in a database. Then when someone opens the short link you look it up and redirect. For scale you could, you know, add a cache.',
    durationSeconds: 25,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10010': {
    text: 'Exactly once delivery is impossible in general, so I would build effectively-once processing. The producer writes the event to an outbox table in the same transaction as the state change, and a relay publishes it with publisher confirms, giving at-least-once delivery. Each consumer records processed message ids in an inbox table in the same transaction as its side effect, so a redelivery becomes a no-op. Failed messages are retried with backoff and then parked in a dead-letter queue.',
    durationSeconds: 50,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10011': {
    text: 'I would use a token bucket per API key, stored in Redis so every instance shares it, and update it atomically with a Lua script. Limits are configured per plan. Responses include rate-limit headers, and requests over the limit get HTTP 429 with a retry-after value. If Redis is unavailable, instances fall back to a local limit so we fail open but still protect the backend.',
    durationSeconds: 39,
  },
  '6f0c7a52-0d0e-4c64-9a53-01c5a8a10012': {
    text: 'How does the team decide what goes into a release, and how do you handle on-call and incident reviews?',
    durationSeconds: 12,
  },
};

/** The transcript for a bank question; a short generic answer for questions the demo does not know. */
export function transcriptFor(questionId: string): Transcript {
  return BY_QUESTION[questionId] ?? { text: 'I would need a moment to think about that one.', durationSeconds: 5 };
}
