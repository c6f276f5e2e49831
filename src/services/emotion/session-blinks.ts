import { Logger } from '../../platform/log/logger';
import { BlinkSummary, isTrackableFrame } from './domain/blink/blink-tracker';
import { EyeAspectRatio } from './domain/blink/eye-aspect-ratio';
import { EmotionStore } from './store';
import { StreamBlinks } from './stream-blinks';

/** Counts a frame's eyes towards its session's blinks (SessionBlinks, or a stream's StreamBlinks). */
export interface BlinkCounter {
  /**
   * Counts `eyes` (undefined when the frame showed no face) at `timestampMs` (ms since the epoch)
   * and returns the session's blinks so far; undefined when the frame cannot be tracked or the
   * session has had no face yet.
   */
  update(sessionId: string, timestampMs: number, eyes: EyeAspectRatio | undefined): Promise<BlinkSummary | undefined>;
}

/**
 * What the RPCs and the frame consumer call to count a frame's eyes towards its session's blinks:
 * each frame one statement on the session's row in PostgreSQL, so that any replica may count any
 * frame. Tracking needs a session and the frame's own timestamp: without them (session_id empty,
 * timestamp 0) nothing is tracked and nothing is invented.
 */
export class SessionBlinks implements BlinkCounter {
  constructor(private readonly store: EmotionStore) {}

  async update(sessionId: string, timestampMs: number, eyes: EyeAspectRatio | undefined): Promise<BlinkSummary | undefined> {
    if (!SessionBlinks.trackable(sessionId, timestampMs)) return undefined;
    if (!eyes) return this.store.currentBlinks(sessionId);
    return this.store.recordBlinkSample(sessionId, { timestampMs, ear: eyes.mean });
  }

  /** The counter of one AnalyzeStream call: its sessions' state kept in memory, written behind (see StreamBlinks). */
  forStream(log: Logger): StreamBlinks {
    return new StreamBlinks(this.store, log);
  }

  static trackable(sessionId: string, timestampMs: number): boolean {
    return isTrackableFrame(sessionId, timestampMs);
  }
}
