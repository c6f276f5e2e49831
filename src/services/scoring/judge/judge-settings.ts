/**
 * Settings of the LLM judge (llm-judge.ts), parsed once at start-up from `SCORING_JUDGE_*`. The
 * judge is off unless SCORING_JUDGE_URL is set; then every malformed variable throws ConfigError
 * naming it, so that a wrong deployment fails at start-up rather than falling back silently on
 * every answer.
 */
import fs from 'node:fs';
import { ConfigError, Env, integerOr, optionalString, optionalUrl } from '../../../platform/config/env';

/** Price of the judge's tokens, in the currency units the operator chose, per million tokens. */
export interface JudgePrice {
  /** Per million prompt (input) tokens. */
  readonly promptPerMillion: number;
  /** Per million completion (output) tokens. */
  readonly completionPerMillion: number;
}

/** Opossum settings of the judge's circuit breaker (src/platform/breaker/circuit-breaker.ts; its rolling window is 10 s). */
export interface JudgeBreakerSettings {
  /** Requests in the window before the failure percentage counts (SCORING_JUDGE_BREAKER_VOLUME, 5). */
  readonly volumeThreshold: number;
  /** Failure percentage over the window that opens the circuit (SCORING_JUDGE_BREAKER_ERROR_PERCENT, 50). */
  readonly errorThresholdPercentage: number;
  /** Milliseconds the circuit stays open before one trial request (SCORING_JUDGE_BREAKER_RESET_MS, 30 000). */
  readonly resetTimeoutMs: number;
}

/** The judge's settings; `judgeSettings` gives undefined when the judge is off. */
export interface JudgeSettings {
  /** Base URL of an OpenAI-compatible API, without a trailing slash, e.g. `https://api.openai.com/v1` (SCORING_JUDGE_URL). */
  readonly url: string;
  /** Where requests go: `${url}/chat/completions`. */
  readonly endpoint: string;
  /** Model name sent as `model`, e.g. `gpt-4o-mini` (SCORING_JUDGE_MODEL). */
  readonly model: string;
  /**
   * Bearer token (SCORING_JUDGE_API_KEY or the content of SCORING_JUDGE_API_KEY_FILE); undefined:
   * no Authorization header (a local server). Not enumerable: logging or serialising the settings
   * does not show it.
   */
  readonly apiKey: string | undefined;
  /** Deadline of one request, headers and body, milliseconds (SCORING_JUDGE_TIMEOUT_MS, 8 000, 100..60 000). */
  readonly timeoutMs: number;
  /** Verdicts kept in memory, least recently used evicted first; 0: no cache (SCORING_JUDGE_CACHE_ENTRIES, 1 000). */
  readonly cacheEntries: number;
  /** Token prices (SCORING_JUDGE_PRICE_PER_MILLION_TOKENS, `prompt,completion`); undefined: no cost is counted. */
  readonly price: JudgePrice | undefined;
  readonly breaker: JudgeBreakerSettings;
}

export const JUDGE_ENV = {
  url: 'SCORING_JUDGE_URL',
  model: 'SCORING_JUDGE_MODEL',
  apiKey: 'SCORING_JUDGE_API_KEY',
  apiKeyFile: 'SCORING_JUDGE_API_KEY_FILE',
  timeoutMs: 'SCORING_JUDGE_TIMEOUT_MS',
  cacheEntries: 'SCORING_JUDGE_CACHE_ENTRIES',
  price: 'SCORING_JUDGE_PRICE_PER_MILLION_TOKENS',
  breakerVolume: 'SCORING_JUDGE_BREAKER_VOLUME',
  breakerErrorPercent: 'SCORING_JUDGE_BREAKER_ERROR_PERCENT',
  breakerResetMs: 'SCORING_JUDGE_BREAKER_RESET_MS',
} as const;

export const DEFAULT_JUDGE_TIMEOUT_MS = 8_000;
export const DEFAULT_JUDGE_CACHE_ENTRIES = 1_000;

/** Longest model name accepted (OpenAI's are under 50 characters; local servers use file names). */
const MAX_MODEL_CHARS = 200;

/** How the key file is read: injectable for tests. */
export type ReadKeyFile = (file: string) => string;

const readUtf8: ReadKeyFile = (file) => fs.readFileSync(file, 'utf8');

