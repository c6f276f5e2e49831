/**
 * Public surface of the optional LLM judge of interview answers (off unless SCORING_JUDGE_URL is
 * set): its settings, the judge, its verdict and its metrics.
 */
export { DEFAULT_JUDGE_CACHE_ENTRIES, DEFAULT_JUDGE_TIMEOUT_MS, isLoopbackHost, JUDGE_ENV, judgeSettings } from './judge-settings';
export type { JudgeBreakerSettings, JudgePrice, JudgeSettings, ReadKeyFile } from './judge-settings';
export { JUDGE_BREAKER_LABELS, LlmJudge, MAX_RESPONSE_BYTES, VERDICT_SCHEMA_NAME } from './llm-judge';
export type { BreakerMetrics, JudgeOptions, LlmJudgeDeps } from './llm-judge';
export type { JudgeInput } from './judge-prompt';
export { JUDGE_SYSTEM_PROMPT, MAX_ANSWER_CHARS_SENT, MAX_QUESTION_CHARS_SENT } from './judge-prompt';
export { MAX_FEEDBACK_CHARS, MAX_KEYWORD_CHARS, MAX_VERDICT_KEYWORDS, parseVerdict, VERDICT_JSON_SCHEMA } from './judge-verdict';
export type { JudgeVerdict, VerdictCheck } from './judge-verdict';
export { JUDGE_METRIC, JUDGE_OUTCOMES } from './judge-metrics';
export type { JudgeOutcome } from './judge-metrics';
