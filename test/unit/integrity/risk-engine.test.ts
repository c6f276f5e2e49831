/**
 * The risk engine on timelines of observations at 1 frame/s (objects checked every 2nd), under the
 * default policy unless a test says otherwise: debounce by frames and duration, one event per
 * episode, objects read on checked frames only, a second face, decay with the half-life and a verdict
 * that keeps its peak, late and replayed frames, and the state as stored JSON.
 */
import {
  DEFAULT_RISK_POLICY,
  initialSessionRisk,
  observe,
  riskAt,
  RiskPolicy,
  SessionRisk,
  sessionRiskFromJson,
} from '../../../src/services/integrity/domain/risk';
import { AWAY, during, EYES_CLOSED, formatTimeline, frame, Look, NO_FACE, object, runFrames, runSession, T0 } from './risk-timeline';

const P = DEFAULT_RISK_POLICY;
const HALF_LIFE_MS = P.halfLifeSeconds * 1000;
const decay = (ms: number) => Math.pow(2, -ms / HALF_LIFE_MS);

/** A policy like the default with some fields changed. */
function policyWith(changes: Partial<RiskPolicy>): RiskPolicy {
  return { ...P, ...changes };
}

describe('looking away', () => {
  it('for 2 s raises no event and leaves nothing open once back', () => {
    const { state, events } = runSession(30, (s) => (during(s, 10, 12) ? AWAY : {}), P);
    expect(events).toEqual([]);
    expect(state).toMatchObject({ risk: 0, peak: 0, verdict: 'clear', frames: 30, objectChecks: 15, eventsTotal: 0, conditions: {} });
  });

  it('for 5 s raises one event, confirmed on its 4th frame, 3 s after its first', () => {
    const { state, events } = runSession(30, (s) => (during(s, 10, 15) ? AWAY : {}), P);
    expect(events).toEqual([
      {
        kind: 'looking_away',
        startedAtMs: T0 + 10_000,
        confirmedAtMs: T0 + 13_000,
        frameNumber: 13,
        weight: 0.15,
        riskAfter: expect.closeTo(0.15, 12) as number,
        detail: 'looking left (gaze yaw -34°, pitch -4°) for 3.0 s over 4 frames',
      },
    ]);
    expect(state.risk).toBeCloseTo(0.15 * decay(29_000 - 13_000), 12);
    expect(state).toMatchObject({ peak: 0.15, peakAtMs: T0 + 13_000, verdict: 'clear', eventsTotal: 1, conditions: {} });
  });

  it('needs both the frames and the duration: 3 frames 2 s apart (sparse sampling) are enough, 3 s of dense frames need 3 of them', () => {
    const sparse = runFrames([frame(0), frame(2, AWAY), frame(4, AWAY), frame(6, AWAY)], P);
    expect(sparse.events.map((e) => e.frameNumber)).toEqual([6]);
    const twoFrames = runFrames([frame(0), frame(10, AWAY), frame(14, AWAY)], P); // 4 s but two sightings
    expect(twoFrames.events).toEqual([]);
    const dense = Array.from({ length: 40 }, (_, i) => ({ ...frame(0, AWAY), timestampMs: T0 + i * 100, frameNumber: i }));
    expect(runFrames(dense, P).events.map((e) => e.frameNumber)).toEqual([30]); // 3.0 s after frame 0
  });

  it('away, back, away is two episodes, the second adding its weight to the decayed first', () => {
    const { events } = runSession(40, (s) => (during(s, 10, 16) || during(s, 20, 28) ? AWAY : {}), P);
    expect(events.map((e) => [e.kind, e.frameNumber])).toEqual([
      ['looking_away', 13],
      ['looking_away', 23],
    ]);
    expect(events[1].riskAfter).toBeCloseTo(1 - (1 - 0.15 * decay(10_000)) * (1 - 0.15), 12);
  });

  it('a glance back on one frame does not end a raised episode (clearFrames 2), two frames do', () => {
    const glance = runSession(40, (s) => (during(s, 10, 30) && s !== 16 ? AWAY : {}), P);
    expect(glance.events.map((e) => e.frameNumber)).toEqual([13]);
    const back = runSession(40, (s) => (during(s, 10, 30) && s !== 16 && s !== 17 ? AWAY : {}), P);
    expect(back.events.map((e) => e.frameNumber)).toEqual([13, 21]);
  });

  it('a glance back before the episode is confirmed starts the count over', () => {
    const { events } = runSession(30, (s) => (during(s, 10, 20) && s !== 13 ? AWAY : {}), P);
    expect(events.map((e) => [e.startedAtMs - T0, e.frameNumber])).toEqual([[14_000, 17]]);
  });

  it('closed eyes and a lost face neither extend nor end an episode', () => {
    const blink = runSession(20, (s): Look => (s === 12 ? EYES_CLOSED : during(s, 10, 15) ? AWAY : {}), P);
    expect(blink.events.map((e) => [e.frameNumber, e.detail.endsWith('for 3.0 s over 3 frames')])).toEqual([[13, true]]);
    const noFace = runSession(20, (s): Look => (during(s, 11, 13) ? NO_FACE : during(s, 10, 15) ? AWAY : {}), P);
    expect(noFace.events.map((e) => [e.kind, e.frameNumber])).toEqual([['looking_away', 14]]);
  });

  it('a pending episode whose last sighting is older than maxGapMs starts over', () => {
    const { events, state } = runFrames([frame(10, AWAY), frame(11, AWAY), frame(30, AWAY), frame(31, AWAY)], P);
    expect(events).toEqual([]);
    expect(state.conditions.looking_away).toMatchObject({ startedAtMs: T0 + 30_000, startFrameNumber: 30, frames: 2, raised: false });
  });
});

