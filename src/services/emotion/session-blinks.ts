import { Logger } from '../../platform/log/logger';
import { BlinkSummary, isTrackableFrame } from './domain/blink/blink-tracker';
import { EyeAspectRatio } from './domain/blink/eye-aspect-ratio';
import { BlinkCounter } from './blink-counter';
import { EmotionStore } from './store';
import { StreamBlinks } from './stream-blinks';

/**
 * What the RPCs and the frame consumer call to count a frame's eyes towards its session's blinks:
 * each frame one statement on the session's row in PostgreSQL, so that any replica may count any
 * frame. Tracking needs a session and the frame's own timestamp: without them (session_id empty,
 * timestamp 0) nothing is tracked and nothing is invented.
 */
export class SessionBlinks implements BlinkCounter {
  constructor(private readonly store: EmotionStore) {}

  async update(sessionId: string, timestampMs: number, eyes: EyeAspectRatio | undefined): Promise<BlinkSummary | undefined> {
    if (!isTrackableFrame(sessionId, timestampMs)) return undefined;
    if (!eyes) return this.store.currentBlinks(sessionId);
    return this.store.recordBlinkSample(sessionId, { timestampMs, ear: eyes.mean });
  }

  /** The counter of one AnalyzeStream call: its sessions' state kept in memory, written behind (see StreamBlinks). */
  forStream(log: Logger): StreamBlinks {
    return new StreamBlinks(this.store, log);
  }
}
