/**
 * A parser of Prometheus's text exposition format (version 0.0.4, what prom-client serves at
 * /metrics), as far as `npm run stat` reads it: every sample line's name, labels and value.
 *
 * Written here rather than taken from npm: the one package for it, parse-prometheus-text-format
 * (1.1.1, unreleased since 2019), merges the series of a labelled histogram into one and drops their
 * labels (its issues #13 and #14, and the fix in pull request #8, are open), and the mesh's RPC
 * histograms are all labelled. The format is small: `# HELP` / `# TYPE` comments, then
 * `name{label="value",...} value [timestamp]` lines.
 */

/** One sample: a series (its name and labels) and its value at the scrape. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of one scrape, by metric name (a histogram's are under `<name>_bucket`, `_sum`, `_count`). */
export interface Exposition {
  /** `# TYPE` declarations: metric family name → counter, gauge, histogram, summary or untyped. */
  readonly types: ReadonlyMap<string, string>;
  /** Samples by their own name, in the order the text gives them. */
  readonly samples: ReadonlyMap<string, readonly Sample[]>;
}

/** A line the parser cannot read, with its (1-based) number. */
export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Parses `text`. Blank lines and comments are skipped (`# TYPE` is kept); label values may hold
 * the escapes `\\`, `\"` and `\n`; a value is a float, `NaN`, `+Inf` or `-Inf`; a timestamp after
 * it is allowed and ignored. Throws ExpositionError on a line it cannot read.
 */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Map<string, Sample[]>();
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const type = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(trimmed);
      if (type) types.set(type[1], type[2].toLowerCase());
      continue;
    }
    const sample = parseSample(trimmed, index + 1);
    const list = samples.get(sample.name);
    if (list) list.push(sample);
    else samples.set(sample.name, [sample]);
  }
  return { types, samples };
}

function parseSample(line: string, number: number): Sample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) throw new ExpositionError(number, `expected a metric name, got "${truncate(line)}"`);
  let rest = line.slice(name.length).trimStart();
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = parseLabels(rest.slice(1), labels, number);
  }
  const fields = rest.trim().split(/[ \t]+/);
  const [valueText] = fields;
  if (!valueText) throw new ExpositionError(number, `${name} has no value`);
  if (fields.length > 2 || (fields.length === 2 && !/^-?\d+$/.test(fields[1]))) {
    throw new ExpositionError(number, `expected a value and an optional timestamp after ${name}, got "${truncate(rest.trim())}"`);
  }
  return { name, labels, value: parseValue(valueText, number) };
}

/** Reads `name="value",...}` into `labels`; returns what follows the closing brace. */
function parseLabels(text: string, labels: Record<string, string>, number: number): string {
  let rest = text.trimStart();
  for (;;) {
    if (rest.startsWith('}')) return rest.slice(1);
    const name = LABEL_NAME.exec(rest)?.[0];
    if (!name) throw new ExpositionError(number, `expected a label name or "}", got "${truncate(rest)}"`);
    rest = rest.slice(name.length).trimStart();
    if (!rest.startsWith('="') && !/^=\s*"/.test(rest)) throw new ExpositionError(number, `expected ="…" after the label ${name}`);
    rest = rest.slice(rest.indexOf('"') + 1);
    let value = '';
    let i = 0;
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] !== '\\') {
        value += rest[i];
        continue;
      }
      const escaped = rest.charAt(++i);
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw new ExpositionError(number, `unknown escape "\\${escaped}" in the label ${name}`);
    }
    if (i >= rest.length) throw new ExpositionError(number, `the value of the label ${name} is not closed`);
    labels[name] = value;
    rest = rest.slice(i + 1).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (!rest.startsWith('}')) throw new ExpositionError(number, `expected "," or "}" after the label ${name}`);
  }
}

/** The value of the label `name` of `labels`, '' when it has none (as PromQL takes a missing label). */
export function labelOf(labels: Readonly<Record<string, string>>, name: string): string {
  return Object.hasOwn(labels, name) ? labels[name] : '';
}

/** A sample value as Go's strconv.ParseFloat reads it (Prometheus's own parser): floats, NaN, ±Inf. */
export function parseValue(text: string, number = 0): number {
  switch (text.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
  }
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new ExpositionError(number, `"${truncate(text)}" is not a number`);
  return value;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
