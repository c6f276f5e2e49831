/**
 * Keyword extraction for an answer: the most frequent content lemmas.
 *
 * Definition: candidates are the content lemmas (see `TextFeatures.contentLemmas`) whose POS is a
 * noun, proper noun, verb or adjective ({@link KEYWORD_POS}); they are ranked by frequency
 * (descending), ties broken alphabetically (UTF-16 code-unit order, locale-independent), and the first
 * `limit` ({@link DEFAULT_KEYWORD_LIMIT} by default) are returned. Deterministic.
 */
import { compareStrings } from './numeric';
import type { TextFeatures } from './text-features';

/** Default number of keywords returned. */
export const DEFAULT_KEYWORD_LIMIT = 8;
/** Universal Dependencies POS tags eligible as keywords. */
export const KEYWORD_POS: ReadonlySet<string> = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ']);

/** A keyword candidate with its frequency. */
export interface KeywordCount {
  /** Lower-case lemma. */
  readonly term: string;
  /** Occurrences in the answer (≥ 1). */
  readonly count: number;
}

/** Ranked keyword candidates (frequency desc, then alphabetical), all of them. */
export function rankKeywords(answer: TextFeatures): KeywordCount[] {
  const counts = new Map<string, number>();
  answer.contentTokenIndices.forEach((index) => {
    const token = answer.tokens[index];
    if (!KEYWORD_POS.has(token.pos)) return;
    counts.set(token.lemma, (counts.get(token.lemma) ?? 0) + 1);
  });
  return [...counts.entries()].map(([term, count]) => ({ term, count })).sort((a, b) => b.count - a.count || compareStrings(a.term, b.term));
}

/** Top `limit` keywords of an answer (lemmas), see module definition. `limit` must be ≥ 0. */
export function extractKeywords(answer: TextFeatures, limit: number = DEFAULT_KEYWORD_LIMIT): string[] {
  return rankKeywords(answer)
    .slice(0, Math.max(0, Math.floor(limit)))
    .map((k) => k.term);
}
