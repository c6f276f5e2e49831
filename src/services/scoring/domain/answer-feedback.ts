/**
 * Deterministic one/two-sentence feedback for an analyzed answer, chosen from templates by
 * thresholds on the measures (never random, never model-generated).
 *
 * Form: `<relevance label> and <depth label>` followed by `; consider <tip>[ and <tip>].` when any
 * tip applies, `, and clearly delivered.` when none applies and clarity ≥ 70, `.` otherwise.
 * - relevance label: "Restates the question" or "Repeats key terms" for those patterns
 *   (`answer-patterns.ts`), else ≥ 70 "Relevant", ≥ 40 "Partly relevant", else "Mostly off-topic";
 * - depth label: ≥ 70 "specific", ≥ 40 "somewhat general", else "lacking detail";
 * - tips, at most two, in this priority order ({@link FEEDBACK_THRESHOLDS}):
 *   1. the answer restates the question (`answer-patterns.ts`) → "answering the question directly
 *      rather than restating it";
 *   2. keyword stuffing → "explaining how and why in full sentences rather than repeating key terms";
 *   3. a full-length answer about another subject (`RelevanceMeasure.offTopic`) → "answering the
 *      question that was asked: this answer is about something else";
 *   4. fewer than 10 content words → "giving a fuller answer";
 *   5. filler ratio > 5 % → "using fewer filler words ('um', 'like')" (most frequent first);
 *   6. depth < 40 → "adding specifics such as numbers, tools or a concrete example";
 *   7. mean sentence length > 20 words → "using shorter sentences";
 *   8. repetition rate > 5 % → "avoiding repetition";
 *   9. mean sentence length < 8 words → "connecting ideas into fuller sentences";
 *   10. depth < 70 → "backing claims with a measured result or an example".
 * No tip asks for the question's words: relevance is judged on meaning (`relevance.ts`).
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

function relevanceLabel(relevance: RelevanceMeasure): string {
  if (relevance.patterns.restatesQuestion) return 'Restates the question';
  if (relevance.patterns.keywordStuffing) return 'Repeats key terms';
  return label(relevance.score, 'Relevant', 'Partly relevant', 'Mostly off-topic');
}

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
  if (relevance.patterns.restatesQuestion) tips.push('answering the question directly rather than restating it');
  if (relevance.patterns.keywordStuffing) tips.push('explaining how and why in full sentences rather than repeating key terms');
  if (relevance.offTopic) tips.push('answering the question that was asked: this answer is about something else');
  if (depth.contentWordCount < MIN_CONTENT_WORDS) tips.push('giving a fuller answer');
  if (clarity.fillerRatio > t.fillerRatio) {
    tips.push(`using fewer filler words (${topFillers(input.fillers, 2).map(quote).join(', ')})`);
  }
  if (depth.score < t.medium) tips.push('adding specifics such as numbers, tools or a concrete example');
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
  const summary = `${relevanceLabel(input.relevance)} and ${label(input.depth.score, 'specific', 'somewhat general', 'lacking detail')}`;
  const tips = feedbackTips(input).slice(0, 2);
  if (tips.length > 0) return `${summary}; consider ${tips.join(' and ')}.`;
  if (input.clarity.score >= FEEDBACK_THRESHOLDS.high) return `${summary}, and clearly delivered.`;
  return `${summary}.`;
}
