import { BlinkSummary } from './domain/blink/blink-tracker';
import { EyeAspectRatio } from './domain/blink/eye-aspect-ratio';

/** Counts a frame's eyes towards its session's blinks (SessionBlinks, or a stream's StreamBlinks). */
export interface BlinkCounter {
  /**
   * Counts `eyes` (undefined when the frame showed no face) at `timestampMs` (ms since the epoch)
   * and returns the session's blinks so far; undefined when the frame cannot be tracked or the
   * session has had no face yet.
   */
  update(sessionId: string, timestampMs: number, eyes: EyeAspectRatio | undefined): Promise<BlinkSummary | undefined>;
}
