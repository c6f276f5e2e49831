import { Env, integerOr } from '../../platform/config/env';
import { judgeSettings, type JudgeSettings } from './judge/judge-settings';
import { DEFAULT_PDF_THREADS } from './report/pdf/pdf-maker';
import { DEFAULT_ENCODER_THREADS } from './semantic/encoder-pool';
import { DEFAULT_MEMO_ENTRIES } from './semantic/remembering-embedder';
import { textModelDir } from './semantic/sentence-encoder';

/** The scoring service's own settings, parsed once at start-up. */
export interface ScoringSettings {
  /**
   * Directory of the sentence-embedding model (model.onnx, tokenizer.json), made by
   * scripts/models/ensure-text-model.sh (SCORING_TEXT_MODEL_DIR).
   */
  readonly textModelDir: string;
  /** Short texts whose embeddings are remembered (SCORING_TEXT_MEMO_ENTRIES; 0 for none). */
  readonly textMemoEntries: number;
  /** Worker threads embedding texts, each with its own copy of the model (SCORING_TEXT_THREADS). */
  readonly textThreads: number;
  /** The LLM judge's endpoint, model and limits (SCORING_JUDGE_*); undefined when it is off, the default. */
  readonly judge: JudgeSettings | undefined;
  /** Report PDFs made at once, a worker thread each (SCORING_PDF_THREADS). */
  readonly pdfThreads: number;
}

/** Throws ConfigError naming the variable when one is malformed. */
export function scoringSettings(env: Env): ScoringSettings {
  return Object.freeze({
    textModelDir: textModelDir(env),
    textMemoEntries: integerOr(env, 'SCORING_TEXT_MEMO_ENTRIES', DEFAULT_MEMO_ENTRIES, 0, 1_000_000),
    textThreads: integerOr(env, 'SCORING_TEXT_THREADS', DEFAULT_ENCODER_THREADS, 1, 16),
    judge: judgeSettings(env),
    pdfThreads: integerOr(env, 'SCORING_PDF_THREADS', DEFAULT_PDF_THREADS, 1, 8),
  });
}
