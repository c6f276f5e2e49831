/**
 * `npm run stat`: a live view of a running mesh from its metrics endpoints, as `linkerd viz stat`
 * and `top` give one. Every process of the mesh serves Prometheus's text format at
 * `http://<host>:<METRICS_PORT>/metrics`; this scrapes the targets given (or the instances Consul
 * lists) twice, a window apart, and prints what happened in between (see stats.ts, render.ts).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { computeView, ScrapeRound } from './stats';
import { renderView } from './render';
import { consulTargets, dedupeTargets, parseTarget, scrape, Target } from './targets';

export interface StatOptions {
  /** Metrics endpoints, `host:port` or URLs (see parseTarget); none and no `consul`: `defaultTarget`. */
  readonly targets: readonly string[];
  /** `host:port` or URL of a Consul agent: every instance it lists with a `metrics_port` is a target, listed again at each refresh. */
  readonly consul?: string;
  /** ACL token for Consul's catalog (read access). */
  readonly consulToken?: string;
  /** The target when none is given: `127.0.0.1:9464`. */
  readonly defaultTarget?: string;
  /** Print one table, measured over `windowMs`, and return. */
  readonly once: boolean;
  /** The live view's refresh period, which is also each refresh's window, ms. */
  readonly intervalMs: number;
  /** `once`'s window, ms. */
  readonly windowMs: number;
  /** Longest a scrape waits for its answer, ms (5 s, and no more than the interval of a live view, 1 s at least). */
  readonly timeoutMs?: number;
}

export interface StatIO {
  /** Where the tables go; with `isTTY` the live view redraws in place with ANSI escapes. */
  readonly out: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Ends the live view (Ctrl-C); it then returns 0. */
  readonly signal?: AbortSignal;
  /** The clock the heading's time of day comes from. */
  readonly now?: () => Date;
}

export const DEFAULT_TARGET = '127.0.0.1:9464';

/** Cursor home, clear to the end of the line / of the screen, clear the screen, hide and show the cursor. */
const ANSI = { home: '\x1b[H', clearLine: '\x1b[K', clearBelow: '\x1b[J', clearScreen: '\x1b[2J', hideCursor: '\x1b[?25l', showCursor: '\x1b[?25h' };

/**
 * Runs the stat view; resolves with the exit code: 0, or 1 when no target answered (with `once`,
 * at either scrape; live, at the first: later outages are shown and the view goes on until
 * `io.signal` aborts). Targets that do not answer are named in a line, never thrown.
 */
export async function runStat(options: StatOptions, io: StatIO): Promise<number> {
  const explicit = options.targets.flatMap((t) => t.split(',')).filter((t) => t.trim() !== '');
  const given = dedupeTargets((explicit.length || options.consul ? explicit : [options.defaultTarget ?? DEFAULT_TARGET]).map((t) => parseTarget(t)));
  return options.once ? once(options, given, io) : live(options, given, io);
}

/** The targets of one round: those given and, with Consul, those it lists now; and remarks on the listing. */
async function resolveTargets(options: StatOptions, given: readonly Target[]): Promise<{ targets: Target[]; notes: string[] }> {
  if (!options.consul) return { targets: [...given], notes: [] };
  try {
    const listed = await consulTargets(options.consul, options.consulToken);
    const notes = listed.withoutMetrics.length ? [`no metrics_port in Consul for: ${listed.withoutMetrics.join(', ')}`] : [];
    if (listed.targets.length === 0 && listed.withoutMetrics.length === 0) {
      // With ACLs denying by default, an anonymous query is answered with an empty catalog, not an error.
      const hint = options.consulToken === undefined ? ' (no ACL token given: with ACLs on, set CONSUL_RESOLVER_TOKEN or CONSUL_HTTP_TOKEN)' : '';
      notes.push(`Consul at ${options.consul} lists no instance${hint}`);
    }
    return { targets: dedupeTargets([...given, ...listed.targets]), notes };
  } catch (error) {
    return { targets: [...given], notes: [(error as Error).message] };
  }
}

