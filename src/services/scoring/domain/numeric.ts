/**
 * Small numeric helpers shared by the scoring domain. Pure functions, no I/O.
 */

/**
 * Clamps `value` into the closed interval [0, 1]. Non-finite input (NaN) yields 0, so a bad
 * intermediate value can never leak out as a score.
 */
export function clamp01(value: number): number {
  if (!Number.isFinite(value)) return value === Infinity ? 1 : 0;
  if (value <= 0) return 0;
  if (value >= 1) return 1;
  return value;
}

/**
 * Rounds a score to one decimal place (the precision of every published score, 0..100).
 * Uses `Math.round` on the value times 10, so 72.25 → 72.3 (ties away from zero for positive numbers).
 */
export function roundScore(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * Rounds a ratio to three decimal places (precision of published shares/ratios, e.g. 0.333).
 */
export function roundRatio(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Converts a unit-interval value (0..1) to a score on 0..100 with one decimal place.
 */
export function toScore(unit: number): number {
  return roundScore(100 * clamp01(unit));
}

/**
 * Trapezoid "band" membership in 0..1: 1 inside [low, high]; falling linearly to 0 at `zeroBelow`
 * (for values below `low`) and at `zeroAbove` (for values above `high`). Requires
 * zeroBelow < low <= high < zeroAbove.
 */
export function bandScore(value: number, band: { zeroBelow: number; low: number; high: number; zeroAbove: number }): number {
  if (value < band.low) return clamp01((value - band.zeroBelow) / (band.low - band.zeroBelow));
  if (value > band.high) return clamp01((band.zeroAbove - value) / (band.zeroAbove - band.high));
  return 1;
}

/**
 * Locale-independent string comparison by UTF-16 code units (what "alphabetical" means everywhere
 * in this domain). Unlike `localeCompare`, it gives the same order on every machine and ICU build.
 */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Arithmetic mean of `values`; 0 for an empty list (callers document when that applies). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
