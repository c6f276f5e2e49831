/**
 * Lexical relevance of an answer to its question, from overlap of content lemmas (winkNLP): the
 * measure relevance was before it rested on sentence embeddings (`relevance.ts`). It stays as a
 * minor signal that can confirm, never lift, the semantic measure, and as the baseline the
 * evaluation set (test/fixtures/answer-relevance-eval.json) is scored against.
 *
 * Definition (all intermediate values in 0..1, final score 0..100):
 * - *topic lemmas* T: distinct content lemmas of the question (no stop words, punctuation or
 *   fillers) minus {@link PROMPT_WORDS} ("tell", "describe", "time", "example", …);
 * - *coverage* = Σ credit(t) / |T| over t in T, where credit is 1 when the answer contains t (as a
 *   content lemma or its normal form), {@link RELATED_CREDIT} when it contains one of t's
 *   {@link RELATED_TERMS} only, and 0 otherwise;
 * - *cosine* = winkNLP `similarity.bow.cosine` between the bag (term counts) of the question's topic
 *   lemmas and the bag of the answer's content lemmas, in which a lemma related to a topic t is
 *   counted as t with weight {@link RELATED_CREDIT}; normalised as min(1, cosine / {@link COSINE_SATURATION});
 * - *overlap* = {@link COVERAGE_WEIGHT} · coverage + {@link COSINE_WEIGHT} · normalised cosine;
 * - *vocabulary* = min(1, distinct answer content words in the category vocabulary /
 *   {@link VOCABULARY_SATURATION});
 * - raw = {@link OVERLAP_WEIGHT} · overlap + {@link VOCABULARY_WEIGHT} · vocabulary. When T is empty
 *   (e.g. "Tell me about yourself.") overlap is undefined and raw = vocabulary alone;
 * - *length factor* = min(1, answer content words / {@link MIN_CONTENT_WORDS}), so very short
 *   answers score low;
 * - relevance = 100 · raw · length factor, rounded to one decimal. An empty answer scores 0.
 *
 * Limitation: lexical overlap only sees synonyms listed in `related-terms.ts`; an answer that
 * repeats the question's words scores high even when it is about something else, and an answer in
 * the candidate's own words scores low: why it no longer decides relevance alone.
 */
import similarity from 'wink-nlp/utilities/similarity';
import { clamp01, compareStrings, toScore } from './numeric';
import { relatedTopicOf, RELATED_TERMS } from './related-terms';
import type { TextFeatures } from './text-features';
import { categoryVocabulary, inVocabulary, PROMPT_WORDS } from './vocabulary';

/** Credit (0..1) for a topic covered only through a related term, relative to the exact term. */
export const RELATED_CREDIT = 0.75;
/** Weight of question-term coverage inside the overlap component (0..1). */
export const COVERAGE_WEIGHT = 0.6;
/** Weight of bag-of-lemmas cosine inside the overlap component (0..1). */
export const COSINE_WEIGHT = 0.4;
/**
 * Cosine value treated as full overlap. A short question bag against a long answer bag rarely exceeds
 * ~0.4 even for on-topic answers (the answer has many more terms); 0.35 is calibrated on the
 * software-engineering transcripts in the unit tests, not taken from literature.
 */
export const COSINE_SATURATION = 0.35;
/** Weight of the overlap component in raw relevance. */
export const OVERLAP_WEIGHT = 0.85;
/** Weight of the category-vocabulary component in raw relevance. */
export const VOCABULARY_WEIGHT = 0.15;
/** Distinct category-vocabulary words at which the vocabulary component saturates. */
export const VOCABULARY_SATURATION = 4;
/** Content words at which the length factor reaches 1 (below it relevance is scaled down linearly). */
export const MIN_CONTENT_WORDS = 10;

/** Lexical relevance with the intermediate values that produced it. */
export interface LexicalRelevanceMeasure {
  /** Relevance, 0..100 (one decimal). */
  readonly score: number;
  /** Credited share of question topic lemmas addressed by the answer, 0..1; null when the question has none. */
  readonly coverage: number | null;
  /** winkNLP bag-of-lemmas cosine, 0..1; null when the question has no topic lemmas. */
  readonly cosine: number | null;
  /** Category-vocabulary component, 0..1. */
  readonly vocabulary: number;
  /** Length factor, 0..1. */
  readonly lengthFactor: number;
}

/** Distinct topic lemmas of a question (content lemmas minus prompt words), alphabetical. */
export function questionTopicLemmas(question: TextFeatures): string[] {
  const topics = new Set(question.contentLemmas.filter((l) => !PROMPT_WORDS.has(l)));
  return [...topics].sort(compareStrings);
}

function addTo(bag: Record<string, number>, term: string, weight: number): void {
  bag[term] = (bag[term] ?? 0) + weight;
}

/** Measures the lexical relevance of `answer` to `question` in `category` (see the module definition). */
export function measureLexicalRelevance(question: TextFeatures, answer: TextFeatures, category: string): LexicalRelevanceMeasure {
  const topics = questionTopicLemmas(question);
  const topicSet = new Set(topics);
  const answerForms = new Set<string>();
  const vocabularyHits = new Set<string>();
  const vocabulary = categoryVocabulary(category);
  const answerBag: Record<string, number> = {};
  answer.contentTokenIndices.forEach((index) => {
    const token = answer.tokens[index];
    answerForms.add(token.lemma);
    answerForms.add(token.normal);
    if (inVocabulary(vocabulary, token.lemma, token.normal)) vocabularyHits.add(token.lemma);
    const related = topicSet.has(token.lemma) ? undefined : relatedTopicOf(token.lemma, topics);
    if (related === undefined) addTo(answerBag, token.lemma, 1);
    else addTo(answerBag, related, RELATED_CREDIT);
  });

  const vocabularyComponent = clamp01(vocabularyHits.size / VOCABULARY_SATURATION);
  const lengthFactor = clamp01(answer.contentLemmas.length / MIN_CONTENT_WORDS);
  if (topics.length === 0) {
    return {
      score: toScore(vocabularyComponent * lengthFactor),
      coverage: null,
      cosine: null,
      vocabulary: vocabularyComponent,
      lengthFactor,
    };
  }

  let credit = 0;
  for (const topic of topics) {
    if (answerForms.has(topic)) credit += 1;
    else if ((RELATED_TERMS.get(topic) ?? []).some((r) => answerForms.has(r))) credit += RELATED_CREDIT;
  }
  const coverage = credit / topics.length;
  const questionBag: Record<string, number> = {};
  for (const lemma of question.contentLemmas) if (topicSet.has(lemma)) addTo(questionBag, lemma, 1);
  const cosine = answer.contentLemmas.length === 0 ? 0 : clamp01(similarity.bow.cosine(questionBag, answerBag));
  const overlap = COVERAGE_WEIGHT * coverage + COSINE_WEIGHT * clamp01(cosine / COSINE_SATURATION);
  const raw = OVERLAP_WEIGHT * overlap + VOCABULARY_WEIGHT * vocabularyComponent;
  return {
    score: toScore(raw * lengthFactor),
    coverage,
    cosine,
    vocabulary: vocabularyComponent,
    lengthFactor,
  };
}
