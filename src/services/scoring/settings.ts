import { Env, integerOr } from '../../platform/config/env';
import { judgeSettings, type JudgeSettings } from './judge/judge-settings';
import { DEFAULT_MEMO_ENTRIES, textModelDir } from './semantic/sentence-encoder';

/** The scoring service's own settings, parsed once at start-up. */
export interface ScoringSettings {
  /**
   * Directory of the sentence-embedding model (model.onnx, tokenizer.json), made by
   * scripts/models/ensure-text-model.sh (SCORING_TEXT_MODEL_DIR).
   */
  readonly textModelDir: string;
  /** Short texts whose embeddings the model remembers (SCORING_TEXT_MEMO_ENTRIES; 0 for none). */
  readonly textMemoEntries: number;
  /** The LLM judge's endpoint, model and limits (SCORING_JUDGE_*); undefined when it is off, the default. */
  readonly judge: JudgeSettings | undefined;
}

/** Throws ConfigError naming the variable when one is malformed. */
export function scoringSettings(env: Env): ScoringSettings {
  return Object.freeze({
    textModelDir: textModelDir(env),
    textMemoEntries: integerOr(env, 'SCORING_TEXT_MEMO_ENTRIES', DEFAULT_MEMO_ENTRIES, 0, 1_000_000),
    judge: judgeSettings(env),
  });
}
