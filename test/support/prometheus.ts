import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './grpc-clients';
import { runScript, stopChild } from './tools';
import { waitFor } from './wait';

/**
 * A real Prometheus server (Debian's `prometheus` package, installed by
 * scripts/infra/ensure-prometheus.sh when missing) scraping `/metrics` endpoints, queried through
 * its HTTP API with PromQL.
 *
 * Labels: every target is in one job, `mesh`, and Prometheus adds `instance` (the target's
 * `host:port`). The mesh's series carry their service's name as `service` already (one process may
 * run several services, so a label per target could not say which), so a PromQL query selects a
 * service with `{service="interview"}`; a target may add labels of its own (say `process`), never
 * `service`, `job` or `instance`.
 */
export interface PrometheusTarget {
  /** `host:port` of an HTTP server serving `/metrics`. */
  readonly address: string;
  /** Labels added to every series scraped from it. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PrometheusOptions {
  /** What to scrape at first (`host:port`, or with labels); setTargets changes it later. */
  readonly targets: readonly (string | PrometheusTarget)[];
  /** How often each target is scraped; 1000 ms by default. The scrape timeout is the same. */
  readonly scrapeIntervalMs?: number;
}

/** One series of an instant vector: its labels (`__name__` included) and its value at the query's time. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
  /** Seconds since the epoch (Prometheus's own unit). */
  readonly timestamp: number;
}

/** What /api/v1/query answers, values as numbers (NaN and ±Inf included). */
export type PromQueryResult =
  | { readonly resultType: 'vector'; readonly samples: readonly PromSample[] }
  | { readonly resultType: 'scalar'; readonly value: number; readonly timestamp: number };

/** A scrape target as /api/v1/targets reports it. */
export interface PromTargetHealth {
  readonly address: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Prometheus {
  /** `http://127.0.0.1:<port>`: its web UI and HTTP API. */
  readonly url: string;
  /** The configuration file it runs with (`promtool check config` accepts it). */
  readonly configFile: string;
  /**
   * Runs an instant query (/api/v1/query) at `time` (ms since the epoch; now by default).
   * @throws Error with Prometheus's message when the query is refused (a syntax error, say).
   */
  query(promql: string, time?: number): Promise<PromQueryResult>;
  /**
   * The value of a query that yields one number: a scalar, or a vector of one sample. Undefined
   * for an empty vector (no series yet).
   * @throws Error when the vector has several samples (aggregate with sum() first).
   */
  value(promql: string): Promise<number | undefined>;
  /** Polls `promql` (every 250 ms) until `check` accepts its result, which it resolves with. */
  waitForQuery(promql: string, check: (result: PromQueryResult) => boolean, timeoutMs?: number): Promise<PromQueryResult>;
  /** Polls `promql`'s single value (see value()) until `check` accepts it, which it resolves with. */
  waitForValue(promql: string, check: (value: number) => boolean, timeoutMs?: number): Promise<number>;
  /** The active targets and their health. */
  targets(): Promise<PromTargetHealth[]>;
  /**
   * Resolves once every configured target has been scraped successfully (health `up`): about 5 s
   * after start or setTargets() (Prometheus 2.42 applies discovered targets every 5 s).
   */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  /**
   * Replaces the targets (file-based discovery, no restart). Prometheus 2.42 applies discovered
   * targets every 5 s, so a new target is first scraped about 5 s later: waitForTargetsUp() waits.
   */
  setTargets(targets: readonly (string | PrometheusTarget)[]): Promise<void>;
  logs(): string;
  /** Stops the server (SIGTERM, SIGKILL after 10 s) and removes its configuration and TSDB. */
  stop(): Promise<void>;
}

/** The absolute paths of `prometheus` and `promtool`, installing Debian's package when missing. */
export function prometheusPaths(): { prometheus: string; promtool: string } {
  const [prometheus, promtool] = runScript('scripts/infra/ensure-prometheus.sh', [], { timeoutMs: 600_000 }).split(' ');
  if (!prometheus || !promtool) throw new Error('scripts/infra/ensure-prometheus.sh printed no paths');
  return { prometheus, promtool };
}

/** The absolute path of `promtool` (`promtool check rules FILE`, `promtool test rules FILE`, `promtool check config FILE`). */
export function promtoolPath(): string {
  return prometheusPaths().promtool;
}

const JOB = 'mesh';

function normalise(target: string | PrometheusTarget): PrometheusTarget {
  return typeof target === 'string' ? { address: target } : target;
}

/** Prometheus's numbers come as strings: "NaN", "+Inf" and "-Inf" included. */
function promNumber(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

type RawQueryData =
  | { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] }
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'matrix' | 'string'; result: unknown };

interface RawTarget {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  labels: Record<string, string>;
}

