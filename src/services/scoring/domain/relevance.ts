/**
 * Relevance of an answer to its question: how close their meanings are, from sentence embeddings
 * (all-MiniLM-L6-v2; Reimers & Gurevych 2019, arXiv:1908.10084), so that an answer in the
 * candidate's own words counts and one that borrows the question's words for another subject does not.
 *
 * Definition (intermediate values 0..1, score 0..100):
 * - *similarity* s = the highest cosine of the question's embedding to one of the answer's passages
 *   (runs of three consecutive sentences, `semantic.ts`) with the question's own topic words left
 *   out of them: a sentence-embedding model compares texts of like length best, and the mean of a
 *   long, specific answer drifts from a short question even when every passage of it is on subject;
 *   and the model, like any, is drawn to shared words, so an answer that borrows the question's
 *   words for another subject would otherwise pass for relevant. What is compared is what the answer
 *   says in its own words. For the categories whose questions say little of their subject
 *   (introduction, behavioural, closing) a passage's similarity to one of the category's reference
 *   points (`category-references.ts`), less {@link REFERENCE_MARGIN}, counts when it is higher;
 * - *semantic* = (s − floor) / (ceiling − floor), clamped to 0..1, with {@link SIMILARITY_SCALE}: at
 *   or below the floor the texts share no subject (unrelated question/answer pairs of the evaluation
 *   set stay below it), at or above the ceiling the answer is squarely about the question;
 * - *lexical* = the lexical measure (`lexical-relevance.ts`) / 100, a minor signal that may confirm
 *   but never lift: raw = (1 − {@link LEXICAL_WEIGHT}) · semantic + {@link LEXICAL_WEIGHT} · min(semantic, lexical);
 * - *length factor* = min(1, content words / {@link MIN_CONTENT_WORDS}), as before;
 * - an answer that stuffs keywords or restates the question (`answer-patterns.ts`) is capped at
 *   {@link PATTERN_CAP}, whatever its similarity;
 * - relevance = 100 · min(raw · length factor, cap), one decimal; 0 for an empty answer.
 *
 * The floor and ceiling are calibrated on the project's evaluation set
 * (test/fixtures/answer-relevance-eval.json, see its test for the figures), not taken from literature.
 */
import { detectAnswerPatterns, type AnswerPatterns } from './answer-patterns';
import { MIN_CONTENT_WORDS, type LexicalRelevanceMeasure } from './lexical-relevance';
import { clamp01, toScore } from './numeric';
import type { TextFeatures } from './text-features';

export { MIN_CONTENT_WORDS } from './lexical-relevance';

/** Cosine similarities mapped to semantic relevance 0 (floor) and 1 (ceiling). */
export const SIMILARITY_SCALE = { floor: 0.2, ceiling: 0.45 } as const;
/** How far below the question itself a category's reference point counts (cosine). */
export const REFERENCE_MARGIN = 0.05;
/** Weight of the lexical signal, which can only confirm the semantic one (0..1). */
export const LEXICAL_WEIGHT = 0.15;
/** Highest relevance (0..1) of an answer that stuffs keywords or restates the question. */
export const PATTERN_CAP = 0.25;
/** Semantic relevance below which a full-length answer is said to be about something else (0..1). */
export const OFF_TOPIC_BELOW = 0.2;

/** Relevance with the values that produced it. */
export interface RelevanceMeasure {
  /** Relevance, 0..100 (one decimal). */
  readonly score: number;
  /** The highest cosine similarity of the question's and a passage's embeddings, -1..1. */
  readonly similarity: number;
  /** Similarity on the calibrated scale, 0..1. */
  readonly semantic: number;
  /** The lexical measure it was checked against. */
  readonly lexical: LexicalRelevanceMeasure;
  /** Keyword stuffing and restating the question. */
  readonly patterns: AnswerPatterns;
  /** min(1, content words / MIN_CONTENT_WORDS). */
  readonly lengthFactor: number;
  /** True when an answer of full length, neither stuffed nor restating, is about another subject (semantic < OFF_TOPIC_BELOW). */
  readonly offTopic: boolean;
}

/** Similarity on the calibrated scale, 0..1 (see {@link SIMILARITY_SCALE}). */
export function semanticScale(similarity: number): number {
  return clamp01((similarity - SIMILARITY_SCALE.floor) / (SIMILARITY_SCALE.ceiling - SIMILARITY_SCALE.floor));
}

/**
 * Measures relevance (see the module definition).
 * @param similarities `similarity`: the highest cosine of the question's and a passage's embeddings
 *   (the question's topic words left out of the passages); `asWritten`: the cosine of the question's
 *   and the whole answer's as written, for the restatement check, undefined for an answer too long
 *   to be one; both -1..1.
 * @param lexical the lexical measure of the same pair.
 */
export function measureRelevance(
  question: TextFeatures,
  answer: TextFeatures,
  similarities: { readonly similarity: number; readonly asWritten: number | undefined },
  lexical: LexicalRelevanceMeasure,
): RelevanceMeasure {
  const { similarity } = similarities;
  const semantic = semanticScale(similarity);
  const lexicalUnit = lexical.score / 100;
  const raw = (1 - LEXICAL_WEIGHT) * semantic + LEXICAL_WEIGHT * Math.min(semantic, lexicalUnit);
  const lengthFactor = clamp01(answer.contentLemmas.length / MIN_CONTENT_WORDS);
  const patterns = detectAnswerPatterns(question, answer, similarities.asWritten);
  const cap = patterns.keywordStuffing || patterns.restatesQuestion ? PATTERN_CAP : 1;
  return {
    score: answer.wordCount === 0 ? 0 : toScore(Math.min(raw * lengthFactor, cap)),
    similarity,
    semantic,
    lexical,
    patterns,
    lengthFactor,
    // A stuffed or restated answer is told that instead: what is left of it is about nothing at all.
    offTopic: cap === 1 && lengthFactor === 1 && semantic < OFF_TOPIC_BELOW,
  };
}
