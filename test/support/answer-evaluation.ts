/**
 * The project's answer-relevance evaluation set (test/fixtures/answer-relevance-eval.json: 14
 * questions, each with a good, weak, off-topic, keyword-stuffed, restating and empty answer) and the
 * two figures scored on it, one definition for the analysis's test
 * (test/unit/scoring/relevance-evaluation.test.ts) and the LLM judge's evaluation
 * (scripts/eval/judge-local.ts):
 * - **ordering accuracy**: of the pairs a question's answers must order (ORDER), the share ordered
 *   right by the answer's technical score (relevance and depth as the score card weighs them);
 * - **relevance separation**: of the pairs (on-topic answer: good or weak; any other answer of the
 *   same question), the share where the on-topic one has the higher relevance.
 * An answer without scores (a judge's missing verdict) loses every pair it is in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ANSWER_TECHNICAL_WEIGHTS } from '../../src/services/scoring/domain/answer-metrics';

export const LABELS = ['good', 'weak', 'off_topic', 'stuffed', 'paraphrase', 'empty'] as const;
export type Label = (typeof LABELS)[number];

export interface EvaluationSet {
  readonly questions: readonly {
    readonly id: string;
    readonly category: string;
    readonly question: string;
    readonly answers: Readonly<Record<Label, string>>;
  }[];
}

/** The evaluation set, as the fixture holds it. */
export function loadEvaluationSet(): EvaluationSet {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/answer-relevance-eval.json'), 'utf8')) as EvaluationSet;
}

/** Pairs [higher, lower] that a question's answers must order. */
export const ORDER: readonly (readonly [Label, Label])[] = [
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

/** What a measure gave one answer, 0..100 each. */
export interface AnswerScores {
  readonly relevance: number;
  readonly depth: number;
}

/** The answer's technical score, as the score card weighs relevance and depth (answer-metrics.ts). */
export const technicalScore = (s: AnswerScores): number => ANSWER_TECHNICAL_WEIGHTS.relevance * s.relevance + ANSWER_TECHNICAL_WEIGHTS.depth * s.depth;

export interface PairFigures {
  /** Shares 0..1. */
  readonly ordering: number;
  readonly separation: number;
  readonly orderedPairs: number;
  readonly orderPairs: number;
  readonly separatedPairs: number;
  readonly separationPairs: number;
  /** `<question>: <higher> <score> <= <lower> <score>` for each pair ordered wrong. */
  readonly misordered: readonly string[];
}

/** The two figures over the questions' scores (see the module). */
export function pairFigures(results: readonly { readonly id: string; readonly scores: Readonly<Record<Label, AnswerScores | undefined>> }[]): PairFigures {
  let orderedPairs = 0;
  let separatedPairs = 0;
  let separationPairs = 0;
  const misordered: string[] = [];
  const show = (s: AnswerScores | undefined) => (s === undefined ? 'none' : technicalScore(s).toFixed(1));
  for (const { id, scores } of results) {
    for (const [high, low] of ORDER) {
      const h = scores[high];
      const l = scores[low];
      if (h !== undefined && l !== undefined && technicalScore(h) > technicalScore(l)) orderedPairs += 1;
      else misordered.push(`${id}: ${high} ${show(h)} <= ${low} ${show(l)}`);
    }
    for (const onTopic of ['good', 'weak'] as const) {
      for (const other of ['off_topic', 'stuffed', 'paraphrase', 'empty'] as const) {
        separationPairs += 1;
        const on = scores[onTopic];
        const off = scores[other];
        if (on !== undefined && off !== undefined && on.relevance > off.relevance) separatedPairs += 1;
      }
    }
  }
  const orderPairs = results.length * ORDER.length;
  return {
    ordering: orderPairs === 0 ? 0 : orderedPairs / orderPairs,
    separation: separationPairs === 0 ? 0 : separatedPairs / separationPairs,
    orderedPairs,
    orderPairs,
    separatedPairs,
    separationPairs,
    misordered,
  };
}
