/**
 * The answer analysis against the project's evaluation set (test/fixtures/answer-relevance-eval.json:
 * 14 questions over the bank's categories, each with a good, weak, off-topic, keyword-stuffed,
 * restating and empty-ish answer). Two figures, each for the analysis and for the lexical measure it
 * replaced (the baseline, `lexical-relevance.ts`):
 * - **ordering accuracy**: of the pairs a question's answers must order (good > weak > off-topic;
 *   stuffed, restating and empty below weak; everything below good), the share ordered right by
 *   the answer's technical score (relevance and depth as the score card weighs them);
 * - **relevance separation**: of the pairs (on-topic answer: good or weak; any other answer of the
 *   same question), the share where the on-topic one has the higher relevance.
 * It prints both, and a confusion table of the verdict each answer gets (see `verdict`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { measureAnswer, type AnswerMeasures } from '../../../src/services/scoring/domain/answer-analysis';
import { FEEDBACK_THRESHOLDS } from '../../../src/services/scoring/domain/answer-feedback';
import { ANSWER_TECHNICAL_WEIGHTS } from '../../../src/services/scoring/domain/answer-metrics';
import { testEncoder } from '../../support/text-model';

const LABELS = ['good', 'weak', 'off_topic', 'stuffed', 'paraphrase', 'empty'] as const;
type Label = (typeof LABELS)[number];

interface EvaluationSet {
  readonly questions: readonly {
    readonly id: string;
    readonly category: string;
    readonly question: string;
    readonly answers: Readonly<Record<Label, string>>;
  }[];
}

const SET = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/answer-relevance-eval.json'), 'utf8')) as EvaluationSet;

/** Pairs [higher, lower] that a question's answers must order. */
const ORDER: readonly (readonly [Label, Label])[] = [
  ['good', 'weak'],
  ['good', 'off_topic'],
  ['good', 'stuffed'],
  ['good', 'paraphrase'],
  ['good', 'empty'],
  ['weak', 'off_topic'],
  ['weak', 'stuffed'],
  ['weak', 'paraphrase'],
  ['weak', 'empty'],
];

/** What a measure says of one answer. */
interface Scored {
  readonly relevance: number;
  readonly technical: number;
  readonly verdict: Label;
}

const technical = (relevance: number, depth: number) => ANSWER_TECHNICAL_WEIGHTS.relevance * relevance + ANSWER_TECHNICAL_WEIGHTS.depth * depth;

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
  return {
    analysis: {
      relevance: m.analysis.relevanceScore,
      technical: technical(m.analysis.relevanceScore, m.analysis.depthScore),
      verdict: verdict(m, m.analysis.relevanceScore, true),
    },
    lexical: { relevance: lexical, technical: technical(lexical, m.analysis.depthScore), verdict: verdict(m, lexical, false) },
  };
}

interface Figures {
  readonly ordering: number;
  readonly separation: number;
  readonly confusion: Record<Label, Record<Label, number>>;
  readonly misordered: string[];
}

function figures(results: readonly { id: string; scores: Readonly<Record<Label, Scored>> }[]): Figures {
  let ordered = 0;
  let separated = 0;
  let separations = 0;
  const misordered: string[] = [];
  const confusion = Object.fromEntries(LABELS.map((l) => [l, Object.fromEntries(LABELS.map((p) => [p, 0]))])) as Record<Label, Record<Label, number>>;
  for (const { id, scores } of results) {
    for (const [high, low] of ORDER) {
      if (scores[high].technical > scores[low].technical) ordered += 1;
      else misordered.push(`${id}: ${high} ${scores[high].technical.toFixed(1)} <= ${low} ${scores[low].technical.toFixed(1)}`);
    }
    for (const onTopic of ['good', 'weak'] as const) {
      for (const other of ['off_topic', 'stuffed', 'paraphrase', 'empty'] as const) {
        separations += 1;
        if (scores[onTopic].relevance > scores[other].relevance) separated += 1;
      }
    }
    for (const label of LABELS) confusion[label][scores[label].verdict] += 1;
  }
  return { ordering: ordered / (results.length * ORDER.length), separation: separated / separations, confusion, misordered };
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