describe('head turned and face missing', () => {
  it('a head turned beyond 30° for 3 s is an event of 0.1; at 25° it is none', () => {
    const turned = runSession(20, (s) => (during(s, 5, 10) ? { headPose: { yaw: 41, pitch: 0, roll: 0 } } : {}), P);
    expect(turned.events.map((e) => [e.kind, e.frameNumber, e.weight, e.detail])).toEqual([
      ['head_turned', 8, 0.1, 'head turned (yaw 41°, pitch 0°) for 3.0 s over 4 frames'],
    ]);
    expect(runSession(20, (s) => (during(s, 5, 10) ? { headPose: { yaw: 25, pitch: -25, roll: 0 } } : {}), P).events).toEqual([]);
  });

  it('no face for 5 s is face_missing, confirmed on its 6th frame; for 4 s it is none', () => {
    const gone = runSession(20, (s) => (during(s, 5, 11) ? NO_FACE : {}), P);
    expect(gone.events.map((e) => [e.kind, e.frameNumber, e.detail])).toEqual([['face_missing', 10, 'no face in view for 5.0 s over 6 frames']]);
    expect(runSession(20, (s) => (during(s, 5, 10) ? NO_FACE : {}), P).events).toEqual([]);
  });
});

describe('objects in view', () => {
  const phone: Look = { objects: [object('cell phone', 0.7, 412, 300)] };

  it('a phone seen on one check only raises no event', () => {
    const { events, state } = runSession(30, (s) => (s === 10 ? phone : {}), P);
    expect(events).toEqual([]);
    expect(state.conditions).toEqual({});
  });

  it('a phone on two consecutive checks (2 s apart) is one event of 0.5: review', () => {
    const { events, state } = runSession(30, (s) => (during(s, 10, 13) ? phone : {}), P);
    expect(events).toEqual([
      {
        kind: 'phone_in_view',
        startedAtMs: T0 + 10_000,
        confirmedAtMs: T0 + 12_000,
        frameNumber: 12,
        weight: 0.5,
        riskAfter: 0.5,
        detail: 'cell phone 0.70 at (412, 300) for 2.0 s over 2 checks',
      },
    ]);
    expect(state.verdict).toBe('review');
  });

  it('objects on frames that were not checked are ignored, and those frames keep the object episodes as they are', () => {
    const unchecked = runSession(30, (s) => (s % 2 === 1 ? phone : {}), P);
    expect(unchecked.events).toEqual([]);
    // Checked at 10 and 12 with a phone, unchecked 11 without one: still consecutive checks.
    const { events } = runSession(30, (s): Look => (s === 10 || s === 12 ? phone : s === 11 ? { objects: [] } : {}), P);
    expect(events.map((e) => e.frameNumber)).toEqual([12]);
  });

  it('a check without the phone between two with it keeps them apart', () => {
    expect(runSession(30, (s) => (s === 10 || s === 14 ? phone : {}), P).events).toEqual([]);
  });

  it('reads remote as a phone, and ignores objects under minObjectScore', () => {
    const remote = runSession(20, (s) => (during(s, 4, 7) ? { objects: [object('remote', 0.55)] } : {}), P);
    expect(remote.events.map((e) => [e.kind, e.detail])).toEqual([['phone_in_view', 'remote 0.55 at (400, 300) for 2.0 s over 2 checks']]);
    expect(runSession(20, (s) => (during(s, 4, 7) ? { objects: [object('cell phone', 0.39)] } : {}), P).events).toEqual([]);
  });

  it('raises book, another screen (laptop, tv) and another person (two COCO persons) each once, in EVENT_KINDS order', () => {
    const desk: Look = {
      objects: [object('person', 0.91), object('tv', 0.5), object('book', 0.62, 100, 400), object('person', 0.45, 600, 200), object('cup', 0.9)],
    };
    const { events, state } = runSession(20, (s) => (during(s, 4, 12) ? desk : {}), P);
    expect(events.map((e) => [e.kind, e.frameNumber, e.detail])).toEqual([
      ['book_in_view', 6, 'book 0.62 at (100, 400) for 2.0 s over 2 checks'],
      ['screen_in_view', 6, 'tv 0.50 at (400, 300) for 2.0 s over 2 checks'],
      ['another_person', 6, '2 persons in view (0.91, 0.45) for 2.0 s over 2 checks'],
    ]);
    expect(events.map((e) => e.riskAfter)).toEqual([0.3, 1 - 0.7 * 0.75, 1 - 0.7 * 0.75 * 0.6].map((r) => expect.closeTo(r, 12) as number));
    expect(state.verdict).toBe('flagged');
  });

  it('one person in view is no one else', () => {
    expect(runSession(20, () => ({ objects: [object('person', 0.95)] }), P).events).toEqual([]);
  });
});

