/**
 * Blink rate over an interview, from the emotion service's count as of each frame (its eye aspect
 * ratio over consecutive frames, Soukupova and Cech 2016), read against the range of spontaneous
 * blink rates in conversation: 10.5 to 32.5 blinks a minute (Doughty 2001, "Consideration of three
 * types of spontaneous eyeblink activity in normal humans", Optometry and Vision Science 78(10)).
 * Pure and deterministic.
 */
import { BLINK_WINDOW_MS, blinksPerMinute, MIN_RATE_SPAN_MS } from '../../../platform/contracts/blink-rate';
import type { EmotionSample } from './score-types';

export { BLINK_WINDOW_MS, CONVERSATIONAL_BLINK_RATE, MIN_RATE_SPAN_MS } from '../../../platform/contracts/blink-rate';

/** The blinks of one window of the interview. */
export interface BlinkWindow {
  /** Milliseconds since the Unix epoch. */
  readonly startMs: number;
  readonly endMs: number;
  readonly blinks: number;
  /** Blinks a minute, one decimal. */
  readonly blinksPerMinute: number;
}

/** The interview's blinks: in all, and in windows of {@link BLINK_WINDOW_MS}. */
export interface BlinkRate {
  /** Blinks between the first and the last frame whose blinks were tracked. */
  readonly blinkCount: number;
  /** Seconds from the first to the last tracked frame, one decimal. */
  readonly trackedSeconds: number;
  /** Blinks a minute over the tracked span, one decimal; null under {@link MIN_RATE_SPAN_MS}. */
  readonly blinksPerMinute: number | null;
  /** Consecutive windows from the first tracked frame, each at least {@link MIN_RATE_SPAN_MS} long. */
  readonly windows: readonly BlinkWindow[];
}

/**
 * The blink rate of `samples` (any order): only frames whose blinks were tracked (`blinkCount` not
 * null) count, each carrying the interview's blinks so far. A window's blinks are the count at its
 * last tracked frame less the count at the window's start.
 */
export function blinkRate(samples: readonly EmotionSample[]): BlinkRate {
  const tracked = samples
    .filter((s): s is EmotionSample & { blinkCount: number } => s.blinkCount !== null)
    .map((s, index) => ({ t: s.timestampMs, count: s.blinkCount, index }))
    .sort((a, b) => a.t - b.t || a.index - b.index);
  const first = tracked.at(0);
  const last = tracked.at(-1);
  if (!first || !last || last.t <= first.t) return { blinkCount: 0, trackedSeconds: 0, blinksPerMinute: null, windows: [] };
  /** The count as of time `t`: the last tracked frame's at or before it. */
  const countAt = (t: number): number => {
    let count = first.count;
    for (const s of tracked) {
      if (s.t > t) break;
      count = s.count;
    }
    return count;
  };
  const span = last.t - first.t;
  const windows: BlinkWindow[] = [];
  for (let start = first.t; start < last.t; start += BLINK_WINDOW_MS) {
    const end = Math.min(start + BLINK_WINDOW_MS, last.t);
    if (end - start < MIN_RATE_SPAN_MS) break;
    const blinks = Math.max(0, countAt(end) - countAt(start));
    windows.push({ startMs: start, endMs: end, blinks, blinksPerMinute: blinksPerMinute(blinks, end - start) });
  }
  const blinkCount = Math.max(0, last.count - first.count);
  return {
    blinkCount,
    trackedSeconds: Math.round(span / 100) / 10,
    blinksPerMinute: span >= MIN_RATE_SPAN_MS ? blinksPerMinute(blinkCount, span) : null,
    windows,
  };
}
