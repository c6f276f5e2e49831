/**
 * What the LLM judge returns for one answer, the JSON schema the model is held to, and the check
 * of what it actually sent. The schema goes out as OpenAI's Structured Outputs
 * (`response_format: { type: 'json_schema', json_schema: { strict: true, schema } }`,
 * https://platform.openai.com/docs/guides/structured-outputs): strict mode wants every property
 * required and `additionalProperties: false`, and supports `minimum`/`maximum` and `maxItems` but
 * not `maxLength`, which the descriptions carry instead. Servers that only imitate the API
 * (llama.cpp, vLLM, Ollama) enforce less or nothing, so `parseVerdict` checks every bound itself.
 */
import { roundScore } from '../domain/numeric';
import { isObject } from '../domain/unchecked';

/** Most keywords a verdict may hold (the offline analysis gives up to 8 too). */
export const MAX_VERDICT_KEYWORDS = 8;
/** Longest keyword, characters. */
export const MAX_KEYWORD_CHARS = 40;
/** Longest feedback, characters. */
export const MAX_FEEDBACK_CHARS = 400;

/** The judge's verdict on one answer. */
export interface JudgeVerdict {
  /** Does the answer answer THIS question (not: does it share its words), 0..100, one decimal. */
  readonly relevance: number;
  /** Technical substance: reasoning, trade-offs, specifics, 0..100, one decimal. */
  readonly depth: number;
  /** Up to 8 salient terms of the answer, each at most 40 characters, trimmed, without duplicates. */
  readonly keywords: readonly string[];
  /** One or two sentences to the candidate, at most 400 characters, trimmed, not empty. */
  readonly feedback: string;
  /** The answer mainly restates the question. */
  readonly paraphrase: boolean;
  /** The answer lists terms without explaining them. */
  readonly keywordStuffing: boolean;
  /** The answer does not address the question. */
  readonly offTopic: boolean;
}

/** The JSON schema sent as `response_format.json_schema.schema` (strict-mode subset). */
export const VERDICT_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['relevance', 'depth', 'keywords', 'feedback', 'paraphrase', 'keywordStuffing', 'offTopic'],
  properties: {
    relevance: { type: 'integer', minimum: 0, maximum: 100, description: 'How well the answer answers this question, 0-100.' },
    depth: { type: 'integer', minimum: 0, maximum: 100, description: 'Technical depth and specifics of the answer, 0-100.' },
    keywords: {
      type: 'array',
      maxItems: MAX_VERDICT_KEYWORDS,
      items: { type: 'string', description: `A salient term from the answer, at most ${MAX_KEYWORD_CHARS} characters.` },
      description: `Up to ${MAX_VERDICT_KEYWORDS} salient terms from the answer.`,
    },
    feedback: { type: 'string', description: `One or two sentences to the candidate, at most ${MAX_FEEDBACK_CHARS} characters.` },
    paraphrase: { type: 'boolean', description: 'True when the answer mainly restates the question.' },
    keywordStuffing: { type: 'boolean', description: 'True when the answer lists terms without explaining them.' },
    offTopic: { type: 'boolean', description: 'True when the answer does not address the question.' },
  },
} as const;

/** `parseVerdict`'s result: the verdict, or why the content was refused. */
export type VerdictCheck = { readonly ok: true; readonly verdict: JudgeVerdict } | { readonly ok: false; readonly reason: string };

/**
 * The verdict in `content` (the model's message, a JSON text), checked against every bound of
 * JudgeVerdict: a missing field, a wrong type, a score outside 0..100, more than 8 keywords, a
 * keyword over 40 or feedback over 400 characters refuse it. Extra properties are ignored. Scores
 * are rounded to one decimal; keywords are trimmed, blank ones and duplicates (case-insensitive)
 * dropped. Never throws.
 */
export function parseVerdict(content: string): VerdictCheck {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return refuse('content is not JSON');
  }
  if (!isObject(value)) return refuse('content is not a JSON object');
  const relevance = score(value.relevance);
  if (relevance === undefined) return refuse('relevance is not a number from 0 to 100');
  const depth = score(value.depth);
  if (depth === undefined) return refuse('depth is not a number from 0 to 100');
  const keywords = keywordList(value.keywords);
  if (typeof keywords === 'string') return refuse(keywords);
  if (typeof value.feedback !== 'string') return refuse('feedback is not a string');
  const feedback = value.feedback.trim();
  if (feedback === '') return refuse('feedback is empty');
  if (feedback.length > MAX_FEEDBACK_CHARS) return refuse(`feedback is over ${MAX_FEEDBACK_CHARS} characters`);
  const { paraphrase, keywordStuffing, offTopic } = value;
  if (typeof paraphrase !== 'boolean') return refuse('paraphrase is not a boolean');
  if (typeof keywordStuffing !== 'boolean') return refuse('keywordStuffing is not a boolean');
  if (typeof offTopic !== 'boolean') return refuse('offTopic is not a boolean');
  return { ok: true, verdict: Object.freeze({ relevance, depth, keywords, feedback, paraphrase, keywordStuffing, offTopic }) };
}

function refuse(reason: string): VerdictCheck {
  return { ok: false, reason };
}

/** A score in 0..100 rounded to one decimal, or undefined. */
function score(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) return undefined;
  return roundScore(value);
}

/** The keywords, or why they are refused. */
function keywordList(value: unknown): readonly string[] | string {
  if (!Array.isArray(value)) return 'keywords is not an array';
  if (value.length > MAX_VERDICT_KEYWORDS) return `keywords has more than ${MAX_VERDICT_KEYWORDS} entries`;
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') return 'a keyword is not a string';
    const keyword = item.trim();
    if (keyword.length > MAX_KEYWORD_CHARS) return `a keyword is over ${MAX_KEYWORD_CHARS} characters`;
    const folded = keyword.toLowerCase();
    if (keyword === '' || seen.has(folded)) continue;
    seen.add(folded);
    keywords.push(keyword);
  }
  return Object.freeze(keywords);
}
