import { FRAMES_PER_SECOND, LevelResult } from './level';
import { SERVICES } from './services';
import { Percentiles, percentiles } from './stats';

/** The saturation criteria: a level is served when all hold. */
export const SERVED = {
  /** Sustained frames a second at least this share of those offered. */
  sustainedShare: 0.98,
  /** SendFrame's p99 under this, milliseconds (of the calls after the warm-up: LevelContext.warmupSeconds). */
  p99Ms: 70,
} as const;

/** The processes whose CPU time is shown, in this order: the services, then the servers, then the load generators. */
const CPU_COLUMNS: readonly [key: string, label: string][] = [
  ...SERVICES.map((name): [string, string] => [name, name]),
  ['postgresql', 'PostgreSQL'],
  ['rabbitmq', 'RabbitMQ'],
  ['ghz', 'ghz'],
  ['bench', 'bench'],
];

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : '-');
const ms = ({ p50, p99 }: Percentiles) => `p50 ${fixed(p50)} ms, p99 ${fixed(p99)} ms`;
const counts = (byCode: Readonly<Record<string, number>>) =>
  Object.entries(byCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || 'none';
const total = (byCode: Readonly<Record<string, number>>) => Object.values(byCode).reduce((sum, n) => sum + n, 0);
/** The CPU time per frame of every process shown (CPU_COLUMNS), milliseconds. */
const cpuTotal = (level: LevelResult) => CPU_COLUMNS.reduce((sum, [key]) => sum + (level.cpuMsPerFrame[key] ?? 0), 0);

/** The processes' CPU time with the mesh idle, milliseconds a second. */
export function idleLine(cpuMsPerSecond: Readonly<Record<string, number>>, durationMs: number): string {
  const processes = CPU_COLUMNS.filter(([key]) => key in cpuMsPerSecond)
    .map(([key, label]) => `${label} ${fixed(cpuMsPerSecond[key], 1)}`)
    .join(', ');
  return `idle (no interview, ${durationMs / 1_000} s), CPU ms/s: ${processes}`;
}

/** Frames SendFrame accepted that a service has not stored: accepted - stored. */
export function lost(level: LevelResult): { emotion: number; scoring: number } {
  return { emotion: level.accepted - level.frames.analyzed, scoring: level.accepted - level.frames.sampled };
}

/** Why a level is not served (SERVED), empty when it is. */
export function shortfalls(level: LevelResult): string[] {
  const reasons: string[] = [];
  if (level.sustainedFps < SERVED.sustainedShare * level.offeredFps) reasons.push(`sustained < ${SERVED.sustainedShare} x offered`);
  if (!(level.ghz.steadyLatencyMs.p99 < SERVED.p99Ms)) reasons.push(`p99 >= ${SERVED.p99Ms} ms`);
  if (total(level.refused) > 0) reasons.push('refused');
  if (total(level.failed) > 0) reasons.push('failed');
  const { emotion, scoring } = lost(level);
  if (emotion > 0 || scoring > 0 || !level.drained) reasons.push('lost');
  return reasons;
}

/** The error messages ghz saw, the most frequent first, at most `limit`. */
function topErrors(errors: Readonly<Record<string, number>>, limit = 3): string[] {
  return Object.entries(errors)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([message, n]) => `${n} x ${message.slice(0, 200)}`);
}

/** Two columns: what, and its figures. */
function table(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n');
}

