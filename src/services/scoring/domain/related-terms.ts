/**
 * Hand-curated related terms for common software-engineering interview topics, so that relevance can
 * credit an answer that talks about "errors", "root cause" and "rollback" when the question asked about
 * "debugging" an "incident". The lite English model has no word vectors, so lexical overlap alone
 * would miss these. Keys and values are lower-case lemmas; the list is our own (not from a published
 * thesaurus) and deliberately small: an unknown topic simply gets no related-term credit.
 */
import { compareStrings } from './numeric';

/** Question topic lemma → lemmas that, in an answer, show the topic is being addressed. */
export const RELATED_TERMS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['api', ['endpoint', 'rest', 'grpc', 'request', 'response', 'http', 'contract', 'version']],
  ['cache', ['redis', 'memcached', 'ttl', 'eviction', 'evict', 'lru', 'hit', 'miss', 'invalidation', 'invalidate']],
  ['collision', ['bucket', 'chain', 'chaining', 'probe', 'probing', 'slot', 'conflict']],
  ['concurrency', ['thread', 'lock', 'mutex', 'race', 'async', 'parallel', 'deadlock', 'atomic']],
  ['conflict', ['disagree', 'disagreement', 'argument', 'tension', 'compromise', 'resolve', 'align']],
  ['database', ['sql', 'postgres', 'postgresql', 'mysql', 'index', 'query', 'table', 'schema', 'transaction']],
  ['deadline', ['schedule', 'timeline', 'date', 'ship', 'priority', 'scope', 'estimate']],
  [
    'debug',
    [
      'bug',
      'error',
      'fix',
      'root',
      'cause',
      'log',
      'trace',
      'stack',
      'reproduce',
      'breakpoint',
      'debugger',
      'investigate',
      'diagnose',
      'dashboard',
      'profiler',
    ],
  ],
  ['design', ['component', 'service', 'api', 'database', 'cache', 'queue', 'scale', 'tradeoff', 'architecture']],
  ['failure', ['fail', 'mistake', 'outage', 'error', 'lesson', 'learn']],
  ['feedback', ['review', 'critique', 'suggestion', 'input', 'comment']],
  ['hash', ['hashcode', 'bucket', 'key', 'digest', 'modulo']],
  ['incident', ['outage', 'alert', 'postmortem', 'rollback', 'downtime', 'page', 'pager', 'sev', 'error', 'failure', 'mitigate', 'mitigation']],
  ['latency', ['ms', 'millisecond', 'p99', 'p95', 'slow', 'response', 'performance']],
  ['lead', ['mentor', 'own', 'drive', 'coordinate', 'organize', 'organise', 'delegate']],
  ['map', ['dictionary', 'key', 'value', 'table', 'hashmap', 'hashtable', 'entry']],
  ['memory', ['leak', 'heap', 'gc', 'garbage', 'allocation', 'allocate']],
  ['performance', ['latency', 'throughput', 'profile', 'profiler', 'optimize', 'optimise', 'benchmark', 'cpu']],
  ['production', ['deploy', 'deployment', 'release', 'customer', 'user', 'prod', 'live', 'rollout', 'traffic', 'request']],
  ['queue', ['kafka', 'rabbitmq', 'message', 'consumer', 'producer', 'broker']],
  ['scale', ['shard', 'replica', 'partition', 'load', 'balancer', 'horizontal', 'throughput', 'capacity']],
  ['team', ['teammate', 'colleague', 'engineer', 'manager', 'peer', 'collaborate']],
  ['test', ['unit', 'integration', 'assert', 'coverage', 'mock', 'ci']],
]);

/**
 * The topic (from `topics`) that answer lemma `lemma` is a related term of, or undefined. When it is
 * related to several topics, the alphabetically first topic is chosen (deterministic).
 */
export function relatedTopicOf(lemma: string, topics: readonly string[]): string | undefined {
  const matches = topics.filter((t) => RELATED_TERMS.get(t)?.includes(lemma) === true);
  return matches.sort(compareStrings)[0];
}
