import { Env, integerOr } from '../config/env';

/**
 * Which frames the integrity service sees, one setting read by both ends: the interview service
 * keeps the image on an analysed frame's interview.frame.captured event at most once per
 * INTEGRITY_SAMPLE_INTERVAL_MS of each interview (its frames otherwise travel without it), and the
 * integrity service analyses a frame only that long after the session's last analysed one. The
 * default, one frame a second, is what the risk engine's debounces are counted in (a few
 * consecutive analysed frames: a few seconds); 0 turns sampling off (no analysed frame keeps its
 * image, and the integrity consumer then sees only frames the emotion service could not analyse at once).
 */
export const INTEGRITY_SAMPLE_INTERVAL_VARIABLE = 'INTEGRITY_SAMPLE_INTERVAL_MS';
/** Milliseconds between the sampled frames of an interview by default. */
export const DEFAULT_INTEGRITY_SAMPLE_INTERVAL_MS = 1_000;
/** Longest interval accepted, milliseconds (a minute: beyond it no debounce of a few frames means anything). */
export const MAX_INTEGRITY_SAMPLE_INTERVAL_MS = 60_000;
/**
 * Share of the interval by which a frame may come early and still be sampled: capture times jitter
 * (a browser's timer, a frame dropped), and a frame 990 ms after the last must not wait for the next.
 */
export const INTEGRITY_SAMPLE_TOLERANCE = 0.1;

/** INTEGRITY_SAMPLE_INTERVAL_MS, milliseconds (0 to 60000, default 1000; 0: never sampled); ConfigError names it when malformed. */
export function integritySampleIntervalMs(env: Env): number {
  return integerOr(env, INTEGRITY_SAMPLE_INTERVAL_VARIABLE, DEFAULT_INTEGRITY_SAMPLE_INTERVAL_MS, 0, MAX_INTEGRITY_SAMPLE_INTERVAL_MS);
}

/**
 * Whether a frame captured at `timestampMs` is due for sampling after one sampled at `lastMs` (none
 * yet: undefined), at `intervalMs` (0: never) less INTEGRITY_SAMPLE_TOLERANCE. A frame earlier
 * than the last (late, reordered) is not due.
 */
export function isSampleDue(timestampMs: number, lastMs: number | undefined, intervalMs: number): boolean {
  if (intervalMs <= 0) return false;
  if (lastMs === undefined) return true;
  return timestampMs - lastMs >= intervalMs * (1 - INTEGRITY_SAMPLE_TOLERANCE);
}
