/**
 * Blink counting on a session's eye aspect ratios (EAR), in the frames' own timestamps.
 *
 * Soukupova and Cech (CVWW 2016) call a blink a short run of frames whose EAR is below a
 * threshold. Frames here come at any rate (an interview sends about
 * 2 per second, a webcam 30), so "a plausible number of frames" is judged by time: a run of
 * closed-eye frames is a blink when the eyes reopen between MIN_BLINK_MS and MAX_BLINK_MS after
 * the run's first closed frame. Blinks last about 100 to 400 ms (Caffier et al. 2003, Eur J Appl
 * Physiol 89:319); the run's measured length adds up to one frame interval, hence the bounds. A
 * longer run is eyes kept closed, not a blink; a single frame at 30 fps (33 ms) is noise.
 */

/**
 * EAR below which the eyes count as closed. Soukupova and Cech's threshold baseline is 0.2 on
 * their landmark detectors; MediaPipe's 468-point mesh (without the attention/iris refinement)
 * never quite closes the lids: on our fixtures open eyes measure 0.32 (astronaut.png) and closed
 * lids 0.205 (astronaut-eyes-closed.png), so the threshold sits between them, at 0.25.
 */
export const EAR_CLOSED_THRESHOLD = 0.25;
/** Shortest closed run counted as a blink, milliseconds (first closed frame to reopening). */
export const MIN_BLINK_MS = 50;
/** Longest closed run counted as a blink, milliseconds (first closed frame to reopening). */
export const MAX_BLINK_MS = 1_000;

/** What is kept per session between frames (persisted by BlinkStore). */
export interface BlinkState {
  /** Timestamp of the session's first and latest counted frames, ms since the epoch. */
  readonly firstTimestampMs: number;
  readonly lastTimestampMs: number;
  /** Start of the current closed-eye run, ms since the epoch; null while the eyes are open. */
  readonly closedSinceMs: number | null;
  /** Blinks counted so far, by the timestamp of their first closed frame (ms since the epoch). */
  readonly blinkTimestamps: readonly number[];
  /** Sum of the counted blinks' durations, milliseconds. */
  readonly totalBlinkMs: number;
}

/** Whether a frame can count towards a session's blinks: it needs the session and its own capture time (ms since the epoch, > 0). */
export function isTrackableFrame(sessionId: string, timestampMs: number): boolean {
  return sessionId.trim() !== '' && Number.isFinite(timestampMs) && timestampMs > 0;
}

/** One frame's measurement. */
export interface EyeSample {
  /** The frame's capture time, milliseconds since the epoch. */
  readonly timestampMs: number;
  /** Mean eye aspect ratio of both eyes. */
  readonly ear: number;
}

export const INITIAL_BLINK_STATE = (timestampMs: number): BlinkState => ({
  firstTimestampMs: timestampMs,
  lastTimestampMs: timestampMs,
  closedSinceMs: null,
  blinkTimestamps: [],
  totalBlinkMs: 0,
});

/**
 * The state after `sample`. A sample no later than the latest counted one (a repeat or a frame
 * that arrived late) changes nothing: `applied` is false.
 */
export function applyEyeSample(state: BlinkState | undefined, sample: EyeSample): { state: BlinkState; applied: boolean } {
  const current = state ?? INITIAL_BLINK_STATE(sample.timestampMs);
  if (state && sample.timestampMs <= state.lastTimestampMs) return { state, applied: false };
  const closed = sample.ear < EAR_CLOSED_THRESHOLD;
  let { closedSinceMs, blinkTimestamps, totalBlinkMs } = current;
  if (closed) {
    closedSinceMs ??= sample.timestampMs;
  } else if (closedSinceMs !== null) {
    const duration = sample.timestampMs - closedSinceMs;
    if (duration >= MIN_BLINK_MS && duration <= MAX_BLINK_MS) {
      blinkTimestamps = [...blinkTimestamps, closedSinceMs];
      totalBlinkMs += duration;
    }
    closedSinceMs = null;
  }
  return {
    state: { firstTimestampMs: current.firstTimestampMs, lastTimestampMs: sample.timestampMs, closedSinceMs, blinkTimestamps, totalBlinkMs },
    applied: true,
  };
}

/** A session's blink figures. */
export interface BlinkSummary {
  readonly count: number;
  /** Blinks per minute over the span from the first to the latest counted frame; 0 before a second frame. */
  readonly ratePerMinute: number;
  /** Timestamps of the blinks, milliseconds since the epoch. */
  readonly timestamps: readonly number[];
  /** Mean blink duration, milliseconds (first closed frame to reopening); 0 without blinks. */
  readonly averageDurationMs: number;
}

export function summarizeBlinks(state: BlinkState): BlinkSummary {
  const count = state.blinkTimestamps.length;
  const minutes = (state.lastTimestampMs - state.firstTimestampMs) / 60_000;
  return {
    count,
    ratePerMinute: minutes > 0 ? count / minutes : 0,
    timestamps: state.blinkTimestamps,
    averageDurationMs: count > 0 ? state.totalBlinkMs / count : 0,
  };
}
