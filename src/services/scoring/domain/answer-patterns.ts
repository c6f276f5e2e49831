/**
 * Two ways an answer can look relevant without answering, which a similarity measure alone rewards:
 * keyword stuffing (the question's terms strung together and repeated) and restating the question.
 * Both texts are close to the question in any embedding space, so they are told apart by what the
 * answer adds to the question, read from its content lemmas (winkNLP, `text-features.ts`).
 *
 * Definitions (content lemmas as in `TextFeatures.contentLemmas`; the question's topic lemmas are
 * its content lemmas minus prompt words such as "tell" and "describe", `vocabulary.ts`):
 * - *question-term density* = share of the answer's content words whose lemma is a question topic
 *   lemma. A natural on-topic answer names the subject now and then (0–0.31 on the evaluation set,
 *   the short ones the most); stuffing repeats it (0.32–0.81).
 * - *distinct ratio* = distinct content lemmas / content words: repetition drives it down.
 * - *new content* = distinct content lemmas of the answer that the question does not contain: what
 *   the answer adds.
 * - **restating the question**: at most {@link RESTATEMENT_MAX_CONTENT_WORDS} content words, a
 *   similarity of the answer as written to the question ≥ {@link PARAPHRASE.similarity} while the
 *   answer adds fewer than {@link PARAPHRASE.newContent} new content lemmas and hardly repeats
 *   itself (distinct ratio > {@link PARAPHRASE.distinctRatio});
 * - **keyword stuffing**, otherwise: at least {@link STUFFING.minContentWords} content words,
 *   question-term density ≥ {@link STUFFING.density} and a distinct ratio ≤ {@link STUFFING.distinctRatio}:
 *   the same few terms again and again.
 *
 * The thresholds are calibrated on the project's evaluation set (test/fixtures/answer-relevance-eval.json),
 * not taken from literature.
 */
import type { TextFeatures } from './text-features';
import { questionTopicLemmas } from './lexical-relevance';

/** Thresholds of keyword stuffing (counts in content words, ratios 0..1). */
export const STUFFING = { minContentWords: 8, density: 0.25, distinctRatio: 0.6 } as const;
/** Content words above which an answer is never taken for the question restated (it says too much). */
export const RESTATEMENT_MAX_CONTENT_WORDS = 30;
/** Thresholds of restating the question (cosine similarity, count of distinct lemmas, ratio 0..1). */
export const PARAPHRASE = { similarity: 0.6, newContent: 8, distinctRatio: 0.6 } as const;

/** The pattern signals of one answer. */
export interface AnswerPatterns {
  /** Share of the answer's content words that are question topic lemmas, 0..1. */
  readonly questionTermDensity: number;
  /** Distinct content lemmas / content words, 0..1 (1 for an answer without content words). */
  readonly distinctRatio: number;
  /** Distinct content lemmas of the answer absent from the question. */
  readonly newContentLemmas: number;
  readonly keywordStuffing: boolean;
  readonly restatesQuestion: boolean;
}

/**
 * Reads the patterns of `answer` against `question`.
 * @param questionSimilarity cosine similarity of the two texts' embeddings as written, -1..1;
 *   undefined when the answer has more than RESTATEMENT_MAX_CONTENT_WORDS content words (never a restatement).
 */
export function detectAnswerPatterns(question: TextFeatures, answer: TextFeatures, questionSimilarity: number | undefined): AnswerPatterns {
  const questionLemmas = new Set(question.contentLemmas);
  const topics = new Set(questionTopicLemmas(question));
  const words = answer.contentLemmas;
  const distinct = new Set(words);
  const onTopic = words.filter((l) => topics.has(l)).length;
  const questionTermDensity = words.length === 0 ? 0 : onTopic / words.length;
  const distinctRatio = words.length === 0 ? 1 : distinct.size / words.length;
  const newContentLemmas = [...distinct].filter((l) => !questionLemmas.has(l)).length;
  const restatesQuestion =
    words.length <= RESTATEMENT_MAX_CONTENT_WORDS &&
    questionSimilarity !== undefined &&
    questionSimilarity >= PARAPHRASE.similarity &&
    newContentLemmas < PARAPHRASE.newContent &&
    distinctRatio > PARAPHRASE.distinctRatio;
  const keywordStuffing =
    !restatesQuestion && words.length >= STUFFING.minContentWords && questionTermDensity >= STUFFING.density && distinctRatio <= STUFFING.distinctRatio;
  return { questionTermDensity, distinctRatio, newContentLemmas, keywordStuffing, restatesQuestion };
}
