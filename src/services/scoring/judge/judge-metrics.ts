/**
 * The LLM judge's Prometheus metrics (prom-client), `scoring_judge_*` as the emotion service's are
 * `emotion_*` (src/platform/telemetry/metrics.ts). Label values are bounded: outcomes and token
 * kinds, never models, questions or ids. Token kinds follow the chat-completions API's `usage`
 * (`prompt_tokens`, `completion_tokens`); OpenTelemetry's GenAI conventions call them input and
 * output.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export const JUDGE_METRIC = {
  requests: 'scoring_judge_requests_total',
  tokens: 'scoring_judge_tokens_total',
  cost: 'scoring_judge_cost_total',
  duration: 'scoring_judge_request_duration_seconds',
} as const;

/**
 * What became of one `judge` call (`scoring_judge_requests_total{outcome}`):
 * - `ok`: a request was made and its verdict passed the checks;
 * - `cached`: answered from the cache, no request;
 * - `failed`: no verdict from the server: network error, HTTP status ≥ 400, deadline passed, or
 *   the caller cancelled (JudgeOptions.signal);
 * - `rejected`: the server answered 200 but the content was not a valid verdict (not JSON, a schema
 *   violation, a refusal, cut off at the token limit);
 * - `open`: the circuit was open: no request.
 */
export type JudgeOutcome = 'ok' | 'cached' | 'failed' | 'rejected' | 'open';

export const JUDGE_OUTCOMES: readonly JudgeOutcome[] = ['ok', 'cached', 'failed', 'rejected', 'open'];

/** Outcomes of the requests that went out (`scoring_judge_request_duration_seconds{outcome}`). */
export type JudgeRequestOutcome = Extract<JudgeOutcome, 'ok' | 'failed' | 'rejected'>;

/** Seconds, 100 ms to 60 s: a hosted model answers in one to a few seconds; the deadline is at most 60 s. */
export const JUDGE_DURATION_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export interface JudgeMetrics {
  readonly requests: Counter<'outcome'>;
  /** Tokens the server reported in `usage`, by `kind`: `prompt` or `completion`. */
  readonly tokens: Counter<'kind'>;
  /** Cost of those tokens at SCORING_JUDGE_PRICE_PER_MILLION_TOKENS, in its currency units; stays 0 without a price. */
  readonly cost: Counter;
  readonly duration: Histogram<'outcome'>;
}

/**
 * The judge's metrics in `registry`, created once per registry and shared by every judge using it
 * (prom-client refuses a second metric of the same name). Every series starts at 0, so that the
 * first one counted is an increase to Prometheus.
 */
export function judgeMetrics(registry: Registry): JudgeMetrics {
  const metrics: JudgeMetrics = {
    requests: counter(
      registry,
      JUDGE_METRIC.requests,
      'Answers the LLM judge was asked about, by outcome: ok, cached, failed (no verdict from the server), rejected (invalid verdict), open (circuit open)',
      ['outcome'] as const,
    ),
    tokens: counter(registry, JUDGE_METRIC.tokens, "Tokens the LLM judge's server reported using, by kind: prompt (input) or completion (output)", [
      'kind',
    ] as const),
    cost: counter(
      registry,
      JUDGE_METRIC.cost,
      "Cost of the LLM judge's tokens at the configured price (SCORING_JUDGE_PRICE_PER_MILLION_TOKENS), in its currency units",
      [],
    ),
    duration: durationHistogram(registry),
  };
  for (const outcome of JUDGE_OUTCOMES) metrics.requests.inc({ outcome }, 0);
  for (const kind of ['prompt', 'completion']) metrics.tokens.inc({ kind }, 0);
  metrics.cost.inc(0);
  return metrics;
}

/** The counter `name` of `registry`, registered now if it is not yet. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const found = registry.getSingleMetric(name);
  if (found instanceof Counter) return found;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function durationHistogram(registry: Registry): Histogram<'outcome'> {
  const found = registry.getSingleMetric(JUDGE_METRIC.duration);
  if (found instanceof Histogram) return found;
  return new Histogram({
    name: JUDGE_METRIC.duration,
    help: "Duration of the LLM judge's requests, seconds, by outcome: ok, failed, rejected",
    labelNames: ['outcome'] as const,
    buckets: JUDGE_DURATION_BUCKETS_S,
    registers: [registry],
  });
}
