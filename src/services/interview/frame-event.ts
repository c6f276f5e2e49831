import { LRUCache } from 'lru-cache';
import { EmotionResponse } from '../../gen/emotion';
import { FrameCaptured } from '../../gen/events';
import { isSampleDue } from '../../platform/contracts/integrity-sampling';

/**
 * The interview.frame.captured event of a recorded frame, as it travels. A frame analysed already
 * (`analysis` set) goes without its image (`image_data` empty: its consumer stores the analysis and
 * never looks at the image) and without the face's landmarks (the mesh's contours, which nothing
 * downstream reads); the rest of the analysis stays as the emotion service answered it (emotion,
 * confidence, face box and detection confidence, blink metrics). A frame still to be analysed is
 * returned as it is, image included; so is the image of an analysed frame when `keepImage` says
 * so (a frame IntegritySampler sampled for the integrity service).
 */
export function leanFrameCaptured(frame: FrameCaptured, keepImage = false): FrameCaptured {
  if (!frame.analysis) return frame;
  return { ...frame, imageData: keepImage ? frame.imageData : Buffer.alloc(0), analysis: withoutLandmarks(frame.analysis) };
}

/** A copy of `analysis` whose face metrics have no landmarks; `analysis` itself is left as it is (its caller shows it). */
function withoutLandmarks(analysis: EmotionResponse): EmotionResponse {
  return analysis.faceMetrics ? { ...analysis, faceMetrics: { ...analysis.faceMetrics, landmarks: [] } } : analysis;
}

/** Interviews whose last frame sent with its image a replica remembers; the oldest forgotten first. */
export const SAMPLED_INTERVIEWS_REMEMBERED = 10_000;

/**
 * Which analysed frames keep their image for the integrity service (INTEGRITY_SAMPLE_INTERVAL_MS,
 * platform/contracts/integrity-sampling.ts): an interview's first frame, then one at least the
 * interval (less its 10 % tolerance: isSampleDue) after the last frame this replica sent with its
 * image, by the frames' capture times. The memo is this replica's, bounded (an LRU of
 * SAMPLED_INTERVIEWS_REMEMBERED interviews): an interview whose frames land on two replicas, or
 * that was forgotten, is sampled a little more often, never less; the integrity consumer keeps to
 * the interval by the session's last analysed frame whatever it is sent. Interval 0: never.
 */
export class IntegritySampler {
  /** Capture time (ms since the epoch) of the last frame sent with its image, per interview. */
  private readonly lastSent: LRUCache<string, number>;

  constructor(
    readonly intervalMs: number,
    remembered = SAMPLED_INTERVIEWS_REMEMBERED,
  ) {
    this.lastSent = new LRUCache<string, number>({ max: remembered });
  }

  /** Whether an analysed frame of `sessionId` captured at `capturedAtMs` keeps its image; nothing is remembered until `sent`. */
  isDue(sessionId: string, capturedAtMs: number): boolean {
    return isSampleDue(capturedAtMs, this.lastSent.get(sessionId), this.intervalMs);
  }

  /** Records that a frame of `sessionId` captured at `capturedAtMs` went out with its image (once its transaction committed). */
  sent(sessionId: string, capturedAtMs: number): void {
    const last = this.lastSent.get(sessionId);
    if (last === undefined || capturedAtMs > last) this.lastSent.set(sessionId, capturedAtMs);
  }
}
