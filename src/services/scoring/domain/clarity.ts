/**
 * Clarity of an answer: readable sentence length, few fillers, little repetition.
 *
 * Definition (components in 0..1, score 0..100):
 * - *sentence length* L = mean non-filler words per sentence (winkNLP sentence boundaries).
 *   Component = 1 for L in [{@link SENTENCE_LENGTH_BAND}.low, .high] = [8, 20]; L/8 below 8; falling
 *   linearly from 1 at 20 to 0 at 40 words. The 20-word upper bound follows plain-English guidance
 *   of an average of 15–20 words per sentence (Cutts, *Oxford Guide to Plain English*); the 8-word
 *   lower bound (choppy, fragmentary speech) is our choice for spoken answers.
 * - *fillers*: ratio f = filler words / words (see `filler-words.ts`). Component = max(0, 1 − f / 0.10):
 *   0 at 10 % filler words, i.e. well above the ~6 disfluencies per 100 words of ordinary conversation
 *   (Bortfeld et al., 2001).
 * - *repetition*: rate r = (immediate word repeats such as "I I" + word trigrams that already occurred
 *   earlier in the answer) / non-filler words. Component = max(0, 1 − r / 0.15) (calibration constant,
 *   not from literature).
 * - clarity = 100 · (0.4 · sentence + 0.4 · fillers + 0.2 · repetition), one decimal; 0 for an empty
 *   answer.
 *
 * Limitation: a transcript without punctuation is one long "sentence" and gets a low sentence
 * component; speech-to-text output should keep punctuation.
 */
import { bandScore, clamp01, mean, toScore } from './numeric';
import type { TextFeatures } from './text-features';

/** Target band of mean words per sentence (see module docs for sources). */
export const SENTENCE_LENGTH_BAND = { zeroBelow: 0, low: 8, high: 20, zeroAbove: 40 } as const;
/** Filler-word ratio (0..1) at which the filler component reaches 0. */
export const FILLER_RATIO_AT_ZERO = 0.1;
/** Repetition rate (0..1) at which the repetition component reaches 0. */
export const REPETITION_RATE_AT_ZERO = 0.15;
/** Weights of the clarity components; they sum to 1. */
export const CLARITY_WEIGHTS = { sentenceLength: 0.4, fillers: 0.4, repetition: 0.2 } as const;

/** Clarity score with its inputs. */
export interface ClarityMeasure {
  /** Clarity, 0..100 (one decimal). */
  readonly score: number;
  /** Mean non-filler words per sentence (0 for an empty answer). */
  readonly meanSentenceLength: number;
  /** Filler words / words, 0..1. */
  readonly fillerRatio: number;
  /** Repetition rate as defined above, ≥ 0. */
  readonly repetitionRate: number;
}

/**
 * Counts immediate word repeats plus repeated word trigrams in `words` (lower-case, fillers removed).
 */
export function countRepetitions(words: readonly string[]): number {
  let repeats = 0;
  const seen = new Set<string>();
  for (let i = 0; i < words.length; i += 1) {
    if (i > 0 && words[i] === words[i - 1]) repeats += 1;
    if (i >= 2) {
      const trigram = `${words[i - 2]} ${words[i - 1]} ${words[i]}`;
      if (seen.has(trigram)) repeats += 1;
      else seen.add(trigram);
    }
  }
  return repeats;
}

/** Measures clarity of an answer from its {@link TextFeatures}. */
export function measureClarity(answer: TextFeatures): ClarityMeasure {
  const sentences = answer.sentenceWordCounts;
  if (answer.wordCount === 0 || sentences.length === 0) {
    return {
      score: 0,
      meanSentenceLength: 0,
      fillerRatio: answer.wordCount === 0 ? 0 : answer.fillerWordCount / answer.wordCount,
      repetitionRate: 0,
    };
  }
  const meanSentenceLength = mean(sentences);
  const fillerRatio = answer.fillerWordCount / answer.wordCount;
  const repetitionRate = countRepetitions(answer.fluentWords) / answer.fluentWords.length;

  const sentenceComponent = bandScore(meanSentenceLength, SENTENCE_LENGTH_BAND);
  const fillerComponent = clamp01(1 - fillerRatio / FILLER_RATIO_AT_ZERO);
  const repetitionComponent = clamp01(1 - repetitionRate / REPETITION_RATE_AT_ZERO);
  const unit =
    CLARITY_WEIGHTS.sentenceLength * sentenceComponent + CLARITY_WEIGHTS.fillers * fillerComponent + CLARITY_WEIGHTS.repetition * repetitionComponent;
  return { score: toScore(unit), meanSentenceLength, fillerRatio, repetitionRate };
}
