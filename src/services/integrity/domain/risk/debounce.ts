import { ConditionReading } from './conditions';
import { EventRule, RiskPolicy } from './policy';

/**
 * An open condition's episode, stored in the session's state (plain JSON). Frame times are the
 * frames' own timestamps, milliseconds.
 */
export interface ConditionEpisode {
  /** The first frame on which it held, and that frame's number. */
  readonly startedAtMs: number;
  readonly startFrameNumber: number;
  /** The latest frame on which it held. */
  readonly lastSeenAtMs: number;
  /** Readings on which it held this episode (consecutive until raised). */
  readonly frames: number;
  /** Raised as an event this episode (then not again until the episode ends). */
  readonly raised: boolean;
  /** Consecutive readings without it since it last held (only while raised: a pending episode ends at once). */
  readonly clearRun: number;
}

/** One reading's effect on a condition: its episode afterwards (undefined: none open) and whether it was confirmed now. */
export interface DebounceStep {
  readonly episode: ConditionEpisode | undefined;
  readonly confirmed: boolean;
}

/**
 * Advances a condition's episode by one frame's reading at `timestampMs`:
 * - unread (undefined): nothing changes;
 * - holds: a new episode starts when none is open, or when a pending one (not yet raised) was last
 *   seen more than policy.maxGapMs before; otherwise the episode goes on. A pending episode is
 *   confirmed once it has held on rule.debounceFrames readings and for rule.minDurationMs from its
 *   first frame to this one;
 * - clear: a pending episode ends at once (the readings must be consecutive); a raised one ends after
 *   policy.clearFrames clear readings in a row, which re-arms the condition.
 */
export function debounce(
  episode: ConditionEpisode | undefined,
  reading: ConditionReading | undefined,
  at: { readonly timestampMs: number; readonly frameNumber: number },
  rule: EventRule,
  policy: Pick<RiskPolicy, 'maxGapMs' | 'clearFrames'>,
): DebounceStep {
  if (reading === undefined) return { episode, confirmed: false };
  if (!reading.holds) {
    if (!episode?.raised) return { episode: undefined, confirmed: false };
    const clearRun = episode.clearRun + 1;
    return { episode: clearRun >= policy.clearFrames ? undefined : { ...episode, clearRun }, confirmed: false };
  }
  const startsOver = episode === undefined || (!episode.raised && at.timestampMs - episode.lastSeenAtMs > policy.maxGapMs);
  const next: ConditionEpisode = startsOver
    ? { startedAtMs: at.timestampMs, startFrameNumber: at.frameNumber, lastSeenAtMs: at.timestampMs, frames: 1, raised: false, clearRun: 0 }
    : { ...episode, lastSeenAtMs: at.timestampMs, frames: episode.frames + 1, clearRun: 0 };
  if (next.raised || next.frames < rule.debounceFrames || at.timestampMs - next.startedAtMs < rule.minDurationMs) return { episode: next, confirmed: false };
  return { episode: { ...next, raised: true }, confirmed: true };
}
