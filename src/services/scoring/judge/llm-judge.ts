/**
 * An optional LLM judge of interview answers: asks an OpenAI-compatible chat-completions endpoint
 * (https://platform.openai.com/docs/api-reference/chat/create) for a verdict held to a JSON schema
 * (Structured Outputs, `response_format: { type: 'json_schema', ... }`,
 * https://platform.openai.com/docs/guides/structured-outputs), behind a circuit breaker and a
 * deadline, with a cache. It never throws at its caller: whatever goes wrong, `judge` resolves
 * undefined and the caller keeps its offline analysis.
 */
import { BreakerState, Breaker } from '../../../platform/breaker/circuit-breaker';
import { CancelledError, TimeoutError, UnavailableError } from '../../../platform/errors/domain-errors';
import { Logger } from '../../../platform/log/logger';
import { Registry } from 'prom-client';
import { MeshMetrics } from '../../../platform/telemetry/metrics';
import { JudgeMetrics, judgeMetrics, JudgeOutcome, JudgeRequestOutcome } from './judge-metrics';
import { JudgeInput, judgeMessages, PROMPT_VERSION } from './judge-prompt';
import { JudgeSettings } from './judge-settings';
import { JudgeVerdict, parseVerdict, VERDICT_JSON_SCHEMA } from './judge-verdict';
import { LRUCache } from 'lru-cache';
import { cacheKey } from '../cache-key';

export type { JudgeInput } from './judge-prompt';
export type { JudgeVerdict } from './judge-verdict';

/** `response_format.json_schema.name` of the request. */
export const VERDICT_SCHEMA_NAME = 'answer_judgement';

/** Largest response body read, bytes; a larger one is refused (a verdict is well under 2 KiB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Largest error body read for its `error.code`/`error.type`, bytes. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
/**
 * The breaker's own timeout is the deadline plus this, milliseconds: the request's AbortSignal
 * decides (and closes the connection); the breaker's timeout only backs it up.
 */
const BREAKER_TIMEOUT_GRACE_MS = 1_000;

/** The `service` and `downstream` labels of the judge's series in `mesh_breaker_state` and `mesh_breaker_transitions_total`. */
export const JUDGE_BREAKER_LABELS = { service: 'scoring', downstream: 'judge' } as const;

/** Where the judge's circuit is reported beside the gRPC downstreams' (MeshMetrics has them). */
export type BreakerMetrics = Pick<MeshMetrics, 'reportBreaker'>;

export interface LlmJudgeDeps {
  /** Failures at warn with their reason (never the key, never the answer); circuit changes at warn. */
  readonly log: Logger;
  /** Where `scoring_judge_*` are registered: the service context's `metrics.registry`. */
  readonly registry: Registry;
  /**
   * Where the circuit's state is recorded as `mesh_breaker_state{service="scoring",downstream="judge"}`
   * and `mesh_breaker_transitions_total` (the service context's `metrics`); nowhere when absent.
   */
  readonly breakerMetrics?: BreakerMetrics;
  /** The HTTP client; the global `fetch` (undici) by default. */
  readonly fetch?: typeof fetch;
  /** Clock for request durations, milliseconds; `performance.now` by default. */
  readonly now?: () => number;
}

export interface JudgeOptions {
  /**
   * The caller's cancellation: aborting it aborts the request, and `judge` resolves undefined. It
   * does not count against the breaker (the caller gave up; nothing is known about the server).
   */
  readonly signal?: AbortSignal;
}

/** A failure of one request: counted against the breaker, reported as `outcome`. */
class JudgeFailure extends Error {
  constructor(
    readonly outcome: Extract<JudgeOutcome, 'failed' | 'rejected'>,
    reason: string,
  ) {
    super(reason);
    this.name = 'JudgeFailure';
  }
}

/** Token counts of a response's `usage`. */
interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/**
 * The LLM judge. One per process, built at start-up when `judgeSettings` gave settings, closed at
 * shutdown.
 *
 * `judge` resolves:
 * - the verdict: from the cache (same model, category, question and answer), or from a request
 *   whose content passed `parseVerdict`;
 * - undefined, at once and without a request: a blank question or answer (the offline analysis
 *   scores an empty answer itself), the circuit open, the judge closed;
 * - undefined after a failure, logged at warn with its reason: the network, an HTTP status ≥ 400,
 *   the deadline (SCORING_JUDGE_TIMEOUT_MS, headers and body), or content that is not a valid
 *   verdict (not JSON, a field missing or out of range, a refusal, cut off at the token limit).
 *
 * Every failure counts against the breaker, 4xx included: 401/403 (a bad or revoked key), 404 (a
 * wrong URL or model), 429 (quota) and 400 (a server that does not support `json_schema`) fail
 * again for every answer, so the circuit opens and stops spending requests on them until a trial
 * after SCORING_JUDGE_BREAKER_RESET_MS; one answer cannot provoke a 400 of its own, since the texts
 * sent are capped. Only a cancellation by the caller does not count. Only valid verdicts are
 * cached; tokens are counted whenever a 200 response reports `usage`, valid verdict or not.
 *
 * Note: `temperature: 0` is sent for repeatable verdicts; OpenAI's reasoning models (o1, o3, ...)
 * refuse it with 400 and are not suitable.
 *
 * ### Examples
 * ```ts
 * const settings = judgeSettings(process.env);
 * const judge = settings && new LlmJudge(settings, { log, registry: context.metrics.registry, breakerMetrics: context.metrics });
 * const verdict = await judge?.judge({ question, answer, category });
 * const relevance = verdict?.relevance ?? analysis.relevanceScore;
 * ```
 */
