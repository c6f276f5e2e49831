import { quantile } from '../mesh/stats';
import { FramePath } from './paths';
import { Round } from './rounds';

/** One path's figures over the measured rounds, milliseconds (its frames answered OK). */
export interface PathFigures {
  readonly name: string;
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  /** Frames answered otherwise than OK, by outcome (HTTP status, gRPC code, or the socket's error). */
  readonly refused: Readonly<Record<string, number>>;
  /** Frames accepted without a synchronous analysis (the emotion service shed them), and those whose analysis found the face. */
  readonly queued: number;
  readonly faces: number;
}

export function pathFigures(path: FramePath, rounds: readonly Round[]): PathFigures {
  const outcomes = rounds.filter((r) => !r.warmup).map((r) => r.outcomes[path.name]);
  const ok = outcomes.filter((o) => o.outcome === 'OK');
  const sorted = ok.map((o) => o.ms).sort((a, b) => a - b);
  const refused: Record<string, number> = {};
  for (const o of outcomes) if (o.outcome !== 'OK') refused[o.outcome] = (refused[o.outcome] ?? 0) + 1;
  return {
    name: path.name,
    n: ok.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    refused,
    queued: ok.filter((o) => o.queued).length,
    faces: ok.filter((o) => o.faceDetected).length,
  };
}

/** The median of the measured rounds' differences (gateway − direct), both answered OK, milliseconds. */
export function medianRoundDifference(rounds: readonly Round[], gateway: FramePath, direct: FramePath): number {
  const differences = rounds
    .filter((r) => !r.warmup && r.outcomes[gateway.name].outcome === 'OK' && r.outcomes[direct.name].outcome === 'OK')
    .map((r) => r.outcomes[gateway.name].ms - r.outcomes[direct.name].ms)
    .sort((a, b) => a - b);
  return quantile(differences, 0.5);
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-').padStart(8);
const signed = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(2)} ms` : '-');
const counts = (byOutcome: Readonly<Record<string, number>>) =>
  Object.entries(byOutcome)
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(', ') || 'none';

/** The table: a line per path, then the gateway's added latency and ratio against the anchor. */
export function table(gateway: PathFigures, direct: PathFigures, roundDifference: number): string {
  const lines = [
    `${'path (ms)'.padEnd(18)} ${'n'.padStart(5)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'p99'.padStart(8)} ${'queued'.padStart(7)} ${'face'.padStart(5)}  refused/errors`,
    ...[gateway, direct].map(
      (f) =>
        `${f.name.padEnd(18)} ${String(f.n).padStart(5)} ${ms(f.median)} ${ms(f.p90)} ${ms(f.p99)} ${String(f.queued).padStart(7)} ${String(f.faces).padStart(5)}  ${counts(f.refused)}`,
    ),
    '',
    `added by the gateway (gateway − direct): median ${signed(gateway.median - direct.median)}, p90 ${signed(gateway.p90 - direct.p90)}, p99 ${signed(gateway.p99 - direct.p99)}; median of the rounds' differences ${signed(roundDifference)}`,
    `ratio gateway / direct: median ${(gateway.median / direct.median).toFixed(2)} x, p99 ${(gateway.p99 / direct.p99).toFixed(2)} x`,
  ];
  return lines.join('\n');
}
