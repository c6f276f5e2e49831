import { IntegrityFlagged } from '../../gen/events';
import { Assessment, Box, EventKind, FrameIntegrity, GazeDirection, IntegrityEvent, RiskPolicy as RiskPolicyProto, Verdict } from '../../gen/integrity';
import { FrameFindings } from './domain/frame-integrity';
import { IntegrityEventKind, IntegrityVerdict, ObservedGazeDirection, RiskEvent, RiskPolicy } from './domain/risk';

const EVENT_KIND: Readonly<Record<IntegrityEventKind, EventKind>> = {
  looking_away: EventKind.EVENT_KIND_LOOKING_AWAY,
  face_missing: EventKind.EVENT_KIND_FACE_MISSING,
  multiple_faces: EventKind.EVENT_KIND_MULTIPLE_FACES,
  head_turned: EventKind.EVENT_KIND_HEAD_TURNED,
  phone_in_view: EventKind.EVENT_KIND_PHONE_IN_VIEW,
  book_in_view: EventKind.EVENT_KIND_BOOK_IN_VIEW,
  screen_in_view: EventKind.EVENT_KIND_SCREEN_IN_VIEW,
  another_person: EventKind.EVENT_KIND_ANOTHER_PERSON,
};

const VERDICT: Readonly<Record<IntegrityVerdict, Verdict>> = {
  clear: Verdict.VERDICT_CLEAR,
  review: Verdict.VERDICT_REVIEW,
  flagged: Verdict.VERDICT_FLAGGED,
};

const GAZE_DIRECTION: Readonly<Record<ObservedGazeDirection, GazeDirection>> = {
  screen: GazeDirection.GAZE_DIRECTION_SCREEN,
  left: GazeDirection.GAZE_DIRECTION_LEFT,
  right: GazeDirection.GAZE_DIRECTION_RIGHT,
  up: GazeDirection.GAZE_DIRECTION_UP,
  down: GazeDirection.GAZE_DIRECTION_DOWN,
  closed: GazeDirection.GAZE_DIRECTION_CLOSED,
};

function finiteOr0(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

export function toEventKind(kind: IntegrityEventKind): EventKind {
  return EVENT_KIND[kind];
}

export function toVerdict(verdict: IntegrityVerdict): Verdict {
  return VERDICT[verdict];
}

function toBox(box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }): Box {
  return { x: box.x, y: box.y, width: box.width, height: box.height };
}

/** A frame's findings as integrity.v1.FrameIntegrity (faces and objects most confident first, as found). */
export function toFrameIntegrity(findings: FrameFindings): FrameIntegrity {
  return {
    faces: findings.faces.map((face) => ({ box: toBox(face.box), score: face.score })),
    headPose: findings.headPose && {
      yawDegrees: findings.headPose.yaw,
      pitchDegrees: findings.headPose.pitch,
      rollDegrees: findings.headPose.roll,
    },
    // Closed eyes have no direction: the gaze module's NaN angles go as 0 (direction CLOSED says why).
    gaze: findings.gaze && {
      direction: GAZE_DIRECTION[findings.gaze.direction],
      yawDegrees: finiteOr0(findings.gaze.yaw),
      pitchDegrees: finiteOr0(findings.gaze.pitch),
    },
    objectsChecked: findings.objectsChecked,
    objects: findings.objects.map((object) => ({ label: object.label, score: object.score, box: toBox(object.box) })),
    width: findings.width,
    height: findings.height,
  };
}

/** A stored event as integrity.v1.IntegrityEvent (times from milliseconds since the epoch). */
export function toIntegrityEvent(event: RiskEvent): IntegrityEvent {
  return {
    kind: toEventKind(event.kind),
    startedAt: new Date(event.startedAtMs),
    confirmedAt: new Date(event.confirmedAtMs),
    frameNumber: event.frameNumber,
    weight: event.weight,
    riskAfter: event.riskAfter,
    detail: event.detail,
  };
}

/** The policy's part that integrity.v1.RiskPolicy carries. */
export function toRiskPolicy(policy: RiskPolicy): RiskPolicyProto {
  return { halfLifeSeconds: policy.halfLifeSeconds, reviewThreshold: policy.reviewThreshold, flagThreshold: policy.flagThreshold };
}

/** What an assessment is made of: the session's stored progress, its risk now, its verdict, its events. */
export interface AssessmentParts {
  readonly sessionId: string;
  readonly verdict: IntegrityVerdict;
  readonly risk: number;
  readonly peakRisk: number;
  readonly peakAt: Date | undefined;
  readonly framesAnalyzed: number;
  readonly firstFrameAt: Date;
  readonly lastFrameAt: Date;
  readonly events: readonly RiskEvent[];
  readonly eventsTotal: number;
  readonly policy: RiskPolicy;
}

export function toAssessment(parts: AssessmentParts): Assessment {
  return {
    sessionId: parts.sessionId,
    verdict: toVerdict(parts.verdict),
    risk: parts.risk,
    peakRisk: parts.peakRisk,
    peakAt: parts.peakAt,
    framesAnalyzed: parts.framesAnalyzed,
    firstFrameAt: parts.firstFrameAt,
    lastFrameAt: parts.lastFrameAt,
    events: parts.events.map(toIntegrityEvent),
    eventsTotal: parts.eventsTotal,
    policy: toRiskPolicy(parts.policy),
  };
}

/** interview.integrity.flagged for one confirmed event: the session's risk after it and the highest verdict so far. */
export function toIntegrityFlagged(sessionId: string, event: RiskEvent, verdict: IntegrityVerdict, flaggedAt: Date): IntegrityFlagged {
  return { sessionId, event: toIntegrityEvent(event), risk: event.riskAfter, verdict: toVerdict(verdict), flaggedAt };
}