export class LlmJudge {
  private readonly breaker: Breaker<[JudgeInput, AbortSignal | undefined], JudgeVerdict>;
  /** Undefined when SCORING_JUDGE_CACHE_ENTRIES is 0. */
  private readonly cache: LRUCache<string, JudgeVerdict> | undefined;
  private readonly metrics: JudgeMetrics;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly log: Logger;
  /** Aborts the requests in flight on close. */
  private readonly closing = new AbortController();

  constructor(
    private readonly settings: JudgeSettings,
    deps: LlmJudgeDeps,
  ) {
    this.log = deps.log.child({ judge: settings.model });
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.now = deps.now ?? (() => performance.now());
    this.cache = settings.cacheEntries > 0 ? new LRUCache({ max: settings.cacheEntries }) : undefined;
    this.metrics = judgeMetrics(deps.registry);
    const reportState = deps.breakerMetrics?.reportBreaker(JUDGE_BREAKER_LABELS);
    this.breaker = new Breaker((input: JudgeInput, signal: AbortSignal | undefined) => this.request(input, signal), {
      name: 'scoring.judge',
      timeoutMs: settings.timeoutMs + BREAKER_TIMEOUT_GRACE_MS,
      volumeThreshold: settings.breaker.volumeThreshold,
      errorThresholdPercentage: settings.breaker.errorThresholdPercentage,
      resetTimeoutMs: settings.breaker.resetTimeoutMs,
      log: deps.log,
      onStateChange: (state) => reportState?.(state),
    });
  }

