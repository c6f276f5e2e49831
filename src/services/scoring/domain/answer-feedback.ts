/**
 * Deterministic one/two-sentence feedback for an analyzed answer, chosen from templates by
 * thresholds on the measures (never random, never model-generated).
 *
 * Form: `<relevance label> and <depth label>` followed by `; consider <tip>[ and <tip>].` when any
 * tip applies, `, and clearly delivered.` when none applies and clarity ≥ 70, `.` otherwise.
 * - relevance label: ≥ 70 "Relevant", ≥ 40 "Partly relevant", else "Mostly off-topic";
 * - depth label: ≥ 70 "specific", ≥ 40 "somewhat general", else "lacking detail";
 * - tips, at most two, in this priority order ({@link FEEDBACK_THRESHOLDS}):
 *   1. fewer than 10 content words → "giving a fuller answer";
 *   2. relevance < 70 with question terms missing → "addressing the question's key terms ('a', 'b')";
 *   3. depth < 40 → "adding specifics such as numbers, tools or a concrete example";
 *   4. filler ratio > 5 % → "using fewer filler words ('um', 'like')" (most frequent first);
 *   5. mean sentence length > 20 words → "using shorter sentences";
 *   6. repetition rate > 5 % → "avoiding repetition";
 *   7. mean sentence length < 8 words → "connecting ideas into fuller sentences";
 *   8. depth < 70 → "backing claims with a measured result or an example".
 * An empty answer gets "No answer was given."
 */
import type { ClarityMeasure } from './clarity';
import type { DepthMeasure } from './depth';
import type { FillerMatch } from './filler-words';
import { compareStrings } from './numeric';
import { MIN_CONTENT_WORDS, type RelevanceMeasure } from './relevance';

/** Thresholds used to pick labels and tips (scores 0..100, ratios 0..1, lengths in words). */
export const FEEDBACK_THRESHOLDS = {
  high: 70,
  medium: 40,
  fillerRatio: 0.05,
  repetitionRate: 0.05,
  longSentence: 20,
  shortSentence: 8,
} as const;

/** Feedback text for an empty answer. */
export const NO_ANSWER_FEEDBACK = 'No answer was given.';

/** Everything the feedback templates look at. */
export interface FeedbackInput {
  readonly wordCount: number;
  readonly relevance: RelevanceMeasure;
  readonly clarity: ClarityMeasure;
  readonly depth: DepthMeasure;
  readonly fillers: readonly FillerMatch[];
}

function label(score: number, high: string, medium: string, low: string): string {
  if (score >= FEEDBACK_THRESHOLDS.high) return high;
  if (score >= FEEDBACK_THRESHOLDS.medium) return medium;
  return low;
}

const quote = (s: string): string => `'${s}'`;

/** Most frequent filler phrases, frequency desc then alphabetical. */
export function topFillers(fillers: readonly FillerMatch[], limit: number): string[] {
  const counts = new Map<string, number>();
  for (const f of fillers) counts.set(f.phrase, (counts.get(f.phrase) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
    .slice(0, limit)
    .map(([phrase]) => phrase);
}

/** Tips that apply, in priority order (all of them; the feedback uses the first two). */
export function feedbackTips(input: FeedbackInput): string[] {
  const { relevance, clarity, depth } = input;
  const t = FEEDBACK_THRESHOLDS;
  const tips: string[] = [];
  if (depth.contentWordCount < MIN_CONTENT_WORDS) tips.push('giving a fuller answer');
  if (relevance.score < t.high && relevance.missingTerms.length > 0) {
    tips.push(`addressing the question's key terms (${relevance.missingTerms.slice(0, 3).map(quote).join(', ')})`);
  }
  if (depth.score < t.medium) tips.push('adding specifics such as numbers, tools or a concrete example');
  if (clarity.fillerRatio > t.fillerRatio) {
    tips.push(`using fewer filler words (${topFillers(input.fillers, 2).map(quote).join(', ')})`);
  }
  if (clarity.meanSentenceLength > t.longSentence) tips.push('using shorter sentences');
  if (clarity.repetitionRate > t.repetitionRate) tips.push('avoiding repetition');
  if (clarity.meanSentenceLength > 0 && clarity.meanSentenceLength < t.shortSentence) {
    tips.push('connecting ideas into fuller sentences');
  }
  if (depth.score < t.high && depth.score >= t.medium) tips.push('backing claims with a measured result or an example');
  return tips;
}

/** Builds the feedback text (see module docs). Deterministic. */
export function composeAnswerFeedback(input: FeedbackInput): string {
  if (input.wordCount === 0) return NO_ANSWER_FEEDBACK;
  const summary = `${label(input.relevance.score, 'Relevant', 'Partly relevant', 'Mostly off-topic')} and ${label(
    input.depth.score,
    'specific',
    'somewhat general',
    'lacking detail',
  )}`;
  const tips = feedbackTips(input).slice(0, 2);
  if (tips.length > 0) return `${summary}; consider ${tips.join(' and ')}.`;
  if (input.clarity.score >= FEEDBACK_THRESHOLDS.high) return `${summary}, and clearly delivered.`;
  return `${summary}.`;
}