/**
 * The judge's settings, or undefined when SCORING_JUDGE_URL is unset or blank (the judge is off;
 * the other SCORING_JUDGE_* variables are then ignored).
 *
 * - SCORING_JUDGE_URL must be https, or http to a loopback host (localhost, 127.0.0.0/8, [::1]): the
 *   answers and the key must not cross a network in clear. No credentials, query or fragment.
 * - SCORING_JUDGE_MODEL is required.
 * - SCORING_JUDGE_API_KEY and SCORING_JUDGE_API_KEY_FILE are optional (local servers take none) but
 *   exclusive: setting both is a ConfigError, since neither could be said to win without surprising
 *   someone. The file is read once, here, and trimmed (a trailing newline is not part of the key);
 *   rotating it needs a restart.
 * - SCORING_JUDGE_PRICE_PER_MILLION_TOKENS is two non-negative numbers, `prompt,completion`, e.g.
 *   `0.15,0.60`.
 *
 * @throws ConfigError naming the variable when one is malformed, out of bounds or unreadable.
 *
 * ### Examples
 * ```ts
 * judgeSettings({}); // undefined: the judge is off
 * judgeSettings({ SCORING_JUDGE_URL: 'http://127.0.0.1:8080/v1', SCORING_JUDGE_MODEL: 'smollm2' });
 * // { endpoint: 'http://127.0.0.1:8080/v1/chat/completions', apiKey: undefined, timeoutMs: 8000, ... }
 * ```
 */
export function judgeSettings(env: Env, readKeyFile: ReadKeyFile = readUtf8): JudgeSettings | undefined {
  const url = judgeUrl(env);
  if (url === undefined) return undefined;
  const model = optionalString(env, JUDGE_ENV.model);
  if (model === undefined) throw new ConfigError(`${JUDGE_ENV.model} is required when ${JUDGE_ENV.url} is set`);
  if (model.length > MAX_MODEL_CHARS) throw new ConfigError(`${JUDGE_ENV.model} must be at most ${MAX_MODEL_CHARS} characters`);
  const settings = {
    url,
    endpoint: `${url}/chat/completions`,
    model,
    timeoutMs: integerOr(env, JUDGE_ENV.timeoutMs, DEFAULT_JUDGE_TIMEOUT_MS, 100, 60_000),
    cacheEntries: integerOr(env, JUDGE_ENV.cacheEntries, DEFAULT_JUDGE_CACHE_ENTRIES, 0, 1_000_000),
    price: judgePrice(env),
    breaker: Object.freeze({
      volumeThreshold: integerOr(env, JUDGE_ENV.breakerVolume, 5, 1, 10_000),
      errorThresholdPercentage: integerOr(env, JUDGE_ENV.breakerErrorPercent, 50, 1, 100),
      resetTimeoutMs: integerOr(env, JUDGE_ENV.breakerResetMs, 30_000, 100, 3_600_000),
    }),
  };
  Object.defineProperty(settings, 'apiKey', { value: apiKey(env, readKeyFile), enumerable: false });
  return Object.freeze(settings as typeof settings & { readonly apiKey: string | undefined });
}

/** True for hosts that never leave the machine: `localhost` (and `*.localhost`), 127.0.0.0/8, `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  // WHATWG URL parsing has already normalised IPv4 forms (0x7f.1 is 127.0.0.1).
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** SCORING_JUDGE_URL without trailing slashes, or undefined when unset. */
function judgeUrl(env: Env): string | undefined {
  const raw = optionalUrl(env, JUDGE_ENV.url, ['https', 'http']);
  if (raw === undefined) return undefined;
  const url = new URL(raw);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(`${JUDGE_ENV.url} must use https unless its host is loopback (localhost, 127.0.0.1, [::1]), got http to "${url.hostname}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${JUDGE_ENV.url} must not carry credentials: put the key in ${JUDGE_ENV.apiKey} or ${JUDGE_ENV.apiKeyFile}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${JUDGE_ENV.url} must be a base URL without query or fragment, e.g. https://api.openai.com/v1`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function apiKey(env: Env, readKeyFile: ReadKeyFile): string | undefined {
  const inline = optionalString(env, JUDGE_ENV.apiKey);
  const file = optionalString(env, JUDGE_ENV.apiKeyFile);
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(`set ${JUDGE_ENV.apiKey} or ${JUDGE_ENV.apiKeyFile}, not both`);
  }
  if (file === undefined) return inline;
  let content: string;
  try {
    content = readKeyFile(file);
  } catch (error) {
    throw new ConfigError(`${JUDGE_ENV.apiKeyFile} ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const key = content.trim();
  if (key === '') throw new ConfigError(`${JUDGE_ENV.apiKeyFile} ${file} is empty`);
  if (/[\r\n]/.test(key)) throw new ConfigError(`${JUDGE_ENV.apiKeyFile} ${file} must hold one line, the key`);
  return key;
}

function judgePrice(env: Env): JudgePrice | undefined {
  const raw = optionalString(env, JUDGE_ENV.price);
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((part) => part.trim());
  const values = parts.map(Number);
  if (parts.length !== 2 || parts.some((part) => part === '') || values.some((v) => !Number.isFinite(v) || v < 0 || v > 1_000_000)) {
    throw new ConfigError(
      `${JUDGE_ENV.price} must be two non-negative numbers, prompt and completion price per million tokens, e.g. "0.15,0.60"; got "${raw}"`,
    );
  }
  return Object.freeze({ promptPerMillion: values[0], completionPerMillion: values[1] });
}
