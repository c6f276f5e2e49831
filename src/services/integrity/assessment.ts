import { FrameFindings } from './domain/frame-integrity';
import { IntegrityVerdict, initialSessionRisk, Observation, observe, RiskEvent, RiskPolicy } from './domain/risk';
import { SessionRecord } from './store';

/**
 * The risk engine's Observation of one analysed frame: its capture time (ms since the epoch) and
 * number, the faces counted, the most confident face's gaze and head pose (degrees), and the objects
 * when the detector ran.
 */
export function observationOf(findings: FrameFindings, timestampMs: number, frameNumber: number): Observation {
  return {
    timestampMs,
    frameNumber,
    faceCount: findings.faces.length,
    ...(findings.gaze ? { gaze: { direction: findings.gaze.direction, yaw: findings.gaze.yaw, pitch: findings.gaze.pitch } } : {}),
    ...(findings.headPose ? { headPose: { yaw: findings.headPose.yaw, pitch: findings.headPose.pitch, roll: findings.headPose.roll } } : {}),
    objectsChecked: findings.objectsChecked,
    objects: findings.objects.map((object) => ({ label: object.label, score: object.score, box: object.box })),
  };
}

/** The record a session starts from (its row before its first frame is saved): the engine's initial state, no frame analysed. */
export function freshSession(sessionId: string, timestampMs: number, frameNumber: number): SessionRecord {
  const at = new Date(timestampMs);
  return {
    sessionId,
    state: initialSessionRisk(),
    framesAnalyzed: 0,
    firstFrameAt: at,
    lastFrameAt: at,
    lastFrameNumber: frameNumber,
    peakRisk: 0,
    peakAt: undefined,
  };
}

/** What one analysed frame did to its session. */
export interface Advance {
  /** The session's record after the frame (its columns read from the engine's new state). */
  readonly record: SessionRecord;
  /** The events the frame confirmed, in the engine's order. */
  readonly events: readonly RiskEvent[];
  readonly risk: number;
  /** The highest verdict reached so far. */
  readonly verdict: IntegrityVerdict;
  /** Set when the engine changed nothing: the frame is not after the session's latest (`late`, `duplicate`). */
  readonly skipped?: 'late' | 'duplicate';
}

/** Applies the frame's observation to the session (the risk engine's `observe`, pure). */
export function advance(session: SessionRecord, observation: Observation, policy: RiskPolicy): Advance {
  const { state, events, skipped } = observe(session.state, observation, policy);
  const record: SessionRecord = {
    sessionId: session.sessionId,
    state,
    framesAnalyzed: state.frames,
    firstFrameAt: new Date(state.firstFrameAtMs ?? observation.timestampMs),
    lastFrameAt: new Date(state.atMs ?? observation.timestampMs),
    lastFrameNumber: state.lastFrameNumber ?? observation.frameNumber,
    peakRisk: state.peak,
    peakAt: state.peakAtMs === null ? undefined : new Date(state.peakAtMs),
  };
  return { record, events, risk: state.risk, verdict: state.verdict, ...(skipped ? { skipped } : {}) };
}

/** A session's assessment but its events: the stored state's risk (as of its latest analysed frame), peak and verdict. */
export function assess(session: SessionRecord) {
  return {
    sessionId: session.sessionId,
    verdict: session.state.verdict,
    risk: session.state.risk,
    peakRisk: session.state.peak,
    peakAt: session.state.peakAtMs === null ? undefined : new Date(session.state.peakAtMs),
    framesAnalyzed: session.framesAnalyzed,
    firstFrameAt: session.firstFrameAt,
    lastFrameAt: session.lastFrameAt,
  };
}