async function scrapeAll(targets: readonly Target[], timeoutMs: number): Promise<ScrapeRound> {
  return { results: await Promise.all(targets.map((target) => scrape(target, timeoutMs))) };
}

async function once(options: StatOptions, given: readonly Target[], io: StatIO): Promise<number> {
  const { targets, notes } = await resolveTargets(options, given);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const first = await scrapeAll(targets, timeoutMs);
  let view = computeView(undefined, first);
  if (view.answered.length > 0) {
    await delay(options.windowMs);
    view = computeView(first, await scrapeAll(targets, timeoutMs));
  }
  io.out.write(renderView(view, { notes }));
  return view.answered.length > 0 ? 0 : 1;
}

async function live(options: StatOptions, given: readonly Target[], io: StatIO): Promise<number> {
  const tty = io.out.isTTY === true;
  const timeoutMs = options.timeoutMs ?? Math.min(5_000, Math.max(1_000, options.intervalMs));
  const signal = io.signal ?? new AbortController().signal;
  const aborted = new Promise<undefined>((resolve) => {
    if (signal.aborted) resolve(undefined);
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve(undefined);
        },
        { once: true },
      );
  });
  let previous: ScrapeRound | undefined;
  let drawn = false;
  try {
    while (!signal.aborted) {
      const started = Date.now();
      const round = await Promise.race([
        (async () => {
          const { targets, notes } = await resolveTargets(options, given);
          return { notes, scraped: await scrapeAll(targets, timeoutMs) };
        })(),
        aborted,
      ]);
      if (!round) break;
      const view = computeView(previous, round.scraped);
      if (!previous && view.answered.length === 0) {
        // Nothing to watch: a typo, or the mesh is not running. Said once, plainly.
        if (drawn && tty) io.out.write(ANSI.clearScreen + ANSI.home);
        io.out.write(renderView(view, { notes: round.notes }));
        return 1;
      }
      const time = (io.now?.() ?? new Date()).toTimeString().slice(0, 8);
      const heading = [`interview-mesh stat · every ${formatDuration(options.intervalMs)} · ${time} · Ctrl-C to quit`];
      const text = renderView(view, { heading, notes: round.notes });
      if (tty) {
        const body = text
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => line + ANSI.clearLine)
          .join('\n');
        io.out.write((drawn ? '' : ANSI.hideCursor + ANSI.clearScreen) + ANSI.home + body + '\n' + ANSI.clearBelow);
      } else {
        io.out.write(`${drawn ? '\n' : ''}${text}`);
      }
      drawn = true;
      // A target unreachable this round has no previous scrape next round: its rates restart.
      previous = round.scraped;
      await delay(Math.max(0, options.intervalMs - (Date.now() - started)), undefined, { signal }).catch(() => undefined);
    }
    return 0;
  } finally {
    // The cursor back, and the prompt on a line of its own (after the ^C the terminal echoed).
    if (tty && drawn) io.out.write(`${ANSI.showCursor}\n`);
  }
}

/**
 * A duration as the options take it: a number and a unit, `ms`, `s`, `m` (`500ms`, `2s`, `1.5s`,
 * `1m`), or a bare number of seconds. Throws unless it is positive.
 */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?\s*$/.exec(text);
  if (!match) throw new Error(`a duration is a number and a unit (500ms, 2s, 1m), got "${text}"`);
  const ms = Number(match[1]) * (match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1_000);
  if (!(ms >= 1)) throw new Error(`a duration must be 1ms or more, got "${text}"`);
  return Math.round(ms);
}

/** `2000` → `2s`, `500` → `500ms`, `1500` → `1.5s`. */
export function formatDuration(ms: number): string {
  return ms < 1_000 ? `${ms}ms` : `${Number((ms / 1_000).toFixed(3))}s`;
}
