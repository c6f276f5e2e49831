import { BlinkSummary } from './domain/blink/blink-tracker';
import { EyeAspectRatio } from './domain/blink/eye-aspect-ratio';
import { EmotionStore } from './store';

/**
 * What the RPCs and the frame consumer call to count a frame's eyes towards its session's blinks.
 * Tracking needs a session and the frame's own timestamp: without them (session_id empty,
 * timestamp 0) nothing is tracked and nothing is invented.
 */
export class SessionBlinks {
  constructor(private readonly store: EmotionStore) {}

  /**
   * Counts `eyes` (undefined when the frame showed no face) at `timestampMs` (ms since the epoch)
   * and returns the session's blinks so far; undefined when the frame cannot be tracked or the
   * session has had no face yet.
   */
  async update(sessionId: string, timestampMs: number, eyes: EyeAspectRatio | undefined): Promise<BlinkSummary | undefined> {
    if (!SessionBlinks.trackable(sessionId, timestampMs)) return undefined;
    if (!eyes) return this.store.currentBlinks(sessionId);
    return this.store.recordBlinkSample(sessionId, { timestampMs, ear: eyes.mean });
  }

  static trackable(sessionId: string, timestampMs: number): boolean {
    return sessionId.trim() !== '' && Number.isFinite(timestampMs) && timestampMs > 0;
  }
}
