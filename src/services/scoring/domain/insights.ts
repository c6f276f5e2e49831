/**
 * Deterministic, data-backed insights for a session. Each rule below fires on the stated condition
 * and cites the numbers behind it. Insights are listed by category (technical, communication,
 * emotion, engagement) and, within a category, in rule order. `impact` is in −1..1 (two decimals):
 * positive for a strength, negative for a weakness, 0 for information; its magnitude is the share
 * named in the rule. `evidence` states the counts each rests on, one fact a line.
 *
 * technical
 * - T1 unanswered: questions without an answer (missing, or empty transcript) > 0 →
 *   impact −(unanswered / questions).
 * - T2 off-topic: answered questions with relevance < 40 → impact −(count / answered).
 * - T3 shallow: answered questions with depth < 40 → impact −(count / answered).
 * - T4 strongest answer: best answer-level technical score ≥ 70 (first such on ties) →
 *   impact +(1 / questions), its share of the technical score.
 * communication
 * - C1 speaking rate: mean words per minute over answers with a measurable rate, compared with the
 *   120–160 wpm band → impact +(answers within / rated) if the mean is within, else −(answers outside / rated).
 * - C2 answer length: mean words over answered questions vs {@link EXPECTED_ANSWER_WORDS}; below 80 %
 *   → impact −(shortfall share); above 200 % → impact −0.25 (informational nudge to be concise).
 * - C3 fillers: filler words / all words ≥ 5 % → impact −min(1, ratio / 0.10); < 2 % (with ≥ 50 words)
 *   → impact +(1 − ratio / 0.10).
 * emotion
 * - E1 no frames: no emotion samples → impact 0, states that the emotion score is 0 and excluded.
 * - E2 presence only: faces but no classified expression → impact 0.
 * - E3 expression balance: negative confidence-weighted share ≥ 30 % → impact −share; else
 *   impact +(positive-or-neutral share).
 * engagement
 * - G1 face presence: some frames without a face → impact −(no-face frames / frames); all frames
 *   with a face → impact +1.
 */
import type { AnswerMetrics } from './answer-metrics';
import type { EmotionScore } from './emotion-score';
import { EMOTION_VALENCE, FER_LABELS } from './emotion-stats';
import { mean } from './numeric';
import { topFillers } from './answer-feedback';
import type { Insight, InsightCategory } from './score-types';
import type { ScoreWeights } from './score-weights';
import { rateBandPosition, SPEAKING_RATE_BAND } from './speaking-rate';

/**
 * Expected words per answer: about one minute of speech at ~150 wpm (common interview guidance is
 * to answer in one to two minutes).
 */
export const EXPECTED_ANSWER_WORDS = 150;
/** Relevance/depth below this (0..100) marks an answer as off-topic/shallow. */
export const LOW_SCORE_THRESHOLD = 40;
/** Answer-level technical score at or above which the best answer is highlighted. */
export const STRONG_ANSWER_THRESHOLD = 70;

