import http from 'node:http';
import https from 'node:https';
import type Consul from 'consul';
import { consulClient, describeAgent, parseConsulAddress } from '../platform/discovery/consul-agent';
import { Exposition, parseExposition } from './exposition';

/** A metrics endpoint to scrape. */
export interface Target {
  /** Its URL, `http://host:port/metrics`: what tells two targets apart. */
  readonly url: string;
  /** How it is shown: `host:port`, or the URL when its path is not /metrics. */
  readonly label: string;
  /** The services Consul lists at it (empty for a target given on the command line). */
  readonly services: readonly string[];
}

/**
 * A target given as `host:port`, `host` (port 9464), `[::1]:port`, or an http(s) URL (its path
 * /metrics when it has none). Throws on anything else.
 */
export function parseTarget(value: string, defaultPort = 9464): Target {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`a target is host:port or an http(s) URL of a metrics endpoint, got "${value}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || url.username || url.search || url.hash) {
    throw new Error(`a target is host:port or an http(s) URL of a metrics endpoint, got "${value}"`);
  }
  const hasScheme = withScheme === text;
  // `host` alone: the default metrics port (`host:80` is kept: URL just leaves its port implicit).
  if (!hasScheme && !/:\d+$/.test(text)) url.port = String(defaultPort);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  const hostPort = url.port ? url.host : `${url.host}:${url.protocol === 'https:' ? 443 : 80}`;
  const label = url.protocol === 'http:' && url.pathname === '/metrics' ? hostPort : url.href;
  return { url: url.href, label, services: [] };
}

/** Targets with one URL merged into one (its services joined), in the order first seen. */
export function dedupeTargets(targets: readonly Target[]): Target[] {
  const byUrl = new Map<string, Target>();
  for (const target of targets) {
    const seen = byUrl.get(target.url);
    byUrl.set(target.url, seen ? { ...seen, services: [...new Set([...seen.services, ...target.services])].sort() } : target);
  }
  return [...byUrl.values()];
}

/** What one scrape of a target gave: its samples and when they were asked for, or why there are none. */
export type ScrapeResult =
  | { readonly target: Target; readonly ok: true; readonly at: number; readonly exposition: Exposition }
  | { readonly target: Target; readonly ok: false; readonly error: string };

/** The most a scrape may return: far more than a mesh process serves. */
const MAX_BYTES = 32 * 1024 * 1024;

/**
 * GETs `target`'s metrics and parses them; never rejects: a failure (refused connection, timeout,
 * status other than 200, unreadable text) is a result with its reason. `at` is when the request
 * was sent (ms, `now()`'s clock), the time the window's rates are measured from.
 */
export async function scrape(target: Target, timeoutMs: number, now: () => number = Date.now): Promise<ScrapeResult> {
  const at = now();
  try {
    const text = await get(target.url, timeoutMs);
    return { target, ok: true, at, exposition: parseExposition(text) };
  } catch (error) {
    return { target, ok: false, error: describeError(error) };
  }
}

function get(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    // agent: false: one connection per scrape, closed after it, so nothing keeps the process alive.
    const request = client.get(url, { agent: false, timeout: timeoutMs, headers: { accept: 'text/plain' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`HTTP ${response.statusCode ?? '?'}${response.statusMessage ? ` ${response.statusMessage}` : ''}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) {
          request.destroy(new Error(`more than ${MAX_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** An error as one short phrase: `connect ECONNREFUSED 127.0.0.1:9464`, `line 3: …`. */
function describeError(error: unknown): string {
  // Duck-typed: an error of node:http may come from another realm (a test's VM context), where instanceof Error fails.
  const { message, code } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  if (typeof code === 'string') return code;
  return String(error);
}

/** One entry of Consul's GET /v1/health/service/<name>, as far as it is read here. */
interface HealthServiceEntry {
  Node?: { Address?: string };
  Service?: { ID?: string; Service?: string; Address?: string; Meta?: Record<string, string> | null };
}

/** What Consul lists: the instances' metrics endpoints, and the instances that name none. */
export interface ConsulTargets {
  readonly targets: readonly Target[];
  /** Instances without a usable `metrics_port` in their registration's Meta (`<service> <id>`). */
  readonly withoutMetrics: readonly string[];
}

/**
 * The metrics endpoints of every instance registered with the Consul agent at `agentAddress`
 * (`host:port` or an http(s) URL), passing its checks or not: each instance's address (the
 * service's, else its node's) and the port in its registration's `Meta.metrics_port`. The services
 * of one process share that endpoint: it is listed once, naming them all. `token` is an ACL token
 * that may read the catalog (the resolver's). Rejects when the agent cannot be asked.
 */
export async function consulTargets(agentAddress: string, token?: string): Promise<ConsulTargets> {
  const agent = parseConsulAddress(agentAddress, '--consul');
  const consul: Consul = consulClient(agent, token);
  try {
    const services = Object.keys(await consul.catalog.service.list())
      .filter((name) => name !== 'consul')
      .sort();
    const listed = await Promise.all(
      services.map(async (service) => ({ service, entries: (await consul.health.service({ service })) as HealthServiceEntry[] })),
    );
    const targets: Target[] = [];
    const withoutMetrics: string[] = [];
    for (const { service, entries } of listed) {
      for (const entry of entries) {
        // An instance registered without an address is reached at its node's (as Consul's DNS does).
        const own = entry.Service?.Address;
        const host = own !== undefined && own !== '' ? own : entry.Node?.Address;
        const port = Number(entry.Service?.Meta?.metrics_port);
        if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
          withoutMetrics.push(`${service} ${entry.Service?.ID ?? '?'}`);
          continue;
        }
        const target = parseTarget(`${host.includes(':') ? `[${host}]` : host}:${port}`);
        targets.push({ ...target, services: [service] });
      }
    }
    return { targets: dedupeTargets(targets), withoutMetrics };
  } catch (error) {
    throw new Error(`Consul at ${describeAgent(agent)} could not list the services: ${describeError(error)}`, { cause: error });
  } finally {
    consul.destroy();
  }
}
