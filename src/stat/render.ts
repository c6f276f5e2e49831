/** The text `npm run stat` prints: plain, aligned tables (no colour, no escape sequence). */
import { StatView } from './stats';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align: Align;
}

/** The gap between two columns. */
const GAP = '  ';

/**
 * `rows` under `columns`' headers, each column as wide as its widest cell, left- or right-aligned,
 * two spaces apart, no trailing spaces. Throws when a row has another number of cells.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`a row has ${row.length} cells for ${columns.length} columns`);
  }
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}

/** A share as a percentage with two decimals (`100.00%`); `-` when undefined (no request). */
export function formatPercent(share: number | undefined): string {
  return share === undefined ? '-' : `${(share * 100).toFixed(2)}%`;
}

/** Requests per second, two decimals; `-` when unknown (no window yet). */
export function formatRate(rps: number | undefined): string {
  return rps === undefined ? '-' : rps.toFixed(2);
}

/** Seconds as milliseconds, three significant digits or more (`0.650`, `4.25`, `42.5`, `1250`); `-` when undefined. */
export function formatMs(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  const ms = seconds * 1000;
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** A count: an integer as it is, anything else with two decimals; `-` when undefined. */
export function formatCount(count: number | undefined): string {
  if (count === undefined) return '-';
  return Number.isInteger(count) ? String(count) : count.toFixed(2);
}

/** Seconds with one decimal; `-` when undefined. */
export function formatSeconds(seconds: number | undefined): string {
  return seconds === undefined ? '-' : seconds.toFixed(1);
}

const left = (header: string): Column => ({ header, align: 'left' });
const right = (header: string): Column => ({ header, align: 'right' });

export interface RenderOptions {
  /** Lines printed above the tables (the live view's heading). */
  readonly heading?: readonly string[];
  /** Further remarks (instances Consul lists without a metrics port, a Consul error). */
  readonly notes?: readonly string[];
}

/**
 * The view as text: which targets answered (and which did not, with why), then four tables: the
 * RPCs served (success rate, requests per second and in the window, since start, latency p50/p95/p99
 * in ms), the breakers, the outboxes and the dead letters. With more than one target answering,
 * the breakers and outboxes name the instance (the target) each row was read from.
 */
export function renderView(view: StatView, options: RenderOptions = {}): string {
  const lines: string[] = [...(options.heading ?? [])];
  const window = view.windowSeconds === undefined ? 'first scrape, no window yet' : `window ${view.windowSeconds.toFixed(1)} s`;
  const targets = view.answered.map((t) => (t.services.length ? `${t.label} (${t.services.join(', ')})` : t.label));
  lines.push(`targets: ${targets.length ? targets.join(', ') : 'none answered'} · ${window}`);
  for (const { target, error } of view.failed) lines.push(`unreachable: ${target.label}: ${error}`);
  for (const note of options.notes ?? []) lines.push(note);
  const instances = view.answered.length > 1;

  lines.push('', 'RPCs served');
  if (view.rpcs.length === 0) lines.push('none yet');
  else {
    lines.push(
      ...formatTable(
        [left('SERVICE'), left('METHOD'), right('SUCCESS'), right('RPS'), right('REQUESTS'), right('TOTAL'), right('P50_MS'), right('P95_MS'), right('P99_MS')],
        view.rpcs.map((r) => [
          r.service,
          r.method,
          formatPercent(r.window?.success),
          formatRate(r.window?.rps),
          formatCount(r.window?.requests),
          formatCount(r.total),
          formatMs(r.window?.p50),
          formatMs(r.window?.p95),
          formatMs(r.window?.p99),
        ]),
      ),
    );
  }

  lines.push('', 'Breakers');
  if (view.breakers.length === 0) lines.push('none');
  else {
    const columns = [left('SERVICE'), left('DOWNSTREAM'), left('STATE'), ...(instances ? [left('INSTANCE')] : [])];
    lines.push(
      ...formatTable(
        columns,
        view.breakers.map((b) => [b.service, b.downstream, b.state, ...(instances ? [b.instance] : [])]),
      ),
    );
  }

  lines.push('', 'Outboxes');
  if (view.outboxes.length === 0) lines.push('none');
  else {
    const columns = [left('SERVICE'), right('WAITING'), right('OLDEST_AGE_S'), ...(instances ? [left('INSTANCE')] : [])];
    lines.push(
      ...formatTable(
        columns,
        view.outboxes.map((o) => [o.service, formatCount(o.waiting), formatSeconds(o.oldestAgeSeconds), ...(instances ? [o.instance] : [])]),
      ),
    );
  }

  lines.push('', 'Dead letters');
  if (view.deadLetters.length === 0) lines.push('none');
  else {
    lines.push(
      ...formatTable(
        [left('SERVICE'), left('QUEUE'), right('TOTAL'), right('IN_WINDOW')],
        view.deadLetters.map((d) => [d.service, d.queue, formatCount(d.total), formatCount(d.increase)]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