describe('a second face entering for 4 s, then leaving', () => {
  const visitor = (s: number): Look =>
    during(s, 20, 24) ? { faceCount: 2, objects: [object('person', 0.93, 300, 260), object('person', 0.71, 560, 240)] } : {};

  it('raises multiple_faces and another_person once each: review, not flagged; both episodes end and the risk decays', () => {
    const { events, state, timeline } = runSession(180, visitor, P);
    expect(events.map((e) => [e.kind, e.frameNumber, e.weight])).toEqual([
      ['multiple_faces', 21, 0.4],
      ['another_person', 22, 0.4],
    ]);
    const peak = 1 - (1 - 0.4 * decay(1000)) * 0.6;
    expect(state).toMatchObject({ peak: expect.closeTo(peak, 12) as number, peakAtMs: T0 + 22_000, verdict: 'review', conditions: {} });
    expect(timeline[22 + 60].risk).toBeCloseTo(peak / 2, 12);
    expect(state.risk).toBeCloseTo(peak * decay(179_000 - 22_000), 12);
    console.log(
      `A second face entering for 4 s (seconds 20-23), default policy:\n${formatTimeline(timeline.slice(18, 30), (s) => (visitor(s).faceCount === 2 ? '2 faces' : 'alone'))}`,
    );
  });
});

