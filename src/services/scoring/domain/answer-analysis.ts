/**
 * Analysis of one interview answer: relevance, clarity and depth scores (each 0..100, one decimal),
 * keywords and template feedback. Deterministic for a deterministic embedder: the same input always
 * gives the same output. Words, lemmas and sentences come from winkNLP (`wink-nlp` +
 * `wink-eng-lite-web-model`, loaded once per process); meaning from a sentence-embedding model the
 * caller passes ({@link SentenceEmbedder}; all-MiniLM-L6-v2 in the service).
 *
 * The measures are defined in `relevance.ts` (with `answer-patterns.ts` and `lexical-relevance.ts`),
 * `clarity.ts`, `depth.ts`, `keywords.ts` and `answer-feedback.ts`.
 */
import { BOUNDS } from '../../../platform/contracts/bounds';
import { composeAnswerFeedback, NO_ANSWER_FEEDBACK } from './answer-feedback';
import { measureClarity, type ClarityMeasure } from './clarity';
import { measureDepth, type DepthMeasure } from './depth';
import { InvalidAnswerError } from './errors';
import { keywordCandidates, selectKeywords } from './keywords';
import { measureLexicalRelevance, questionTopicLemmas } from './lexical-relevance';
import { measureRelevance, REFERENCE_MARGIN, type RelevanceMeasure } from './relevance';
import { RESTATEMENT_MAX_CONTENT_WORDS } from './answer-patterns';
import { categoryReferences } from './category-references';
import { bestPassageSimilarity, bestReferenceSimilarity, cosine, embedAnswer, type SentenceEmbedder } from './semantic';
import { extractTextFeatures, sentencesWithout } from './text-features';
import { isObject } from './unchecked';

/** Longest accepted question, in characters (bounds NLP work per call). */
export const MAX_QUESTION_CHARS = 5_000;
/** Longest accepted answer, in characters (≈ 8 000 words, far beyond a spoken interview answer). */
export const MAX_ANSWER_CHARS = BOUNDS.answerChars;

/** Input of {@link analyzeAnswer}. */
export interface AnswerInput {
  /** The interview question; required (non-blank). */
  readonly question: string;
  /** The candidate's answer (e.g. a speech-to-text transcript); may be empty. */
  readonly answer: string;
  /** Question category, e.g. `technical`, `behavioral`, `system-design`; selects the vocabulary. */
  readonly category: string;
}

/** Result of analyzing one answer. */
export interface AnswerAnalysis {
  /** How closely the answer's meaning addresses the question, 0..100 (see `relevance.ts`). */
  readonly relevanceScore: number;
  /** Sentence length, filler and repetition based clarity, 0..100 (see `clarity.ts`). */
  readonly clarityScore: number;
  /** Volume, lexical variety, specifics and distinct on-subject points, 0..100 (see `depth.ts`). */
  readonly depthScore: number;
  /** Up to 8 of the answer's own salient terms (lemmas), most salient first (see `keywords.ts`). */
  readonly keywords: string[];
  /** One or two sentences from fixed templates (see `answer-feedback.ts`). */
  readonly feedback: string;
}

/** {@link AnswerAnalysis} plus the intermediate measures, for callers that need the breakdown. */
export interface AnswerMeasures {
  readonly analysis: AnswerAnalysis;
  readonly relevance: RelevanceMeasure;
  readonly clarity: ClarityMeasure;
  readonly depth: DepthMeasure;
  /** Words in the answer (contraction clitics not counted separately). */
  readonly wordCount: number;
  /** Words of the answer that are fillers. */
  readonly fillerWordCount: number;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidAnswerError(field, `${field} must be a string`);
  return value;
}

/**
 * `input` as the caller really passed it (a JavaScript caller may pass anything), checked as
 * measureAnswer checks it.
 * @throws InvalidAnswerError as measureAnswer documents.
 */
