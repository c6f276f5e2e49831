/**
 * Curated word lists of the scoring domain: interview-prompt words (ignored when matching a question
 * against an answer), software-engineering terms and behavioural-interview terms, and the mapping from
 * a question category to its vocabulary. The lists are hand-made for software engineering
 * interviews (not taken from a published lexicon); they are lower-case and matched against both a
 * token's lemma and its normal form, so `collisions`, `collision` and `chaining`/`chain` all match.
 */

/**
 * Words that frame an interview question rather than state its topic ("Tell me about a time…",
 * "Walk me through…", "Give an example…"). They are removed from the question's content lemmas
 * before relevance is measured, so an answer is not expected to repeat them.
 */
export const PROMPT_WORDS: ReadonlySet<string> = new Set([
  'tell',
  'describe',
  'explain',
  'walk',
  'give',
  'talk',
  'share',
  'discuss',
  'time',
  'example',
  'situation',
  'scenario',
  'instance',
  'think',
  'approach',
  'experience',
  'question',
  'mind',
]);

/** Software-engineering vocabulary (coding, data structures, systems, operations). */
export const TECHNICAL_TERMS: ReadonlySet<string> = new Set([
  'algorithm',
  'api',
  'array',
  'async',
  'asynchronous',
  'availability',
  'backend',
  'backoff',
  'bandwidth',
  'benchmark',
  'binary',
  'bit',
  'bucket',
  'buffer',
  'bug',
  'byte',
  'cache',
  'caching',
  'canary',
  'chain',
  'chaining',
  'checksum',
  'cluster',
  'code',
  'collision',
  'commit',
  'compile',
  'compiler',
  'complexity',
  'concurrency',
  'concurrent',
  'connection',
  'consensus',
  'consistency',
  'container',
  'cpu',
  'crash',
  'dashboard',
  'database',
  'deadlock',
  'debug',
  'debugger',
  'deploy',
  'deployment',
  'docker',
  'endpoint',
  'error',
  'exception',
  'failover',
  'frontend',
  'function',
  'garbage',
  'gateway',
  'git',
  'grafana',
  'graph',
  'hash',
  'hashing',
  'heap',
  'http',
  'https',
  'idempotent',
  'incident',
  'index',
  'instance',
  'integer',
  'interface',
  'java',
  'javascript',
  'kafka',
  'key',
  'kubernetes',
  'latency',
  'leak',
  'library',
  'linear',
  'linked',
  'list',
  'load',
  'lock',
  'log',
  'logging',
  'lookup',
  'map',
  'memory',
  'metric',
  'microservice',
  'migration',
  'monitoring',
  'mutex',
  'network',
  'node',
  'null',
  'object',
  'outage',
  'partition',
  'performance',
  'pipeline',
  'pointer',
  'pool',
  'postgres',
  'postgresql',
  'probe',
  'probing',
  'process',
  'production',
  'profiler',
  'profiling',
  'protocol',
  'python',
  'query',
  'queue',
  'race',
  'recursion',
  'redis',
  'refactor',
  'regression',
  'replica',
  'replication',
  'request',
  'resize',
  'response',
  'rollback',
  'router',
  'runtime',
  'scalability',
  'schema',
  'server',
  'service',
  'shard',
  'sharding',
  'slot',
  'sql',
  'stack',
  'string',
  'syntax',
  'table',
  'test',
  'thread',
  'throughput',
  'timeout',
  'trace',
  'tracing',
  'transaction',
  'tree',
  'typescript',
  'variable',
]);

/**
 * Behavioural-interview vocabulary: the STAR structure (Situation, Task, Action, Result) and the
 * team, ownership and outcome words interviewers listen for.
 */
export const BEHAVIORAL_TERMS: ReadonlySet<string> = new Set([
  'action',
  'agree',
  'challenge',
  'client',
  'collaborate',
  'collaboration',
  'colleague',
  'communicate',
  'communication',
  'compromise',
  'conflict',
  'customer',
  'deadline',
  'decision',
  'deliver',
  'disagreement',
  'escalate',
  'feedback',
  'goal',
  'impact',
  'improve',
  'lead',
  'learn',
  'lesson',
  'manager',
  'mentor',
  'outcome',
  'ownership',
  'plan',
  'postmortem',
  'priority',
  'project',
  'resolve',
  'responsibility',
  'result',
  'retrospective',
  'stakeholder',
  'task',
  'team',
  'teammate',
  'tradeoff',
  'user',
]);

/** Union of all vocabularies, used for categories without a dedicated list. */
export const GENERAL_TERMS: ReadonlySet<string> = new Set([...TECHNICAL_TERMS, ...BEHAVIORAL_TERMS]);

const CATEGORY_ALIASES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ...['technical', 'coding', 'algorithms', 'algorithm', 'data-structures', 'system-design', 'systems', 'architecture', 'backend', 'frontend', 'devops'].map(
    (k) => [k, TECHNICAL_TERMS] as const,
  ),
  ...['behavioral', 'behavioural', 'situational', 'leadership', 'culture', 'culture-fit', 'soft-skills', 'teamwork'].map((k) => [k, BEHAVIORAL_TERMS] as const),
]);

/**
 * Normalises a category name: trimmed, lower-cased, runs of spaces/underscores turned into `-`
 * (`"System Design"` → `system-design`).
 */
export function normaliseCategory(category: string): string {
  return category
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/**
 * Vocabulary of a question category: {@link TECHNICAL_TERMS} for technical categories (`technical`,
 * `coding`, `algorithms`, `system-design`, …), {@link BEHAVIORAL_TERMS} for behavioural ones
 * (`behavioral`, `behavioural`, `leadership`, …), and {@link GENERAL_TERMS} for any other or empty
 * category.
 */
export function categoryVocabulary(category: string): ReadonlySet<string> {
  return CATEGORY_ALIASES.get(normaliseCategory(category)) ?? GENERAL_TERMS;
}

/** True when a token with this lemma/normal form is in `vocabulary` (either form matches). */
export function inVocabulary(vocabulary: ReadonlySet<string>, lemma: string, normal: string): boolean {
  return vocabulary.has(lemma) || vocabulary.has(normal);
}

const ACRONYM_EXCLUSIONS = new Set(['OK', 'OKAY', 'I']);

/**
 * True when a token *looks* technical regardless of vocabulary: letters mixed with digits (`p99`,
 * `ec2`, `utf8`), an all-capitals acronym of 2–6 letters (`API`, `SQL`, `TCP`; `OK` excluded), or a
 * camelCase / snake_case identifier (`hashCode`, `user_id`).
 */
export function looksTechnical(text: string): boolean {
  if (/\p{L}/u.test(text) && /\d/.test(text) && /^[\p{L}\d._-]+$/u.test(text)) return true;
  if (/^[A-Z]{2,6}s?$/.test(text) && !ACRONYM_EXCLUSIONS.has(text)) return true;
  return /^[a-z]+[A-Z][A-Za-z]*$/.test(text) || /^[a-z]+_[a-z_]+$/.test(text);
}
