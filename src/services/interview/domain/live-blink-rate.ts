/**
 * The live blink rate StreamInterview sends with each emotion update, from the emotion service's
 * count of the interview's blinks as of each frame (emotion.BlinkMetrics.count: the eye aspect ratio
 * over consecutive frames, Soukupova and Cech 2016). The interview service sees only those counts,
 * so the rate is the count's rise over a window of the stream's recent frames, over the capture time
 * they span. The report's window and shortest span (platform/contracts/blink-rate.ts: 60 s, 15 s).
 * Pure, in memory, one per stream.
 */
import { BLINK_WINDOW_MS, blinksPerMinute, MIN_RATE_SPAN_MS } from '../../../platform/contracts/blink-rate';

/** One frame's blink figures for the emotion update; every field undefined when its blinks were not tracked. */
export interface LiveBlinks {
  /** The interview's blinks so far as of the frame. */
  readonly blinkCount: number | undefined;
  /** Blinks a minute over the window, one decimal; undefined when untracked or while the window spans under {@link MIN_RATE_SPAN_MS}. */
  readonly blinkRatePerMinute: number | undefined;
  /** The window's span, seconds, one decimal; undefined with the rate. */
  readonly blinkRateWindowSeconds: number | undefined;
}

const UNTRACKED: LiveBlinks = { blinkCount: undefined, blinkRatePerMinute: undefined, blinkRateWindowSeconds: undefined };

interface Sample {
  readonly t: number;
  readonly count: number;
}

/**
 * One stream's window of (capture time, blink count) pairs. A stream holds one interview's frames,
 * so the window is that interview's as this stream saw it: a new stream (a reconnect) starts an
 * empty one. At most one sample per frame of the last 60 s is kept (10 frames a second is the
 * stream's limit: 600 at most).
 */
export class LiveBlinkRate {
  private samples: Sample[] = [];

  /**
   * Adds a frame's count (undefined when its blinks were not tracked) at `capturedAtMs` (ms since
   * the epoch) and returns the frame's figures. A frame no later than the window's latest one (a
   * late or repeated capture time) is not added, as the emotion service does not count it either;
   * it gets the window's rate as it stands.
   */
  update(capturedAtMs: number, blinkCount: number | undefined): LiveBlinks {
    if (blinkCount === undefined) return UNTRACKED;
    const latest = this.samples.at(-1);
    if (!latest || capturedAtMs > latest.t) {
      this.samples.push({ t: capturedAtMs, count: blinkCount });
      const from = capturedAtMs - BLINK_WINDOW_MS;
      const keepFrom = this.samples.findIndex((s) => s.t >= from);
      if (keepFrom > 0) this.samples = this.samples.slice(keepFrom);
    }
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = last.t - first.t;
    if (span < MIN_RATE_SPAN_MS) return { ...UNTRACKED, blinkCount };
    const blinks = Math.max(0, last.count - first.count);
    return {
      blinkCount,
      blinkRatePerMinute: blinksPerMinute(blinks, span),
      blinkRateWindowSeconds: Math.round(span / 100) / 10,
    };
  }
}