  /** The circuit's state: `open` while failures keep the judge from asking. */
  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /**
   * The verdict on one answer, or undefined when there is none to be had (see the class). Never
   * rejects. Resolves within about SCORING_JUDGE_TIMEOUT_MS.
   */
  async judge(input: JudgeInput, options: JudgeOptions = {}): Promise<JudgeVerdict | undefined> {
    if (this.closing.signal.aborted) return undefined;
    if (typeof input.question !== 'string' || typeof input.answer !== 'string' || typeof input.category !== 'string') return undefined;
    if (input.question.trim() === '' || input.answer.trim() === '') return undefined;
    const key = cacheKey([`v${PROMPT_VERSION}`, this.settings.model, input.category, input.question, input.answer]);
    const cached = this.cache?.get(key);
    if (cached) {
      this.count('cached');
      return cached;
    }
    if (this.breaker.state === 'open') {
      this.count('open');
      return undefined;
    }
    try {
      const verdict = await this.breaker.fire(input, options.signal);
      this.cache?.set(key, verdict);
      this.count('ok');
      return verdict;
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  /**
   * Aborts the requests in flight (their `judge` calls resolve undefined) and stops the breaker;
   * `judge` resolves undefined from then on. Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      this.closing.abort();
      this.breaker.shutdown();
      this.cache?.clear();
    }
    return Promise.resolve();
  }

  private count(outcome: JudgeOutcome): void {
    this.metrics.requests.inc({ outcome });
  }

  /** Counts and logs why `judge` had no verdict. */
  private failed(error: unknown): void {
    if (error instanceof UnavailableError) {
      // The circuit opened (or a half-open trial is under way): the breaker logged the change.
      this.count('open');
    } else if (error instanceof JudgeFailure) {
      this.count(error.outcome);
      this.log.warn({ outcome: error.outcome, reason: error.message }, 'LLM judge gave no verdict; the offline analysis stands');
    } else if (error instanceof CancelledError) {
      this.count('failed');
      this.log.debug({ outcome: 'failed', reason: error.message }, 'LLM judge request cancelled');
    } else {
      const reason = error instanceof TimeoutError ? `no answer within ${this.settings.timeoutMs} ms` : describe(error);
      this.count('failed');
      this.log.warn({ outcome: 'failed', reason }, 'LLM judge gave no verdict; the offline analysis stands');
    }
  }

  /** One request to the server, behind the breaker: the verdict, or JudgeFailure / CancelledError. */
  private async request(input: JudgeInput, callerSignal: AbortSignal | undefined): Promise<JudgeVerdict> {
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = AbortSignal.any([deadline, this.closing.signal, ...(callerSignal ? [callerSignal] : [])]);
    const started = this.now();
    let outcome: JudgeRequestOutcome = 'failed';
    try {
      const verdict = await this.exchange(input, signal);
      outcome = 'ok';
      return verdict;
    } catch (error) {
      if (error instanceof JudgeFailure) outcome = error.outcome;
      if (!signal.aborted || error instanceof JudgeFailure) throw error;
      if (deadline.aborted) throw new JudgeFailure('failed', `no answer within ${this.settings.timeoutMs} ms`);
      throw new CancelledError(this.closing.signal.aborted ? 'the judge was closed' : 'the caller cancelled the request');
    } finally {
      this.metrics.duration.observe({ outcome }, Math.max(0, this.now() - started) / 1000);
    }
  }

  private async exchange(input: JudgeInput, signal: AbortSignal): Promise<JudgeVerdict> {
    const body = {
      model: this.settings.model,
      temperature: 0,
      messages: judgeMessages(input),
      response_format: { type: 'json_schema', json_schema: { name: VERDICT_SCHEMA_NAME, strict: true, schema: VERDICT_JSON_SCHEMA } },
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.settings.apiKey !== undefined) headers.authorization = `Bearer ${this.settings.apiKey}`;
    let response: Response;
    try {
      response = await this.fetch(this.settings.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new JudgeFailure('failed', `request failed: ${describe(error)}`);
    }
    if (!response.ok) {
      const code = errorCode(await readBody(response, MAX_ERROR_BODY_BYTES).catch(() => undefined));
      throw new JudgeFailure('failed', `HTTP ${response.status}${code ? ` (${code})` : ''}`);
    }
    const text = await readBody(response, MAX_RESPONSE_BYTES);
    if (text === undefined) throw new JudgeFailure('rejected', `response over ${MAX_RESPONSE_BYTES} bytes`);
    let completion: unknown;
    try {
      completion = JSON.parse(text);
    } catch {
      throw new JudgeFailure('rejected', 'response is not JSON');
    }
    const usage = usageOf(completion);
    if (usage) this.countTokens(usage);
    const content = verdictContent(completion);
    const check = parseVerdict(content);
    if (!check.ok) throw new JudgeFailure('rejected', `invalid verdict: ${check.reason}`);
    return check.verdict;
  }

  private countTokens(usage: Usage): void {
    this.metrics.tokens.inc({ kind: 'prompt' }, usage.promptTokens);
    this.metrics.tokens.inc({ kind: 'completion' }, usage.completionTokens);
    const price = this.settings.price;
    if (price) {
      this.metrics.cost.inc((usage.promptTokens * price.promptPerMillion + usage.completionTokens * price.completionPerMillion) / 1_000_000);
    }
  }
}

/** The message content of the first choice; JudgeFailure `rejected` when there is none, it was refused or cut off. */
function verdictContent(completion: unknown): string {
  const choices = field(completion, 'choices');
  const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
  const message = field(choice, 'message');
  if (message === undefined) throw new JudgeFailure('rejected', 'response has no choices[0].message');
  const refusal = field(message, 'refusal');
  if (typeof refusal === 'string' && refusal.trim() !== '') throw new JudgeFailure('rejected', 'the model refused');
  if (field(choice, 'finish_reason') === 'length') throw new JudgeFailure('rejected', 'the verdict was cut off at the token limit');
  const content = field(message, 'content');
  if (typeof content !== 'string') throw new JudgeFailure('rejected', 'choices[0].message.content is not a string');
  return content;
}

/** `usage.prompt_tokens` and `usage.completion_tokens` when both are non-negative integers. */
function usageOf(completion: unknown): Usage | undefined {
  const usage = field(completion, 'usage');
  const promptTokens = field(usage, 'prompt_tokens');
  const completionTokens = field(usage, 'completion_tokens');
  if (!isCount(promptTokens) || !isCount(completionTokens)) return undefined;
  return { promptTokens, completionTokens };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * `error.code` or `error.type` of an OpenAI-style error body (`invalid_api_key`,
 * `insufficient_quota`), if it looks like an identifier. The message is not used: OpenAI's for a
 * bad key quotes part of the key.
 */
function errorCode(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = field(parsed, 'error');
  const code = field(error, 'code') ?? field(error, 'type');
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
}

/** The body as UTF-8, or undefined when it is over `maxBytes` (then the rest is not read). */
async function readBody(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || value === undefined) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A short reason for a network error: undici's `fetch failed` says little, its cause's code more. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = field(cause, 'code');
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