describe('decay and verdict', () => {
  const phone: Look = { objects: [object('cell phone', 0.8)] };

  it('halves the risk after one half-life without events, in frame time', () => {
    const { state } = runFrames([frame(0, phone), frame(2, phone)], P);
    expect(state.risk).toBe(0.5);
    expect(riskAt(state, T0 + 2_000 + HALF_LIFE_MS, P)).toBeCloseTo(0.25, 12);
    const later = runFrames([frame(62), frame(122)], P, state);
    expect(later.timeline.map((s) => s.risk)).toEqual([expect.closeTo(0.25, 12), expect.closeTo(0.125, 12)]);
    expect(riskAt(state, T0 + 2_000 + 30_000, policyWith({ halfLifeSeconds: 30 }))).toBeCloseTo(0.25, 12);
  });

  it('keeps a flagged verdict and its peak when the risk has decayed', () => {
    const desk: Look = { objects: [object('cell phone', 0.8), object('book', 0.7, 100, 100)] };
    const { state } = runFrames([frame(0, desk), frame(2, desk), frame(4), frame(6), frame(600)], P);
    expect(state.peak).toBeCloseTo(0.65, 12);
    expect(state.peakAtMs).toBe(T0 + 2_000);
    expect(state.risk).toBeLessThan(0.001);
    expect(state.verdict).toBe('flagged');
  });

  it('sets the verdict at the thresholds: review at 0.35, flagged at 0.65 exactly', () => {
    const once = (weight: number) =>
      runFrames(
        [frame(0, { objects: [object('book', 0.9)] }), frame(2, { objects: [object('book', 0.9)] })],
        policyWith({ events: { ...P.events, book_in_view: { ...P.events.book_in_view, weight } } }),
      );
    expect([0.34, 0.35, 0.64, 0.65, 1].map((w) => once(w).state.verdict)).toEqual(['clear', 'review', 'review', 'flagged', 'flagged']);
    expect(once(1).state.risk).toBe(1);
  });

  it('riskAt before the latest frame is the risk at that frame, never more', () => {
    const { state } = runFrames([frame(0, phone), frame(2, phone), frame(30)], P);
    expect(riskAt(state, T0, P)).toBe(state.risk);
    expect(riskAt(initialSessionRisk(), T0, P)).toBe(0);
  });
});

describe('late and replayed frames', () => {
  const session = runSession(16, (s) => (during(s, 10, 16) ? AWAY : {}), P);

  it('skips a replayed frame as a duplicate and returns the state as it was', () => {
    const last = frame(15, AWAY);
    const result = observe(session.state, last, P);
    expect(result).toEqual({ state: session.state, events: [], skipped: 'duplicate' });
    expect(result.state).toBe(session.state);
  });

  it('skips a late frame, even one that would raise an event, and never decays the risk backwards', () => {
    const pending = runFrames([frame(10, { objects: [object('cell phone', 0.9)] }), frame(11), frame(13)], P).state;
    const late = observe(pending, frame(12, { objects: [object('cell phone', 0.9)] }), P);
    expect(late).toEqual({ state: pending, events: [], skipped: 'late' });
    const replayAll = runFrames(
      Array.from({ length: 16 }, (_, s) => frame(s, during(s, 10, 16) ? AWAY : {})),
      P,
      session.state,
    );
    expect(replayAll.state).toBe(session.state);
    expect(replayAll.events).toEqual([]);
  });

  it('orders frames of the same timestamp by frame number', () => {
    const a = observe(initialSessionRisk(), { ...frame(5), frameNumber: 7 }, P).state;
    expect(observe(a, { ...frame(5), frameNumber: 8 }, P).skipped).toBeUndefined();
    expect(observe(a, { ...frame(5), frameNumber: 6 }, P).skipped).toBe('late');
  });
});

