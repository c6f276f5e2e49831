/**
 * The window's figures from two scrapes: requests per second from the `_count`s' increase, the OK
 * share, quantiles from the buckets' increase, and what counts as an increase when a series is new
 * or a counter went back (a restart).
 */
import { MeshMetrics } from '../../../src/platform/telemetry/metrics';
import { parseExposition } from '../../../src/stat/exposition';
import { computeView, ScrapeRound } from '../../../src/stat/stats';
import { parseTarget, ScrapeResult, Target } from '../../../src/stat/targets';

const A = parseTarget('10.0.0.1:9464');
const B = parseTarget('10.0.0.2:9464');

const ok = (target: Target, at: number, text: string): ScrapeResult => ({ target, ok: true, at, exposition: parseExposition(text) });
const round = (...results: ScrapeResult[]): ScrapeRound => ({ results });

const AUTH = { service: 'auth', rpc_system: 'grpc', rpc_service: 'auth.v1.AuthService' };
const login = (code: string) => ({ ...AUTH, rpc_method: 'Login', rpc_grpc_status_code: code });
const register = { ...AUTH, rpc_method: 'Register', rpc_grpc_status_code: '0' };

/** One histogram series in the text format (`le` → cumulative count), then its `_count`. */
function series(labels: string, buckets: readonly [string, number][]): string {
  return [
    ...buckets.map(([le, count]) => `rpc_server_call_duration_seconds_bucket{le="${le}",${labels}} ${count}`),
    `rpc_server_call_duration_seconds_count{${labels}} ${buckets[buckets.length - 1][1]}`,
  ].join('\n');
}

