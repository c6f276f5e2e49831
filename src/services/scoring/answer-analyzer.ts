import { LRUCache } from 'lru-cache';
import { Provisioned } from '../../platform/service/provisioned';
import { cacheKey } from './cache-key';
import { measureAnswer, measureDelivery, validateAnswerInput, type AnswerAnalysis, type AnswerInput } from './domain/answer-analysis';
import type { SentenceEmbedder } from './domain/semantic';
import type { JudgeVerdict } from './judge/judge-verdict';

/** What the analyzer asks of an LLM judge (`judge/llm-judge.ts`): a verdict, or undefined when it failed. */
export interface AnswerJudge {
  judge(input: AnswerInput): Promise<JudgeVerdict | undefined>;
}

/** An answer as the events and CalculateScore carry it (its transcript), as the analysis takes it. */
export function answerInput(answer: { readonly question: string; readonly transcript: string; readonly category: string }): AnswerInput {
  return { question: answer.question, answer: answer.transcript, category: answer.category };
}

/** Analyses kept for scoreInterview after `prepare` (a few interviews' answers). */
const PREPARED_ANALYSES = 256;

/**
 * Analyses answers for the scoring service: offline (winkNLP and the sentence-embedding model,
 * `domain/answer-analysis.ts`), or, when an LLM judge is configured, with its relevance, depth,
 * keywords and feedback (clarity stays offline: it is measured, not judged), falling back to the
 * offline analysis whenever the judge fails or its breaker is open.
 */
export class AnswerAnalyzer {
  private readonly prepared = new LRUCache<string, AnswerAnalysis>({ max: PREPARED_ANALYSES });

  constructor(
    private readonly embedder: Provisioned<SentenceEmbedder>,
    private readonly judge: AnswerJudge | undefined,
  ) {}

  /**
   * Scores 0..100 with one decimal, as `analyzeAnswer` documents them.
   * @throws InvalidAnswerError for input the analysis refuses (INVALID_ARGUMENT); UnavailableError
   *   while the model is still loading.
   */
  async analyze(input: AnswerInput): Promise<AnswerAnalysis> {
    const key = cacheKey([input.category, input.question, input.answer]);
    const kept = this.prepared.get(key);
    if (kept) return kept;
    const analysis = await this.compute(input);
    this.prepared.set(key, analysis);
    return analysis;
  }

  /**
   * Analyses `inputs` side by side (as many at once as the model has threads), ahead of a
   * transaction that will ask for them, so that the inference (and a judge's calls) happen before it
   * holds a connection. Errors are left for that later call, which meets them again and decides (an
   * answer the analysis refuses fails the interview's scoring).
   */
  async prepare(inputs: readonly AnswerInput[]): Promise<void> {
    await Promise.all(inputs.map((input) => this.analyze(input).catch(() => undefined)));
  }

  /**
   * With a judge: its verdict, and only the delivery measured here (the model runs only when the
   * judge gives none); without one, or for an empty answer, the offline analysis.
   */
  private async compute(input: AnswerInput): Promise<AnswerAnalysis> {
    if (this.judge) {
      const checked = validateAnswerInput(input);
      const delivery = measureDelivery(checked.answer);
      // An empty answer needs no judge: it is 0 / 0 / 0 and "No answer was given." either way.
      const verdict = delivery.wordCount === 0 ? undefined : await this.judge.judge(checked);
      if (verdict) {
        return {
          relevanceScore: verdict.relevance,
          clarityScore: delivery.clarityScore,
          depthScore: verdict.depth,
          keywords: [...verdict.keywords],
          feedback: verdict.feedback,
        };
      }
    }
    return (await measureAnswer(input, this.embedder.get())).analysis;
  }
}
