/**
 * Sessions of observations for the risk engine's tests: one frame a second from T0, the candidate
 * at the screen, alone, objects checked on even seconds (the design's defaults: 1 frame/s, objects
 * every 2nd), unless a second's `look` says otherwise.
 */
import { initialSessionRisk, IntegrityVerdict, Observation, observe, RiskEvent, RiskPolicy, SessionRisk } from '../../../src/services/integrity/domain/risk';

/** 2025-12-01T00:00:00Z: frame times are epoch milliseconds in the service. */
export const T0 = 1_764_547_200_000;

export type Look = Partial<Omit<Observation, 'timestampMs' | 'frameNumber'>>;

export const AT_SCREEN: Look = { gaze: { direction: 'screen', yaw: 2, pitch: -9 }, headPose: { yaw: 3, pitch: -6, roll: 1 } };
export const AWAY: Look = { gaze: { direction: 'left', yaw: -34, pitch: -4 }, headPose: { yaw: -22, pitch: -3, roll: 0 } };
/** As the gaze module gives closed eyes: no angles. */
export const EYES_CLOSED: Look = { gaze: { direction: 'closed', yaw: NaN, pitch: NaN } };
export const NO_FACE: Look = { faceCount: 0, gaze: undefined, headPose: undefined };

/** A COCO detection, its box 60x120 px centred on (cx, cy). */
export function object(label: string, score: number, cx = 400, cy = 300): Observation['objects'][number] {
  return { label, score, box: { x: cx - 30, y: cy - 60, width: 60, height: 120 } };
}

/** The frame at `second`, frame number `second`. */
export function frame(second: number, look: Look = {}): Observation {
  return { timestampMs: T0 + second * 1000, frameNumber: second, faceCount: 1, objectsChecked: second % 2 === 0, objects: [], ...AT_SCREEN, ...look };
}

export interface Second {
  readonly second: number;
  readonly risk: number;
  readonly verdict: IntegrityVerdict;
  readonly events: readonly RiskEvent[];
}

/** Runs frames 0..seconds-1 (`look(second)` each) through observe; the final state, every event and the risk per second. */
export function runSession(
  seconds: number,
  look: (second: number) => Look,
  policy: RiskPolicy,
): { state: SessionRisk; events: RiskEvent[]; timeline: Second[] } {
  return runFrames(
    Array.from({ length: seconds }, (_, second) => frame(second, look(second))),
    policy,
  );
}

export function runFrames(frames: readonly Observation[], policy: RiskPolicy, from: SessionRisk = initialSessionRisk()) {
  let state = from;
  const events: RiskEvent[] = [];
  const timeline: Second[] = [];
  for (const observation of frames) {
    const result = observe(state, observation, policy);
    state = result.state;
    events.push(...result.events);
    timeline.push({ second: (observation.timestampMs - T0) / 1000, risk: state.risk, verdict: state.verdict, events: result.events });
  }
  return { state, events, timeline };
}

/** Seconds in [from, to). */
export function during(second: number, from: number, to: number): boolean {
  return second >= from && second < to;
}

/** "  13  0.150  clear   looking_away +0.15 (looking left ...)": one line a second, for the closing note. */
export function formatTimeline(timeline: readonly Second[], describe: (second: number) => string): string {
  return timeline
    .map(
      ({ second, risk, verdict, events }) =>
        `${String(second).padStart(4)}  ${describe(second).padEnd(12)} ${risk.toFixed(3)}  ${verdict.padEnd(7)} ${events.map((e) => `${e.kind} +${e.weight} (${e.detail})`).join('; ')}`,
    )
    .join('\n');
}