describe('computeView', () => {
  it('gives requests per second, success rate and p50/p95/p99 of the window, per service and method', async () => {
    const metrics = new MeshMetrics();
    metrics.rpcServerDuration.observe(login('0'), 0.02);
    metrics.rpcServerDuration.observe(login('0'), 0.02);
    const first = ok(A, 10_000, await metrics.exposition());
    // In the window: Login 3 × OK (4 ms, 4 ms, 200 ms) and 1 × UNAUTHENTICATED (1 ms); Register once, 30 ms.
    for (const seconds of [0.004, 0.004, 0.2]) metrics.rpcServerDuration.observe(login('0'), seconds);
    metrics.rpcServerDuration.observe(login('16'), 0.001);
    metrics.rpcServerDuration.observe(register, 0.03);
    const second = ok(A, 12_000, await metrics.exposition());

    const view = computeView(round(first), round(second));
    expect(view.windowSeconds).toBe(2);
    expect(view.answered).toEqual([A]);
    expect(view.rpcs.map((r) => [r.service, r.method, r.total, r.window?.requests, r.window?.rps, r.window?.success])).toEqual([
      ['auth', 'auth.v1.AuthService/Login', 6, 4, 2, 0.75],
      ['auth', 'auth.v1.AuthService/Register', 1, 1, 0.5, 1],
    ]);
    const [loginRow, registerRow] = view.rpcs;
    // Login's window, cumulative: ≤1 ms 1, ≤2.5 ms 1, ≤5 ms 3, … ≤100 ms 3, ≤250 ms 4.
    // p50: rank 2 in (2.5, 5] ms holding 2 → 2.5 + 2.5 × 1/2 = 3.75 ms.
    expect(loginRow.window?.p50).toBeCloseTo(0.00375, 12);
    // p95: rank 3.8 in (100, 250] ms holding 1 → 100 + 150 × 0.8 = 220 ms; p99: 100 + 150 × 0.96 = 244 ms.
    expect(loginRow.window?.p95).toBeCloseTo(0.22, 12);
    expect(loginRow.window?.p99).toBeCloseTo(0.244, 12);
    // Register: 1 in (25, 50] ms; p50 at half of it: 37.5 ms; p99: 25 + 25 × 0.99.
    expect(registerRow.window?.p50).toBeCloseTo(0.0375, 12);
    expect(registerRow.window?.p99).toBeCloseTo(0.04975, 12);
  });

  it('shows no success rate and no latency for a method without calls in the window', () => {
    const text = series('service="auth",rpc_service="auth.v1.AuthService",rpc_method="Login",rpc_grpc_status_code="0"', [
      ['0.01', 3],
      ['+Inf', 3],
    ]);
    const view = computeView(round(ok(A, 0, text)), round(ok(A, 5_000, text)));
    expect(view.rpcs).toEqual([{ service: 'auth', method: 'auth.v1.AuthService/Login', total: 3, window: { requests: 0, rps: 0 } }]);
  });

  it('has no window on a first scrape, nor for a target that did not answer the previous one', () => {
    const text = series('service="auth",rpc_service="s",rpc_method="M",rpc_grpc_status_code="0"', [
      ['0.01', 3],
      ['+Inf', 3],
    ]);
    const first = computeView(undefined, round(ok(A, 0, text)));
    expect(first.windowSeconds).toBeUndefined();
    expect(first.rpcs).toEqual([{ service: 'auth', method: 's/M', total: 3 }]);
    const view = computeView(round({ target: A, ok: false, error: 'connect ECONNREFUSED' }), round(ok(A, 1_000, text)));
    expect(view.rpcs[0].window).toBeUndefined();
  });

  it('counts a series that is new in the window from 0, and a counter that went back (a restart) from 0', () => {
    const labels = 'service="auth",rpc_service="s",rpc_method="M",rpc_grpc_status_code="0"';
    const before = series(labels, [
      ['0.01', 8],
      ['0.1', 10],
      ['+Inf', 10],
    ]);
    const restarted = series(labels, [
      ['0.01', 1],
      ['0.1', 3],
      ['+Inf', 3],
    ]);
    const view = computeView(round(ok(A, 0, before)), round(ok(A, 1_000, restarted)));
    expect(view.rpcs[0].window).toMatchObject({ requests: 3, rps: 3, success: 1 });
    // The 3 since the restart: 1 up to 10 ms, 2 in (10, 100] ms; p50 rank 1.5 → 10 + 90 × 0.5/2.
    expect(view.rpcs[0].window?.p50).toBeCloseTo(0.0325, 12);

    const fresh = computeView(round(ok(A, 0, '')), round(ok(A, 2_000, restarted)));
    expect(fresh.rpcs[0].window).toMatchObject({ requests: 3, rps: 1.5 });
  });

  it('adds the instances of a service up: requests, their rates (each over its own time), buckets', () => {
    const labels = 'service="emotion",rpc_service="emotion.EmotionService",rpc_method="AnalyzeFrame",rpc_grpc_status_code="0"';
    const unavailable = 'service="emotion",rpc_service="emotion.EmotionService",rpc_method="AnalyzeFrame",rpc_grpc_status_code="14"';
    const zero = series(labels, [
      ['0.01', 0],
      ['0.1', 0],
      ['+Inf', 0],
    ]);
    const view = computeView(
      round(ok(A, 0, zero), ok(B, 100, zero)),
      round(
        ok(
          A,
          2_000,
          series(labels, [
            ['0.01', 4],
            ['0.1', 4],
            ['+Inf', 4],
          ]),
        ),
        ok(
          B,
          4_100,
          `${series(labels, [
            ['0.01', 0],
            ['0.1', 2],
            ['+Inf', 2],
          ])}\n${series(unavailable, [
            ['0.01', 2],
            ['0.1', 2],
            ['+Inf', 2],
          ])}`,
        ),
      ),
    );
    expect(view.windowSeconds).toBe(4);
    // A: 4 in 2 s; B: 4 in 4 s.
    expect(view.rpcs).toMatchObject([
      { service: 'emotion', method: 'emotion.EmotionService/AnalyzeFrame', total: 8, window: { requests: 8, rps: 3, success: 0.75 } },
    ]);
    // 6 of the 8 up to 10 ms, 2 in (10, 100] ms: p50 rank 4 → 10 ms × 4/6.
    expect(view.rpcs[0].window?.p50).toBeCloseTo(0.01 * (4 / 6), 12);
  });

  it('lists the breakers, the outboxes and the dead letters with their increase, and the targets that failed', () => {
    const then = ['mesh_messages_total{service="scoring",queue="scoring.interview-completed",outcome="dead_lettered"} 2'].join('\n');
    const now = [
      'mesh_breaker_state{service="interview",downstream="scoring"} 2',
      'mesh_breaker_state{service="interview",downstream="emotion"} 0',
      'mesh_breaker_state{service="interview",downstream="auth"} 1',
      'mesh_breaker_state{service="interview",downstream="odd"} 7',
      'mesh_outbox_waiting_messages{service="interview"} 4',
      'mesh_outbox_oldest_age_seconds{service="interview"} 12.5',
      'mesh_outbox_waiting_messages{service="auth"} 0',
      'mesh_messages_total{service="scoring",queue="scoring.interview-completed",outcome="dead_lettered"} 5',
      'mesh_messages_total{service="scoring",queue="scoring.interview-completed",outcome="handled"} 50',
      'mesh_messages_total{service="notifier",queue="notifier.report-ready",outcome="dead_lettered"} 1',
    ].join('\n');
    const view = computeView(round(ok(A, 0, then)), round(ok(A, 1_000, now), { target: B, ok: false, error: 'no answer within 5000 ms' }));
    expect(view.breakers).toEqual([
      { service: 'interview', downstream: 'auth', state: 'half-open', instance: '10.0.0.1:9464' },
      { service: 'interview', downstream: 'emotion', state: 'closed', instance: '10.0.0.1:9464' },
      { service: 'interview', downstream: 'odd', state: 'unknown', instance: '10.0.0.1:9464' },
      { service: 'interview', downstream: 'scoring', state: 'open', instance: '10.0.0.1:9464' },
    ]);
    expect(view.outboxes).toEqual([
      { service: 'auth', waiting: 0, instance: '10.0.0.1:9464' },
      { service: 'interview', waiting: 4, oldestAgeSeconds: 12.5, instance: '10.0.0.1:9464' },
    ]);
    expect(view.deadLetters).toEqual([
      { service: 'notifier', queue: 'notifier.report-ready', total: 1, increase: 1 },
      { service: 'scoring', queue: 'scoring.interview-completed', total: 5, increase: 3 },
    ]);
    expect(view.failed).toEqual([{ target: B, error: 'no answer within 5000 ms' }]);
    expect(view.answered).toEqual([A]);
  });
});