/** Input of {@link buildInsights}. */
export interface InsightInput {
  readonly metrics: readonly AnswerMetrics[];
  /** max(totalQuestions, answers) — the denominator of the technical score. */
  readonly questionCount: number;
  readonly emotion: EmotionScore;
  readonly weights: ScoreWeights;
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;
/** Percentage with up to one decimal, no trailing zero (0.625 → "62.5%", 0.5 → "50%"). */
const pctPrecise = (share: number): string => `${Math.round(share * 1000) / 10}%`;
const impactOf = (value: number): number => Math.round(Math.max(-1, Math.min(1, value)) * 100) / 100;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

function technicalInsights(input: InsightInput): Insight[] {
  const out: Insight[] = [];
  const answered = input.metrics.filter((m) => m.wordCount > 0);
  const unanswered = input.questionCount - answered.length;
  const add = (description: string, impact: number, evidence: string[]): void => {
    out.push({ category: 'technical', description, impact: impactOf(impact), evidence });
  };
  if (unanswered > 0 && input.questionCount > 0) {
    add(
      `${unanswered} of ${plural(input.questionCount, 'question was', 'questions were')} not answered; ` + `each counts as 0 in the technical score.`,
      -unanswered / input.questionCount,
      [`${unanswered} of ${plural(input.questionCount, 'question', 'questions')} without an answer`],
    );
  }
  if (answered.length > 0) {
    const offTopic = answered.filter((m) => m.answer.analysis.relevanceScore < LOW_SCORE_THRESHOLD).length;
    if (offTopic > 0) {
      add(
        `${offTopic} of ${plural(answered.length, 'answer was', 'answers were')} mostly off-topic ` + `(relevance below ${LOW_SCORE_THRESHOLD}).`,
        -offTopic / answered.length,
        [`${offTopic} of ${plural(answered.length, 'answer', 'answers')} with relevance below ${LOW_SCORE_THRESHOLD}`],
      );
    }
    const shallow = answered.filter((m) => m.answer.analysis.depthScore < LOW_SCORE_THRESHOLD).length;
    if (shallow > 0) {
      add(
        `${shallow} of ${plural(answered.length, 'answer', 'answers')} lacked specifics such as numbers, ` +
          `tools or examples (depth below ${LOW_SCORE_THRESHOLD}).`,
        -shallow / answered.length,
        [`${shallow} of ${plural(answered.length, 'answer', 'answers')} with depth below ${LOW_SCORE_THRESHOLD}`],
      );
    }
    let best: AnswerMetrics | undefined;
    for (const m of answered) if (best === undefined || m.technical > best.technical) best = m;
    if (best !== undefined && best.technical >= STRONG_ANSWER_THRESHOLD) {
      add(`Strongest answer: "${truncate(best.answer.question, 60)}" (technical ${best.technical.toFixed(1)}).`, 1 / input.questionCount, [
        `technical ${best.technical.toFixed(1)} (relevance ${best.answer.analysis.relevanceScore.toFixed(1)}, depth ${best.answer.analysis.depthScore.toFixed(1)}), ` +
          `at or above ${STRONG_ANSWER_THRESHOLD}`,
      ]);
    }
  }
  return out;
}

function communicationInsights(input: InsightInput): Insight[] {
  const out: Insight[] = [];
  const add = (description: string, impact: number, evidence: string[]): void => {
    out.push({ category: 'communication', description, impact: impactOf(impact), evidence });
  };
  const rates = input.metrics.map((m) => m.wordsPerMinute).filter((rate): rate is number => rate !== null);
  if (rates.length > 0) {
    const meanRate = mean(rates);
    const within = rates.filter((r) => rateBandPosition(r) === 'within').length;
    const band = `${SPEAKING_RATE_BAND.low}–${SPEAKING_RATE_BAND.high}`;
    const position = rateBandPosition(meanRate);
    const evidence = [
      `mean ${Math.round(meanRate)} words per minute over ${plural(rates.length, 'answer', 'answers')} with a measurable rate`,
      `${within} of ${plural(rates.length, 'answer', 'answers')} within ${band} wpm`,
    ];
    if (position === 'within') {
      add(
        `Spoke at ${Math.round(meanRate)} words per minute on average, within the ${band} wpm conversational band ` +
          `(${within} of ${plural(rates.length, 'answer', 'answers')} within it).`,
        within / rates.length,
        evidence,
      );
    } else {
      add(
        `Spoke at ${Math.round(meanRate)} words per minute on average, ${position === 'fast' ? 'faster' : 'slower'} ` +
          `than the ${band} wpm conversational band (${rates.length - within} of ` +
          `${plural(rates.length, 'answer', 'answers')} outside it).`,
        -(rates.length - within) / rates.length,
        evidence,
      );
    }
  }
  const answered = input.metrics.filter((m) => m.wordCount > 0);
  if (answered.length > 0) {
    const meanWords = answered.reduce((a, m) => a + m.wordCount, 0) / answered.length;
    const ratio = meanWords / EXPECTED_ANSWER_WORDS;
    const evidence = [`mean ${Math.round(meanWords)} words over ${plural(answered.length, 'answer', 'answers')}, against ~${EXPECTED_ANSWER_WORDS} expected`];
    if (ratio < 0.8) {
      add(
        `Answers averaged ${Math.round(meanWords)} words, ${pct(1 - ratio)} shorter than the ~${EXPECTED_ANSWER_WORDS} ` +
          `words (about one minute of speech) expected.`,
        -(1 - ratio),
        evidence,
      );
    } else if (ratio > 2) {
      add(
        `Answers averaged ${Math.round(meanWords)} words, ${ratio.toFixed(1)}× the ~${EXPECTED_ANSWER_WORDS} words ` +
          `(about one minute of speech) expected; more concise answers are easier to follow.`,
        -0.25,
        evidence,
      );
    }
  }
  const totalWords = input.metrics.reduce((a, m) => a + m.wordCount, 0);
  const fillerWords = input.metrics.reduce((a, m) => a + m.fillerWordCount, 0);
  if (totalWords > 0) {
    const ratio = fillerWords / totalWords;
    const evidence = [`${fillerWords} filler words of ${totalWords} words`];
    if (ratio >= 0.05) {
      const fillers = input.metrics.flatMap((m) => [...m.fillers]);
      const counts = new Map<string, number>();
      for (const f of fillers) counts.set(f.phrase, (counts.get(f.phrase) ?? 0) + 1);
      const top = topFillers(fillers, 3).map((p) => `'${p}' ×${counts.get(p) ?? 0}`);
      add(`Filler words made up ${pct(ratio)} of all words (most frequent: ${top.join(', ')}).`, -ratio / 0.1, evidence);
    } else if (ratio < 0.02 && totalWords >= 50) {
      add(`Few filler words: ${pct(ratio)} of all words.`, 1 - ratio / 0.1, evidence);
    }
  }
  return out;
}

function emotionInsights(input: InsightInput): Insight[] {
  const { emotion, weights } = input;
  const stats = emotion.stats;
  const add = (description: string, impact: number, evidence: string[]): Insight => ({
    category: 'emotion',
    description,
    impact: impactOf(impact),
    evidence,
  });
  const classified = `${stats.classifiedFrameCount} of ${plural(stats.sampleCount, 'frame', 'frames')} with a classified expression`;
  if (!emotion.measured) {
    return [
      add(
        'No video frames were analyzed; the emotion score is 0 and is left out of the overall score ' +
          `(weights renormalised to technical ${pctPrecise(weights.technical)}, communication ${pctPrecise(weights.communication)}).`,
        0,
        ['0 video frames analysed'],
      ),
    ];
  }
  if (emotion.presenceOnly) {
    return [
      add(
        `A face was detected in ${stats.faceFrameCount} of ${plural(stats.sampleCount, 'frame', 'frames')} but no ` +
          'expression was classified; the emotion score reflects face presence only.',
        0,
        [`${stats.faceFrameCount} of ${plural(stats.sampleCount, 'frame', 'frames')} with a face`, classified],
      ),
    ];
  }
  const positiveOrNeutral = stats.positiveOrNeutralShare ?? 0;
  const negative = 1 - positiveOrNeutral;
  if (negative >= 0.3) {
    const seen = FER_LABELS.filter((l) => EMOTION_VALENCE[l] === 'negative' && stats.countsByLabel[l] > 0);
    return [
      add(
        `Negative expressions (${seen.join(', ')}) made up ${pct(negative)} of ${stats.classifiedFrameCount} classified ` +
          'frames, weighted by classifier confidence.',
        -negative,
        [classified, `confidence-weighted negative share ${pct(negative)}, at or above 30%`],
      ),
    ];
  }
  return [
    add(
      `Expressions were mostly neutral or positive: ${pct(positiveOrNeutral)} of ${stats.classifiedFrameCount} ` +
        'classified frames, weighted by classifier confidence.',
      positiveOrNeutral,
      [classified, `confidence-weighted positive or neutral share ${pct(positiveOrNeutral)}`],
    ),
  ];
}

function engagementInsights(input: InsightInput): Insight[] {
  const stats = input.emotion.stats;
  if (stats.sampleCount === 0) return [];
  const noFace = stats.sampleCount - stats.faceFrameCount;
  if (noFace > 0) {
    return [
      {
        category: 'engagement',
        description: `No face detected in ${noFace} of ${plural(stats.sampleCount, 'frame', 'frames')} (looked away or out of the camera view).`,
        impact: impactOf(-noFace / stats.sampleCount),
        evidence: [`${stats.faceFrameCount} of ${plural(stats.sampleCount, 'frame', 'frames')} with a face`],
      },
    ];
  }
  return [
    {
      category: 'engagement',
      description: `Face visible in all ${plural(stats.sampleCount, 'frame', 'frames')}.`,
      impact: 1,
      evidence: [`${stats.faceFrameCount} of ${plural(stats.sampleCount, 'frame', 'frames')} with a face`],
    },
  ];
}

/** Builds the insights (see module docs for every rule). Deterministic. */
export function buildInsights(input: InsightInput): Insight[] {
  const byCategory: Record<InsightCategory, Insight[]> = {
    technical: technicalInsights(input),
    communication: communicationInsights(input),
    emotion: emotionInsights(input),
    engagement: engagementInsights(input),
  };
  return [...byCategory.technical, ...byCategory.communication, ...byCategory.emotion, ...byCategory.engagement];
}