/** The level's table. */
export function levelTable(level: LevelResult, seconds: number, warmupSeconds: number): string {
  const { ghz, frames, streams, broker, lagMs, steadyLagMs } = level;
  const after = `after the first ${warmupSeconds} s`;
  const unsent = Math.round(level.offeredFps * seconds) - ghz.calls;
  const updates = total(streams.updates);
  const perFrameCpu = CPU_COLUMNS.map(([key, label]) => `${label} ${fixed(level.cpuMsPerFrame[key], 2)}`).join(', ');
  const { emotion, scoring } = lost(level);
  const rows: [string, string][] = [
    [
      'frames/s offered, sustained',
      `${fixed(level.offeredFps)} offered, ${fixed(level.sustainedFps, 2)} sustained (${level.accepted} OK of ${ghz.calls} calls over ${fixed(level.sustainedSeconds, 2)} s; first call to last answer ${fixed(ghz.spanSeconds, 2)} s)${unsent !== 0 ? `; ${unsent} calls ghz did not make` : ''}`,
    ],
    ['SendFrame latency (OK calls)', `${ms(ghz.steadyLatencyMs)} ${after} (${ghz.steadyCalls} calls); all: ${ms(ghz.latencyMs)}`],
    ['frames refused (by code)', counts(level.refused)],
    ['frames failed (no answer)', counts(level.failed)],
    ...topErrors(ghz.errors).map((line): [string, string] => ['  error', line]),
    ['frames queued', `${frames.queued} of ${frames.recorded} recorded had no synchronous analysis (emotion slow or refusing: analyzed through the broker)`],
    [
      'streams',
      `${streams.open} open, ${fixed(updates / streams.seconds, 2)} updates/s received (${counts(streams.updates)}); ping→pong ${ms(percentiles(streams.pongMs))}${total(streams.ended) ? `; ended early: ${counts(streams.ended)}` : ''}`,
    ],
    [
      'stored, lost',
      `emotion analyses ${frames.analyzed}, scoring samples ${frames.sampled}; lost (accepted - stored) emotion ${emotion}, scoring ${scoring}; ${level.drained ? 'drained' : 'NOT drained'} in ${fixed(level.drainMs / 1_000)} s after the load`,
    ],
    ['lag receipt → scoring sample', `${ms(steadyLagMs.receiptToSample)} ${after}; all: ${ms(lagMs.receiptToSample)}`],
    ['lag recorded → scoring sample', `${ms(steadyLagMs.recordedToSample)} ${after}; all: ${ms(lagMs.recordedToSample)}`],
    ['lag receipt → emotion stored', `${ms(steadyLagMs.receiptToAnalysis)} ${after}; all: ${ms(lagMs.receiptToAnalysis)}`],
    ['CPU ms per frame', `${perFrameCpu}; all ${fixed(cpuTotal(level), 2)}`],
    ['WAL bytes per frame', `${fixed(level.walBytesPerFrame, 0)} (${kib(level.walBytesPerFrame)})`],
    [
      'broker bytes per frame',
      `${fixed(broker.receivedBytesPerFrame, 0)} in (${kib(broker.receivedBytesPerFrame)}), ${fixed(broker.sentBytesPerFrame, 0)} out (${kib(broker.sentBytesPerFrame)}); messages per frame: ${fixed(broker.publishedPerFrame, 2)} published, ${fixed(broker.deliveredPerFrame, 2)} delivered`,
    ],
  ];
  if (level.others.transactions > 0 || level.others.published > 0) {
    rows.push([
      'shared servers',
      `meanwhile ${level.others.transactions} transactions in the cluster's other databases and ${level.others.published} messages published outside the vhost: PostgreSQL's and RabbitMQ's CPU and the WAL include their work`,
    ]);
  }
  const header = `${level.interviews} interviews x ${FRAMES_PER_SECOND} frames/s for ${seconds} s (load average ${fixed(level.loadAverage, 2)} as it began)`;
  return `${header}\n${table(rows)}`;
}

/** The summary's columns: heading, and the cell of a level. */
const SUMMARY_COLUMNS: readonly [string, (level: LevelResult) => string][] = [
  ['interviews', (l) => String(l.interviews)],
  ['offered/s', (l) => fixed(l.offeredFps)],
  ['sustained/s', (l) => fixed(l.sustainedFps)],
  ['p50 ms', (l) => fixed(l.ghz.steadyLatencyMs.p50)],
  ['p99 ms', (l) => fixed(l.ghz.steadyLatencyMs.p99)],
  ['p99 all', (l) => fixed(l.ghz.latencyMs.p99)],
  ['refused', (l) => String(total(l.refused))],
  ['failed', (l) => String(total(l.failed))],
  ['lost', (l) => String(Math.max(lost(l).emotion, lost(l).scoring))],
  ['lag p50 ms', (l) => fixed(l.steadyLagMs.receiptToSample.p50, 0)],
  ['lag p99 ms', (l) => fixed(l.steadyLagMs.receiptToSample.p99, 0)],
  ['CPU ms/frame', (l) => fixed(cpuTotal(l))],
  ['emotion CPU', (l) => fixed(l.cpuMsPerFrame.emotion)],
  ['WAL B/frame', (l) => fixed(l.walBytesPerFrame, 0)],
  ['broker B/frame', (l) => fixed(l.broker.receivedBytesPerFrame + l.broker.sentBytesPerFrame, 0)],
  ['served', (l) => (shortfalls(l).length ? 'no' : 'yes')],
];

/**
 * One line per level (latency and lag after the warm-up, `p99 all` SendFrame's over the whole level;
 * CPU ms per frame of every process counted; broker bytes in and out), and which level is the
 * highest served.
 */
export function summary(levels: readonly LevelResult[], warmupSeconds: number): string {
  const widths = SUMMARY_COLUMNS.map(([heading]) => Math.max(heading.length, 7));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i])).join(' ');
  const rows = levels.map((level) => line(SUMMARY_COLUMNS.map(([, cell]) => cell(level))));
  const note = `(p50, p99, lag: after each level's first ${warmupSeconds} s; lag: receipt → scoring sample)`;
  return [line(SUMMARY_COLUMNS.map(([heading]) => heading)), ...rows, note, '', saturation(levels)].join('\n');
}

/** The saturation statement: the highest level served (SERVED), and the first one that is not. */
export function saturation(levels: readonly LevelResult[]): string {
  const served = levels.filter((level) => shortfalls(level).length === 0);
  const best = served.at(-1);
  const firstShort = levels.find((level) => shortfalls(level).length > 0 && (!best || level.interviews > best.interviews));
  const criteria = `sustained >= ${SERVED.sustainedShare} x offered, SendFrame p99 after the warm-up < ${SERVED.p99Ms} ms, none refused, failed or lost`;
  const beyond = firstShort ? `; at ${firstShort.interviews} it is not (${shortfalls(firstShort).join(', ')})` : '';
  if (!best) return `saturation: no level was served (${criteria})${beyond}`;
  return `saturation: one emotion replica (all services one process each, on this machine) serves ${best.interviews} interviews at ${FRAMES_PER_SECOND} frames/s (${fixed(best.offeredFps)} frames/s; ${criteria})${beyond}`;
}
