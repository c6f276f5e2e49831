/**
 * runStat against metrics endpoints and a Consul agent served here (node:http): --once, the live
 * view (plain and in place), unreachable targets, exit codes; and the option parsers.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { formatDuration, parseDuration, runStat } from '../../../src/stat/stat';
import { consulTargets, dedupeTargets, parseTarget } from '../../../src/stat/targets';

interface Served {
  readonly address: string;
  /** Requests it answered, by path. */
  readonly requests: { path: string; token?: string }[];
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port answering `handle(path, n)` (n: the requests so far, from 0), as JSON unless a string. */
async function serve(handle: (path: string, n: number) => unknown): Promise<Served> {
  const requests: { path: string; token?: string }[] = [];
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = handle(path, requests.length);
    requests.push({ path, token: request.headers['x-consul-token'] as string | undefined });
    if (body === undefined) response.writeHead(404).end('not found\n');
    else if (typeof body === 'string') response.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<string> {
  const server = await serve(() => '');
  await server.close();
  return server.address;
}

/** A metrics endpoint whose Login count grows by 5 (all OK, 3 under 10 ms and 2 under 50 ms) at every scrape. */
function growingMetrics(): (path: string, n: number) => string | undefined {
  return (path, n) => {
    if (path !== '/metrics') return undefined;
    const labels = 'service="auth",rpc_system="grpc",rpc_service="auth.v1.AuthService",rpc_method="Login",rpc_grpc_status_code="0"';
    return [
      '# TYPE rpc_server_call_duration_seconds histogram',
      `rpc_server_call_duration_seconds_bucket{le="0.01",${labels}} ${3 * n}`,
      `rpc_server_call_duration_seconds_bucket{le="0.05",${labels}} ${5 * n}`,
      `rpc_server_call_duration_seconds_bucket{le="+Inf",${labels}} ${5 * n}`,
      `rpc_server_call_duration_seconds_sum{${labels}} ${0.1 * n}`,
      `rpc_server_call_duration_seconds_count{${labels}} ${5 * n}`,
      'mesh_breaker_state{service="interview",downstream="emotion"} 0',
      '',
    ].join('\n');
  };
}

/** Collects what runStat writes. */
function output(isTTY = false): { write(text: string): boolean; readonly isTTY: boolean; text: string } {
  return {
    isTTY,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

const servers: Served[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function started(handle: (path: string, n: number) => unknown): Promise<Served> {
  const server = await serve(handle);
  servers.push(server);
  return server;
}

describe('runStat --once', () => {
  it('prints the window between two scrapes, plainly, and names the target that does not answer', async () => {
    const metrics = await started(growingMetrics());
    const down = await closedPort();
    const out = output();
    const code = await runStat({ targets: [`${metrics.address},${down}`], once: true, intervalMs: 2_000, windowMs: 200 }, { out });
    expect(code).toBe(0);
    expect(metrics.requests.map((r) => r.path)).toEqual(['/metrics', '/metrics']);
    const lines = out.text.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^targets: ${metrics.address} · window 0\\.\\d s$`));
    expect(lines[1]).toBe(`unreachable: ${down}: connect ECONNREFUSED ${down}`);
    const row = lines.find((l) => l.includes('auth.v1.AuthService/Login'));
    // 5 calls in the window, all OK; p50: rank 2.5 of 3 under 10 ms → 8.33 ms; p95: rank 4.75 → 10 + 40 × 1.75/2 = 45 ms; p99: rank 4.95 → 10 + 40 × 1.95/2 = 49 ms.
    expect(row).toMatch(/^auth +auth\.v1\.AuthService\/Login {2}100\.00% +\d+\.\d\d +5 +5 +8\.33 +45\.0 +49\.0$/);
    expect(out.text).toContain('interview  emotion     closed');
    expect(out.text).not.toContain('\x1b');
  });

  it('exits 1, without waiting for the window, when no target answers', async () => {
    const down = await closedPort();
    const out = output();
    const started = Date.now();
    expect(await runStat({ targets: [down], once: true, intervalMs: 2_000, windowMs: 60_000 }, { out })).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.text).toContain(`targets: none answered · first scrape, no window yet\nunreachable: ${down}: connect ECONNREFUSED`);
  });

  it('reports an endpoint that answers something else than metrics', async () => {
    const html = await started((path) => (path === '/metrics' ? '<html>hello</html>' : undefined));
    const missing = await started(() => undefined);
    const out = output();
    expect(await runStat({ targets: [html.address, `http://${missing.address}/other`], once: true, intervalMs: 2_000, windowMs: 10 }, { out })).toBe(1);
    expect(out.text).toContain(`unreachable: ${html.address}: line 1: expected a metric name, got "<html>hello</html>"`);
    expect(out.text).toContain(`unreachable: http://${missing.address}/other: HTTP 404 Not Found`);
  });
});

describe('runStat live', () => {
  it('redraws in place on a terminal until aborted, then shows the cursor again and returns 0', async () => {
    const metrics = await started(growingMetrics());
    const out = output(true);
    const controller = new AbortController();
    const running = runStat(
      { targets: [metrics.address], once: false, intervalMs: 100, windowMs: 5_000 },
      { out, signal: controller.signal, now: () => new Date(2025, 0, 1, 9, 30, 5) },
    );
    while (metrics.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await running).toBe(0);
    const frames = out.text.split('\x1b[H').slice(1);
    expect(out.text.startsWith('\x1b[?25l\x1b[2J\x1b[H')).toBe(true);
    expect(out.text.endsWith('\x1b[?25h\n')).toBe(true);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toContain('interview-mesh stat · every 100ms · 09:30:05 · Ctrl-C to quit\x1b[K\n');
    expect(frames[0]).toContain('first scrape, no window yet');
    // Every line clears what an earlier, longer frame left on it; the frame clears what is below it.
    const login = frames[1].split('\n').find((line) => line.includes('auth.v1.AuthService/Login')) ?? '';
    expect(login).toMatch(/^auth +auth\.v1\.AuthService\/Login {2}100\.00% +\d+\.\d\d +5 +\d+ /);
    expect(login.endsWith('\x1b[K')).toBe(true);
    expect(frames[1]).toContain('\x1b[J');
  });

  it('prints frame after frame without escape sequences when the output is not a terminal', async () => {
    const metrics = await started(growingMetrics());
    const out = output(false);
    const controller = new AbortController();
    const running = runStat({ targets: [metrics.address], once: false, intervalMs: 50, windowMs: 5_000 }, { out, signal: controller.signal });
    while (metrics.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await running).toBe(0);
    expect(out.text).not.toContain('\x1b');
    expect(out.text.split('interview-mesh stat · every 50ms').length - 1).toBeGreaterThanOrEqual(2);
  });

  it('returns 1 when no target answers the first scrape', async () => {
    const out = output(true);
    expect(await runStat({ targets: [await closedPort()], once: false, intervalMs: 100, windowMs: 5_000 }, { out })).toBe(1);
    expect(out.text).toContain('targets: none answered');
  });
});

describe('Consul', () => {
  /** A Consul agent's catalog: auth and interview in one process (one metrics port), emotion elsewhere, notifier without metrics_port. */
  function catalog(metricsAddress: string) {
    const [host, port] = metricsAddress.split(':');
    const entry = (service: string, id: string, address: string, meta: Record<string, string>) => ({
      Node: { Address: '10.9.9.9' },
      Service: { ID: id, Service: service, Address: address, Meta: meta },
    });
    return (path: string): unknown => {
      switch (path) {
        case '/v1/catalog/services':
          return { consul: [], auth: ['grpc'], interview: ['grpc'], emotion: [], notifier: [] };
        case '/v1/health/service/auth':
          return [entry('auth', 'auth-1', host, { grpc_services: 'auth.v1.AuthService', metrics_port: port })];
        case '/v1/health/service/interview':
          return [entry('interview', 'interview-1', host, { metrics_port: port })];
        case '/v1/health/service/emotion':
          return [entry('emotion', 'emotion-1', '', { metrics_port: '9470' })];
        case '/v1/health/service/notifier':
          return [entry('notifier', 'notifier-1', host, {}), { ...entry('notifier', 'notifier-2', host, {}), Service: { ID: 'notifier-2', Meta: null } }];
        default:
          return undefined;
      }
    };
  }

  it("lists each instance's metrics endpoint once, at its address (else its node's) and its registration's metrics_port", async () => {
    const consul = await started(catalog('127.0.0.1:9464'));
    const listed = await consulTargets(consul.address, 'secret-token');
    expect(listed.targets).toEqual([
      { url: 'http://127.0.0.1:9464/metrics', label: '127.0.0.1:9464', services: ['auth', 'interview'] },
      { url: 'http://10.9.9.9:9470/metrics', label: '10.9.9.9:9470', services: ['emotion'] },
    ]);
    expect(listed.withoutMetrics).toEqual(['notifier notifier-1', 'notifier notifier-2']);
    expect(consul.requests.every((r) => r.token === 'secret-token')).toBe(true);
    expect(consul.requests.map((r) => r.path)).not.toContain('/v1/health/service/consul');
  });

  it('scrapes what Consul lists, saying which instances name no metrics port', async () => {
    const metrics = await started(growingMetrics());
    const consul = await started((path) => (path === '/v1/health/service/emotion' ? [] : catalog(metrics.address)(path)));
    const out = output();
    expect(await runStat({ targets: [], consul: consul.address, once: true, intervalMs: 2_000, windowMs: 100 }, { out })).toBe(0);
    expect(out.text).toContain(`targets: ${metrics.address} (auth, interview) · window`);
    expect(out.text).toContain('no metrics_port in Consul for: notifier notifier-1, notifier notifier-2');
    expect(out.text).toMatch(/auth\.v1\.AuthService\/Login {2}100\.00%/);
  });

  it('says so when Consul cannot be asked, and exits 1 with no other target', async () => {
    const down = await closedPort();
    const out = output();
    expect(await runStat({ targets: [], consul: down, once: true, intervalMs: 2_000, windowMs: 100 }, { out })).toBe(1);
    expect(out.text).toContain(`Consul at http://${down} could not list the services:`);
  });
});

describe('option parsers', () => {
  it('reads targets as host:port, host, [v6]:port or URLs', () => {
    expect(parseTarget('127.0.0.1:9464')).toEqual({ url: 'http://127.0.0.1:9464/metrics', label: '127.0.0.1:9464', services: [] });
    expect(parseTarget('mesh-host')).toEqual({ url: 'http://mesh-host:9464/metrics', label: 'mesh-host:9464', services: [] });
    expect(parseTarget('mesh-host:80').label).toBe('mesh-host:80');
    expect(parseTarget('[::1]:9464')).toEqual({ url: 'http://[::1]:9464/metrics', label: '[::1]:9464', services: [] });
    expect(parseTarget('http://10.0.0.5:9464')).toEqual({ url: 'http://10.0.0.5:9464/metrics', label: '10.0.0.5:9464', services: [] });
    expect(parseTarget('https://mesh.example/prom/metrics')).toEqual({
      url: 'https://mesh.example/prom/metrics',
      label: 'https://mesh.example/prom/metrics',
      services: [],
    });
    expect(() => parseTarget('ftp://x')).toThrow('a target is host:port or an http(s) URL of a metrics endpoint, got "ftp://x"');
    expect(() => parseTarget('a b')).toThrow(/a target is host:port/);
    expect(dedupeTargets([parseTarget('h:1'), parseTarget('http://h:1/metrics'), parseTarget('h:2')]).map((t) => t.label)).toEqual(['h:1', 'h:2']);
  });

  it('reads durations with a unit, or seconds', () => {
    expect([parseDuration('2s'), parseDuration('500ms'), parseDuration('1.5s'), parseDuration('1m'), parseDuration('3'), parseDuration('.5s')]).toEqual([
      2_000, 500, 1_500, 60_000, 3_000, 500,
    ]);
    for (const bad of ['', 'fast', '-1s', '0s', '2h', '1e3']) expect(() => parseDuration(bad)).toThrow(/duration/);
    expect([formatDuration(2_000), formatDuration(500), formatDuration(1_500)]).toEqual(['2s', '500ms', '1.5s']);
  });
});