describe('the state', () => {
  it('goes through JSON and sessionRiskFromJson unchanged, and goes on the same from there', () => {
    const look = (s: number): Look => (during(s, 10, 12) ? AWAY : during(s, 12, 20) ? { ...AWAY, objects: [object('book', 0.8)] } : {});
    const half = runSession(13, look, P);
    const stored = sessionRiskFromJson(JSON.parse(JSON.stringify(half.state)));
    expect(stored).toEqual(half.state);
    const rest = Array.from({ length: 17 }, (_, i) => frame(13 + i, look(13 + i)));
    expect(runFrames(rest, P, stored)).toEqual(runFrames(rest, P, half.state));
    expect(runFrames(rest, P, stored).events.length).toBeGreaterThan(0);
  });

  it('is never modified by observe', () => {
    const deepFreeze = (o: object): object => (
      Object.values(o).forEach((v) => typeof v === 'object' && v !== null && deepFreeze(v as object)),
      Object.freeze(o)
    );
    const state = deepFreeze(runSession(12, (s) => (during(s, 9, 12) ? AWAY : {}), P).state) as SessionRisk;
    const copy = structuredClone(state);
    expect(() => observe(state, frame(12, AWAY), P)).not.toThrow();
    expect(state).toEqual(copy);
  });

  it('sessionRiskFromJson names what is wrong with a damaged or foreign state', () => {
    const good = JSON.parse(JSON.stringify(runSession(14, (s) => (during(s, 10, 14) ? AWAY : {}), P).state)) as Record<string, unknown>;
    const bad = (changes: Record<string, unknown>) => () => sessionRiskFromJson({ ...good, ...changes });
    expect(bad({ schemaVersion: 2 })).toThrow('stored session risk: schemaVersion must be 1');
    expect(bad({ risk: 1.5 })).toThrow('risk must be a number from 0 to 1');
    expect(bad({ peak: 0.01 })).toThrow('peak must be at least the risk');
    expect(bad({ verdict: 'guilty' })).toThrow('verdict must be clear, review, flagged');
    expect(bad({ frames: -1 })).toThrow('frames must be a non-negative integer');
    expect(bad({ conditions: { cheating: {} } })).toThrow('conditions.cheating must be one of looking_away');
    expect(bad({ conditions: { looking_away: { ...(good.conditions as Record<string, object>).looking_away, raised: 'yes' } } })).toThrow(
      'conditions.looking_away.raised must be a boolean',
    );
    expect(() => sessionRiskFromJson('{}')).toThrow('the state must be an object');
    expect(sessionRiskFromJson(initialSessionRisk())).toEqual(initialSessionRisk());
  });

  it('refuses a malformed observation with RangeError naming the field', () => {
    const s = initialSessionRisk();
    expect(() => observe(s, { ...frame(0), timestampMs: NaN }, P)).toThrow(
      new RangeError('observation.timestampMs must be a finite number of milliseconds, got null'),
    );
    expect(() => observe(s, { ...frame(0), faceCount: -1 }, P)).toThrow('observation.faceCount must be a non-negative integer, got -1');
    expect(() => observe(s, { ...frame(0), frameNumber: 1.5 }, P)).toThrow('observation.frameNumber');
    expect(() => observe(s, frame(0, { objects: [object('book', 1.2)] }), P)).toThrow('observation.objects[0].score must be a number from 0 to 1, got 1.2');
    expect(() => observe(s, frame(0, { headPose: { yaw: Infinity, pitch: 0, roll: 0 } }), P)).toThrow('observation.headPose.yaw');
    expect(() => observe(s, frame(0, { gaze: { direction: 'sideways' as 'left', yaw: 0, pitch: 0 } }), P)).toThrow('observation.gaze.direction');
    expect(() => observe(s, frame(0, { gaze: { direction: 'left', yaw: NaN, pitch: 0 } }), P)).toThrow('observation.gaze.yaw must be finite degrees');
    expect(observe(s, frame(0, EYES_CLOSED), P).state.frames).toBe(1); // closed eyes have no angles
  });

  it('keeps no episode for a kind whose weight is 0 (turned off)', () => {
    const off = policyWith({ events: { ...P.events, looking_away: { ...P.events.looking_away, weight: 0 } } });
    const { events, state } = runSession(20, (s) => (during(s, 5, 15) ? AWAY : {}), off);
    expect(events).toEqual([]);
    expect(state.conditions).toEqual({});
  });
});

describe('the away-and-back session, second by second', () => {
  it('rises at each confirmed episode and only decays in between (printed for the closing note)', () => {
    const away = (s: number) => during(s, 10, 16) || during(s, 20, 28) || during(s, 35, 37);
    const { timeline, state } = runSession(90, (s) => (away(s) ? AWAY : {}), P);
    console.log(
      `Looking away 10-15 s, back, away 20-27 s, back, a 2 s glance at 35-36 s; default policy:\n${formatTimeline(timeline, (s) => (away(s) ? 'away' : 'screen'))}`,
    );
    const raised = timeline.filter((s) => s.events.length > 0).map((s) => s.second);
    expect(raised).toEqual([13, 23]);
    for (let i = 1; i < timeline.length; i++) {
      if (raised.includes(timeline[i].second)) expect(timeline[i].risk).toBeGreaterThan(timeline[i - 1].risk);
      else expect(timeline[i].risk).toBeLessThanOrEqual(timeline[i - 1].risk);
    }
    expect(state).toMatchObject({ verdict: 'clear', peakAtMs: T0 + 23_000 });
  });
});
