import { provided } from '../../../src/platform/service/provisioned';
import { AnswerAnalyzer, type AnswerJudge } from '../../../src/services/scoring/answer-analyzer';
import { analyzeAnswer, InvalidAnswerError } from '../../../src/services/scoring/domain';
import type { AnswerInput } from '../../../src/services/scoring/domain/answer-analysis';
import type { SentenceEmbedder } from '../../../src/services/scoring/domain/semantic';
import type { JudgeVerdict } from '../../../src/services/scoring/judge/judge-verdict';
import { testEncoder } from '../../support/text-model';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, HASH_MAP_RAMBLING } from './transcripts';

const INPUT: AnswerInput = { question: HASH_MAP_QUESTION, answer: HASH_MAP_GOOD, category: 'technical' };
const VERDICT: JudgeVerdict = {
  relevance: 88.5,
  depth: 61,
  keywords: ['bucket', 'probing'],
  feedback: 'Covers chaining and probing; say what resizing costs.',
  paraphrase: false,
  keywordStuffing: false,
  offTopic: false,
};

/** A judge that answers `verdict` and counts what it was asked. */
function judging(verdict: JudgeVerdict | undefined): AnswerJudge & { asked: AnswerInput[] } {
  const asked: AnswerInput[] = [];
  return {
    asked,
    judge: (input) => {
      asked.push(input);
      return Promise.resolve(verdict);
    },
  };
}

/** The real model, counting its calls. */
async function counting(): Promise<SentenceEmbedder & { calls: number }> {
  const encoder = await testEncoder();
  const embedder = {
    calls: 0,
    encode: (texts: readonly string[]) => {
      embedder.calls += 1;
      return encoder.encode(texts);
    },
  };
  return embedder;
}

describe('AnswerAnalyzer', () => {
  it('without a judge, gives the offline analysis', async () => {
    const analyzer = new AnswerAnalyzer(provided(await testEncoder()), undefined);
    expect(await analyzer.analyze(INPUT)).toEqual(await analyzeAnswer(INPUT, await testEncoder()));
  });

  it("takes a judge's relevance, depth, keywords and feedback, measures clarity itself, and leaves the model idle", async () => {
    const embedder = await counting();
    const judge = judging(VERDICT);
    const offline = await analyzeAnswer(INPUT, await testEncoder());
    const analysis = await new AnswerAnalyzer(provided(embedder), judge).analyze(INPUT);
    expect(analysis).toEqual({
      relevanceScore: 88.5,
      clarityScore: offline.clarityScore,
      depthScore: 61,
      keywords: ['bucket', 'probing'],
      feedback: VERDICT.feedback,
    });
    expect(judge.asked).toEqual([INPUT]);
    expect(embedder.calls).toBe(0);
  });

  it('falls back to the offline analysis when the judge gives no verdict', async () => {
    const judge = judging(undefined);
    const analysis = await new AnswerAnalyzer(provided(await testEncoder()), judge).analyze({ ...INPUT, answer: HASH_MAP_RAMBLING });
    expect(analysis).toEqual(await analyzeAnswer({ ...INPUT, answer: HASH_MAP_RAMBLING }, await testEncoder()));
    expect(judge.asked).toHaveLength(1);
  });

  it('asks no judge for an empty answer, and refuses a blank question before asking one', async () => {
    const judge = judging(VERDICT);
    const analyzer = new AnswerAnalyzer(provided(await testEncoder()), judge);
    expect(await analyzer.analyze({ ...INPUT, answer: ' ... ' })).toEqual({
      relevanceScore: 0,
      clarityScore: 0,
      depthScore: 0,
      keywords: [],
      feedback: 'No answer was given.',
    });
    await expect(analyzer.analyze({ ...INPUT, question: '  ' })).rejects.toBeInstanceOf(InvalidAnswerError);
    expect(judge.asked).toEqual([]);
  });

  it('analyses each input once: prepare keeps the analyses for analyze, and leaves errors to it', async () => {
    const embedder = await counting();
    const analyzer = new AnswerAnalyzer(provided(embedder), undefined);
    const blank = { ...INPUT, question: '' };
    await analyzer.prepare([INPUT, blank]);
    const calls = embedder.calls;
    expect(await analyzer.analyze(INPUT)).toEqual(await analyzeAnswer(INPUT, await testEncoder()));
    expect(embedder.calls).toBe(calls);
    await expect(analyzer.analyze(blank)).rejects.toBeInstanceOf(InvalidAnswerError);
  });
});