export function validateAnswerInput(input: unknown): AnswerInput {
  if (!isObject(input)) throw new InvalidAnswerError('input', 'input is required');
  const question = requireString(input.question, 'question');
  const answer = requireString(input.answer, 'answer');
  const category = requireString(input.category, 'category');
  if (question.trim() === '') throw new InvalidAnswerError('question', 'question is required');
  if (question.length > MAX_QUESTION_CHARS) {
    throw new InvalidAnswerError('question', `question exceeds ${MAX_QUESTION_CHARS} characters`);
  }
  if (answer.length > MAX_ANSWER_CHARS) {
    throw new InvalidAnswerError('answer', `answer exceeds ${MAX_ANSWER_CHARS} characters`);
  }
  return { question, answer, category };
}

/**
 * Analyses an answer and returns all measures (see {@link analyzeAnswer}).
 * @throws InvalidAnswerError when the question is blank (`field: 'question'`), a field is not a string,
 *   or a text exceeds its maximum length; whatever `embedder` throws when its model fails.
 */
export async function measureAnswer(input: AnswerInput, embedder: SentenceEmbedder): Promise<AnswerMeasures> {
  const { question, answer, category } = validateAnswerInput(input);
  const questionFeatures = extractTextFeatures(question);
  const answerFeatures = extractTextFeatures(answer);
  const candidates = keywordCandidates(questionFeatures, answerFeatures);
  const topics = new Set(questionTopicLemmas(questionFeatures));
  // Only a short answer can be the question restated (answer-patterns.ts): only then is it embedded as written too.
  const short = answerFeatures.contentLemmas.length <= RESTATEMENT_MAX_CONTENT_WORDS;
  const embeddings = await embedAnswer(embedder, {
    question,
    sentences: sentencesWithout(answerFeatures, topics),
    asWritten: short ? answer : undefined,
    references: categoryReferences(category),
    candidates,
  });
  const lexical = measureLexicalRelevance(questionFeatures, answerFeatures, category);
  // The kind of answer the category expects counts, a little below the question itself (relevance.ts).
  const similarity = Math.max(bestPassageSimilarity(embeddings), bestReferenceSimilarity(embeddings) - REFERENCE_MARGIN);
  const asWritten = embeddings.asWritten ? cosine(embeddings.question, embeddings.asWritten) : undefined;
  const relevance = measureRelevance(questionFeatures, answerFeatures, { similarity, asWritten }, lexical);
  const clarity = measureClarity(answerFeatures);
  const depth = measureDepth(answerFeatures, embeddings, relevance.semantic);
  const empty = answerFeatures.wordCount === 0;
  const analysis: AnswerAnalysis = {
    relevanceScore: empty ? 0 : relevance.score,
    clarityScore: empty ? 0 : clarity.score,
    depthScore: empty ? 0 : depth.score,
    keywords: selectKeywords(embeddings),
    feedback: empty
      ? NO_ANSWER_FEEDBACK
      : composeAnswerFeedback({
          wordCount: answerFeatures.wordCount,
          relevance,
          clarity,
          depth,
          fillers: answerFeatures.fillers,
        }),
  };
  return {
    analysis,
    relevance,
    clarity,
    depth,
    wordCount: answerFeatures.wordCount,
    fillerWordCount: answerFeatures.fillerWordCount,
  };
}

/**
 * Analyses one interview answer. Scores are 0..100 with one decimal; an empty (or punctuation-only)
 * answer is valid and yields 0 / 0 / 0, no keywords and the feedback "No answer was given.".
 * @throws InvalidAnswerError `field: 'question'`, message "question is required", for a blank question.
 */
export async function analyzeAnswer(input: AnswerInput, embedder: SentenceEmbedder): Promise<AnswerAnalysis> {
  return (await measureAnswer(input, embedder)).analysis;
}

/**
 * The answer's clarity and word count alone, from winkNLP (no model): what an LLM judge's verdict
 * leaves to measurement. Clarity 0..100, one decimal; 0 for an empty answer.
 */
export function measureDelivery(answer: string): { readonly clarityScore: number; readonly wordCount: number } {
  const features = extractTextFeatures(answer);
  return { clarityScore: features.wordCount === 0 ? 0 : measureClarity(features).score, wordCount: features.wordCount };
}
