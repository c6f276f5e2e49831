/**
 * Keywords of an answer: its own salient terms, not the question's.
 *
 * Definition:
 * - *candidates*: content lemmas of the answer (see `TextFeatures.contentLemmas`) whose POS is a
 *   noun, proper noun, verb or adjective ({@link KEYWORD_POS}) and that are neither among the
 *   question's content lemmas nor prompt words ("tell", "describe", …); ranked by frequency
 *   (descending), ties alphabetical (UTF-16 code units), of which the first
 *   `MAX_EMBEDDED_CANDIDATES` are embedded (`embedAnswer`, `semantic.ts`);
 * - *selection*: Maximal Marginal Relevance (Carbonell & Goldstein, SIGIR 1998) over the candidates'
 *   embeddings, as KeyBERT does (Grootendorst 2020): repeatedly take the candidate with the highest
 *   λ · cos(candidate, answer) − (1 − λ) · max cos(candidate, chosen), λ = {@link MMR_LAMBDA}, so the
 *   terms closest to what the answer says come first without near-synonyms crowding each other out;
 *   up to `limit` ({@link DEFAULT_KEYWORD_LIMIT}) terms. Deterministic for a deterministic model.
 */
import { compareStrings } from './numeric';
import { cosine, type AnswerEmbeddings } from './semantic';
import type { TextFeatures } from './text-features';
import { PROMPT_WORDS } from './vocabulary';

/** Default number of keywords returned. */
export const DEFAULT_KEYWORD_LIMIT = 8;
/** Universal Dependencies POS tags eligible as keywords. */
export const KEYWORD_POS: ReadonlySet<string> = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ']);
/** MMR's trade-off between closeness to the answer (1) and diversity among the chosen (0). */
export const MMR_LAMBDA = 0.7;

/** Keyword candidates (lemmas) of `answer` that `question` does not contain, ranked (frequency desc, then alphabetical). */
export function keywordCandidates(question: TextFeatures, answer: TextFeatures): string[] {
  const excluded = new Set([...question.contentLemmas, ...PROMPT_WORDS]);
  const counts = new Map<string, number>();
  answer.contentTokenIndices.forEach((index) => {
    const token = answer.tokens[index];
    if (!KEYWORD_POS.has(token.pos) || excluded.has(token.lemma)) return;
    counts.set(token.lemma, (counts.get(token.lemma) ?? 0) + 1);
  });
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0])).map(([term]) => term);
}

/**
 * Selects up to `limit` keywords among the embedded candidates (see the module definition).
 * `limit` below 1 gives none.
 */
export function selectKeywords(embeddings: AnswerEmbeddings, limit: number = DEFAULT_KEYWORD_LIMIT): string[] {
  const pool = embeddings.candidates.map((c) => ({ ...c, closeness: cosine(c.vector, embeddings.answer) }));
  const chosen: typeof pool = [];
  while (chosen.length < Math.floor(limit) && pool.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    pool.forEach((candidate, i) => {
      const redundancy = chosen.length === 0 ? 0 : Math.max(...chosen.map((c) => cosine(c.vector, candidate.vector)));
      const value = MMR_LAMBDA * candidate.closeness - (1 - MMR_LAMBDA) * redundancy;
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    });
    chosen.push(...pool.splice(best, 1));
  }
  return chosen.map((c) => c.term);
}
