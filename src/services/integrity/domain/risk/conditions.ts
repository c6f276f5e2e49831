import { IntegrityEventKind, LabelledObjectKind } from './event-kind';
import { Observation, ObservedObject } from './observation';
import { RiskPolicy } from './policy';

/** Whether a condition holds on a frame, and if so what was seen, for a person reviewing it. */
export type ConditionReading = { readonly holds: true; readonly detail: string } | { readonly holds: false };

/**
 * A frame's reading of each condition; a kind left out could not be read on this frame and keeps
 * its state (neither extends nor ends an episode).
 */
export type ConditionReadings = Partial<Record<IntegrityEventKind, ConditionReading>>;

const CLEAR: ConditionReading = Object.freeze({ holds: false });

/**
 * The conditions one observation shows:
 * - face_missing: no face; multiple_faces: more than one (always read).
 * - looking_away: the gaze is on neither the screen nor closed. Unread when there is no gaze (no
 *   face: face_missing covers it) or the eyes are closed (a blink says nothing about where one looks).
 * - head_turned: |yaw| or |pitch| beyond the policy's limits. Unread without a head pose.
 * - phone_in_view, book_in_view, screen_in_view: an object with one of the kind's COCO labels
 *   (policy.objectLabels) at minObjectScore or more; another_person: two or more COCO persons at
 *   that score. Read only on frames whose objects were checked.
 */
export function readConditions(observation: Observation, policy: RiskPolicy): ConditionReadings {
  const readings: ConditionReadings = {
    face_missing: observation.faceCount === 0 ? { holds: true, detail: 'no face in view' } : CLEAR,
    multiple_faces: observation.faceCount > 1 ? { holds: true, detail: `${observation.faceCount} faces in view` } : CLEAR,
  };
  const { gaze, headPose } = observation;
  if (gaze !== undefined && gaze.direction !== 'closed') {
    readings.looking_away =
      gaze.direction === 'screen' ? CLEAR : { holds: true, detail: `looking ${gaze.direction} (gaze yaw ${degrees(gaze.yaw)}, pitch ${degrees(gaze.pitch)})` };
  }
  if (headPose !== undefined) {
    const turned = Math.abs(headPose.yaw) > policy.headTurnedYawDegrees || Math.abs(headPose.pitch) > policy.headTurnedPitchDegrees;
    readings.head_turned = turned ? { holds: true, detail: `head turned (yaw ${degrees(headPose.yaw)}, pitch ${degrees(headPose.pitch)})` } : CLEAR;
  }
  if (observation.objectsChecked) {
    const counted = observation.objects.filter((o) => o.score >= policy.minObjectScore);
    for (const kind of Object.keys(policy.objectLabels) as LabelledObjectKind[]) {
      const labels = policy.objectLabels[kind];
      const seen = counted.filter((o) => labels.includes(o.label));
      readings[kind] = seen.length === 0 ? CLEAR : { holds: true, detail: seen.sort(byScore).map(describeObject).join('; ') };
    }
    const persons = counted.filter((o) => o.label === 'person').sort(byScore);
    readings.another_person =
      persons.length > 1 ? { holds: true, detail: `${persons.length} persons in view (${persons.map((p) => p.score.toFixed(2)).join(', ')})` } : CLEAR;
  }
  return readings;
}

function byScore(a: ObservedObject, b: ObservedObject): number {
  return b.score - a.score;
}

/** "cell phone 0.62 at (412, 300)": label, score and the box's centre in pixels. */
function describeObject(o: ObservedObject): string {
  return `${o.label} ${o.score.toFixed(2)} at (${Math.round(o.box.x + o.box.width / 2)}, ${Math.round(o.box.y + o.box.height / 2)})`;
}

function degrees(value: number): string {
  return `${Math.round(value)}°`;
}