/**
 * Starts Prometheus on a free loopback port with a temporary configuration and TSDB, scraping
 * `targets` every `scrapeIntervalMs` (1 s by default), and resolves once it is ready (/-/ready).
 * The targets are in a file-discovery file next to the configuration, so setTargets() may change
 * them without a restart.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const { prometheus: binary } = prometheusPaths();
  const intervalMs = options.scrapeIntervalMs ?? 1_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mesh-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  const targetsFile = path.join(dir, 'targets.json');
  let expected: PrometheusTarget[] = [];

  const writeTargets = async (targets: readonly (string | PrometheusTarget)[]) => {
    expected = targets.map(normalise);
    const groups = expected.map((t) => ({ targets: [t.address], labels: { ...t.labels } }));
    // Written whole and renamed into place: the watcher never reads half a file.
    await writeFile(`${targetsFile}.partial`, JSON.stringify(groups, null, 2));
    await rename(`${targetsFile}.partial`, targetsFile);
  };
  await writeTargets(options.targets);
  // JSON is YAML: no YAML library needed.
  const config = {
    global: { scrape_interval: `${intervalMs}ms`, scrape_timeout: `${intervalMs}ms`, evaluation_interval: `${intervalMs}ms` },
    scrape_configs: [{ job_name: JOB, metrics_path: '/metrics', scheme: 'http', file_sd_configs: [{ files: [targetsFile], refresh_interval: '1s' }] }],
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      // Small, short-lived: no WAL compression work, and keep nothing past the test.
      '--storage.tsdb.retention.time=1h',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.once('error', (error) => output.push(`spawn failed: ${error.message}\n`));
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };

  const api = async <T>(endpoint: string, params: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${url}/api/v1/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    const body = (await response.json()) as ApiResponse<T>;
    if (body.status !== 'success' || body.data === undefined) {
      throw new Error(`Prometheus ${endpoint} ${JSON.stringify(params)}: ${body.errorType ?? response.status}: ${body.error ?? 'no data'}`);
    }
    return body.data;
  };

  const query = async (promql: string, time?: number): Promise<PromQueryResult> => {
    const data = await api<RawQueryData>('query', { query: promql, ...(time === undefined ? {} : { time: String(time / 1000) }) });
    switch (data.resultType) {
      case 'vector':
        return {
          resultType: 'vector',
          samples: data.result.map(({ metric, value: [timestamp, text] }) => ({ metric, value: promNumber(text), timestamp })),
        };
      case 'scalar':
        return { resultType: 'scalar', value: promNumber(data.result[1]), timestamp: data.result[0] };
      default:
        throw new Error(`Prometheus answered ${promql} with a ${data.resultType}: use an instant vector or a scalar`);
    }
  };

  const value = async (promql: string): Promise<number | undefined> => {
    const result = await query(promql);
    if (result.resultType === 'scalar') return result.value;
    if (result.samples.length > 1) {
      throw new Error(`${promql} yields ${result.samples.length} series, not one: ${result.samples.map((s) => JSON.stringify(s.metric)).join(', ')}`);
    }
    return result.samples[0]?.value;
  };

  async function waitForQuery(promql: string, check: (result: PromQueryResult) => boolean, timeoutMs = 30_000): Promise<PromQueryResult> {
    let last: PromQueryResult | undefined;
    try {
      await waitFor(
        `Prometheus: ${promql}`,
        async () => {
          last = await query(promql);
          return check(last);
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; its last result: ${JSON.stringify(last)}`, { cause: error });
    }
    return last!;
  }

  const targets = async (): Promise<PromTargetHealth[]> => {
    const response = await fetch(`${url}/api/v1/targets?state=active`);
    const body = (await response.json()) as ApiResponse<{ activeTargets: RawTarget[] }>;
    return (body.data?.activeTargets ?? []).map((t) => ({
      address: new URL(t.scrapeUrl).host,
      health: t.health,
      lastError: t.lastError,
      labels: t.labels,
    }));
  };

  try {
    await waitFor(
      'Prometheus to be ready',
      async () => {
        if (!running()) throw new Error('Prometheus exited');
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
      },
      30_000,
      100,
    );
  } catch (error) {
    await stop();
    throw new Error(`Prometheus did not start (${(error as Error).message}):\n${output.join('')}`, { cause: error });
  }

  return {
    url,
    configFile,
    query,
    value,
    waitForQuery,
    waitForValue: async (promql, check, timeoutMs = 30_000) => {
      let last: number | undefined;
      await waitFor(
        `Prometheus: ${promql}`,
        async () => {
          last = await value(promql);
          return last !== undefined && check(last);
        },
        timeoutMs,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; its last value: ${String(last)}`, { cause: error });
      });
      return last!;
    },
    targets,
    waitForTargetsUp: async (timeoutMs = 30_000) => {
      let last: PromTargetHealth[] = [];
      await waitFor(
        'every Prometheus target up',
        async () => {
          last = await targets();
          const up = new Set(last.filter((t) => t.health === 'up').map((t) => t.address));
          return expected.every((t) => up.has(t.address));
        },
        timeoutMs,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; targets: ${JSON.stringify(last)}`, { cause: error });
      });
    },
    setTargets: writeTargets,
    logs: () => output.join(''),
    stop,
  };
}
