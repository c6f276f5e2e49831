/**
 * The answer analysis against the project's evaluation set (test/fixtures/answer-relevance-eval.json:
 * 14 questions over the bank's categories, each with a good, weak, off-topic, keyword-stuffed,
 * restating and empty-ish answer): ordering accuracy and relevance separation
 * (test/support/answer-evaluation.ts), each for the analysis and for the lexical measure it replaced
 * (the baseline, `lexical-relevance.ts`). It prints both, and a confusion table of the verdict each
 * answer gets (see `verdict`).
 */
import { measureAnswer, type AnswerMeasures } from '../../../src/services/scoring/domain/answer-analysis';
import { FEEDBACK_THRESHOLDS } from '../../../src/services/scoring/domain/answer-feedback';
import { AnswerScores, Label, LABELS, loadEvaluationSet, pairFigures, PairFigures } from '../../support/answer-evaluation';
import { testEncoder } from '../../support/text-model';

const SET = loadEvaluationSet();

/** What a measure says of one answer. */
interface Scored extends AnswerScores {
  readonly verdict: Label;
}

/** Depth from which an on-topic answer counts as good rather than weak: between the feedback's "somewhat general" (40) and "specific" (70). */
const GOOD_DEPTH = 55;

/**
 * The label the analysis gives an answer: empty below 3 content words; stuffed or restating when it
 * says so; off-topic below the feedback's "Mostly off-topic" line (FEEDBACK_THRESHOLDS.medium); good
 * from GOOD_DEPTH, else weak.
 */
function verdict(m: AnswerMeasures, relevance: number, patterns: boolean): Label {
  if (m.depth.contentWordCount < 3) return 'empty';
  if (patterns && m.relevance.patterns.keywordStuffing) return 'stuffed';
  if (patterns && m.relevance.patterns.restatesQuestion) return 'paraphrase';
  if (relevance < FEEDBACK_THRESHOLDS.medium) return 'off_topic';
  return m.analysis.depthScore >= GOOD_DEPTH ? 'good' : 'weak';
}

/** The new analysis, and the baseline: the lexical relevance (which knows no patterns) with the same depth. */
function score(m: AnswerMeasures): { analysis: Scored; lexical: Scored } {
  const lexical = m.wordCount === 0 ? 0 : m.relevance.lexical.score;
  const depth = m.analysis.depthScore;
  return {
    analysis: { relevance: m.analysis.relevanceScore, depth, verdict: verdict(m, m.analysis.relevanceScore, true) },
    lexical: { relevance: lexical, depth, verdict: verdict(m, lexical, false) },
  };
}

interface Figures extends PairFigures {
  readonly confusion: Record<Label, Record<Label, number>>;
}

function figures(results: readonly { id: string; scores: Readonly<Record<Label, Scored>> }[]): Figures {
  const confusion = Object.fromEntries(LABELS.map((l) => [l, Object.fromEntries(LABELS.map((p) => [p, 0]))])) as Record<Label, Record<Label, number>>;
  for (const { scores } of results) for (const label of LABELS) confusion[label][scores[label].verdict] += 1;
  return { ...pairFigures(results), confusion };
}

function table(name: string, f: Figures): string {
  const head = `${'label \\ verdict'.padEnd(16)}${LABELS.map((l) => l.padStart(11)).join('')}`;
  const rows = LABELS.map((label) => `${label.padEnd(16)}${LABELS.map((p) => String(f.confusion[label][p]).padStart(11)).join('')}`);
  const diagonal = LABELS.reduce((n, l) => n + f.confusion[l][l], 0) / (SET.questions.length * LABELS.length);
  return [
    `${name}: ordering accuracy ${(100 * f.ordering).toFixed(1)} %, relevance separation ${(100 * f.separation).toFixed(1)} %, verdicts right ${(100 * diagonal).toFixed(1)} %`,
    head,
    ...rows,
    ...(f.misordered.length > 0 ? ['misordered:', ...f.misordered.map((m) => `  ${m}`)] : []),
  ].join('\n');
}

describe('answer analysis on the evaluation set (test/fixtures/answer-relevance-eval.json)', () => {
  let analysis: Figures;
  let lexical: Figures;

  beforeAll(async () => {
    const encoder = await testEncoder();
    const perAnalysis: { id: string; scores: Record<Label, Scored> }[] = [];
    const perLexical: { id: string; scores: Record<Label, Scored> }[] = [];
    for (const q of SET.questions) {
      const both = {} as Record<Label, { analysis: Scored; lexical: Scored }>;
      for (const label of LABELS) both[label] = score(await measureAnswer({ question: q.question, answer: q.answers[label], category: q.category }, encoder));
      perAnalysis.push({ id: q.id, scores: Object.fromEntries(LABELS.map((l) => [l, both[l].analysis])) as Record<Label, Scored> });
      perLexical.push({ id: q.id, scores: Object.fromEntries(LABELS.map((l) => [l, both[l].lexical])) as Record<Label, Scored> });
    }
    analysis = figures(perAnalysis);
    lexical = figures(perLexical);
    console.log(`${table('semantic analysis (all-MiniLM-L6-v2)', analysis)}\n\n${table('lexical baseline', lexical)}`);
  }, 120_000);

  it('has 14 questions with all six answers', () => {
    expect(SET.questions).toHaveLength(14);
    for (const q of SET.questions) expect(Object.keys(q.answers).sort()).toEqual([...LABELS].sort());
  });

  it('orders good > weak > off-topic, and stuffed, restating and empty answers below weak', () => {
    expect(analysis.ordering).toBeGreaterThanOrEqual(0.9);
    expect(analysis.ordering).toBeGreaterThan(lexical.ordering + 0.1);
  });

  it('gives on-topic answers more relevance than off-topic, stuffed, restating and empty ones', () => {
    expect(analysis.separation).toBeGreaterThanOrEqual(0.9);
    expect(analysis.separation).toBeGreaterThan(lexical.separation + 0.2);
  });

  it('names every stuffed and restating answer as such, or at least never as good', () => {
    for (const label of ['stuffed', 'paraphrase'] as const) {
      expect(analysis.confusion[label].stuffed + analysis.confusion[label].paraphrase).toBeGreaterThanOrEqual(SET.questions.length - 1);
      expect(analysis.confusion[label].good).toBe(0);
    }
  });
});
