/**
 * Properties of the risk engine under random sessions (a seeded generator, so a failure names its
 * seed and replays): random policies, random observations (faces, gaze, head pose, objects on random
 * checks) at random steps of frame time, late and replayed frames among them. After every frame the
 * risk and peak stay in 0..1, the risk never exceeds the peak, the verdict is the peak's and never
 * falls, the risk only rises on a frame that raised an event, an event is never raised twice in one
 * episode, skipped frames change nothing, and the state survives JSON.
 */
import {
  EVENT_KINDS,
  IntegrityEventKind,
  initialSessionRisk,
  Observation,
  ObservedGazeDirection,
  observe,
  riskAt,
  RiskPolicy,
  riskPolicyProblem,
  SessionRisk,
  sessionRiskFromJson,
  verdictOf,
} from '../../../src/services/integrity/domain/risk';
import { T0 } from './risk-timeline';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['person', 'cell phone', 'remote', 'book', 'laptop', 'tv', 'cup', 'chair'];
const DIRECTIONS: ObservedGazeDirection[] = ['screen', 'screen', 'screen', 'left', 'right', 'up', 'down', 'closed'];

function randomPolicy(random: () => number): RiskPolicy {
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const reviewThreshold = 0.05 + random() * 0.6;
  const events = Object.fromEntries(
    EVENT_KINDS.map((kind) => [
      kind,
      { weight: random() < 0.1 ? 0 : random() < 0.02 ? 1 : random() * 0.3, debounceFrames: int(1, 4), minDurationMs: int(0, 5000) },
    ]),
  ) as Record<IntegrityEventKind, RiskPolicy['events'][IntegrityEventKind]>;
  return {
    halfLifeSeconds: 1 + random() * 600,
    reviewThreshold,
    flagThreshold: reviewThreshold + 0.01 + random() * (0.99 - reviewThreshold),
    events,
    headTurnedYawDegrees: int(10, 60),
    headTurnedPitchDegrees: int(10, 60),
    minObjectScore: random() * 0.8,
    objectLabels: { phone_in_view: ['cell phone', 'remote'], book_in_view: ['book'], screen_in_view: ['laptop', 'tv'] },
    maxGapMs: int(1000, 20_000),
    clearFrames: int(1, 3),
  };
}

function randomObservation(random: () => number, timestampMs: number, frameNumber: number): Observation {
  const faceCount = random() < 0.7 ? 1 : Math.floor(random() * 4);
  const angle = (limit: number) => (random() * 2 - 1) * limit;
  const objects = Array.from({ length: Math.floor(random() * 5) }, () => ({
    label: LABELS[Math.floor(random() * LABELS.length)],
    score: random(),
    box: { x: random() * 600, y: random() * 400, width: 10 + random() * 200, height: 10 + random() * 200 },
  }));
  return {
    timestampMs,
    frameNumber,
    faceCount,
    gaze: faceCount > 0 && random() < 0.9 ? { direction: DIRECTIONS[Math.floor(random() * DIRECTIONS.length)], yaw: angle(60), pitch: angle(40) } : undefined,
    headPose: faceCount > 0 && random() < 0.9 ? { yaw: angle(70), pitch: angle(50), roll: angle(30) } : undefined,
    objectsChecked: random() < 0.5,
    objects,
  };
}

/** Checks every property after one frame; throws an Error saying which failed. */
function checkStep(previous: SessionRisk, observation: Observation, policy: RiskPolicy): SessionRisk {
  const { state, events, skipped } = observe(previous, observation, policy);
  const fail = (what: string) => {
    throw new Error(
      `${what} at frame ${observation.frameNumber} (${observation.timestampMs - T0} ms): ${JSON.stringify({ previous, observation, state, events })}`,
    );
  };
  if (skipped !== undefined) {
    if (state !== previous || events.length > 0) fail(`a ${skipped} frame changed the state`);
    return state;
  }
  if (!(state.risk >= 0 && state.risk <= 1)) fail('risk outside 0..1');
  if (!(state.peak >= 0 && state.peak <= 1)) fail('peak outside 0..1');
  if (state.risk > state.peak) fail('risk above the peak');
  if (state.peak < previous.peak) fail('peak fell');
  if (state.verdict !== verdictOf(state.peak, policy)) fail("verdict is not the peak's");
  if (events.length === 0 && state.risk > riskAt(previous, observation.timestampMs, policy)) fail('risk rose without an event');
  if (riskAt(state, observation.timestampMs + 1 + 1e6 * Math.random(), policy) > state.risk) fail('decay raised the risk');
  if (state.eventsTotal !== previous.eventsTotal + events.length) fail('eventsTotal miscounted');
  if (state.frames !== previous.frames + 1) fail('frames miscounted');
  const kinds = new Set<string>();
  for (const event of events) {
    if (kinds.has(event.kind)) fail(`${event.kind} raised twice by one frame`);
    kinds.add(event.kind);
    if (previous.conditions[event.kind]?.raised === true) fail(`${event.kind} raised twice in one episode`);
    if (!(event.weight > 0 && event.riskAfter >= 0 && event.riskAfter <= 1)) fail('event weight or risk out of range');
    if (event.startedAtMs > event.confirmedAtMs || event.confirmedAtMs !== observation.timestampMs) fail('event times wrong');
    if (event.frameNumber !== observation.frameNumber) fail('event frame number wrong');
  }
  for (const [kind, episode] of Object.entries(state.conditions)) {
    if (policy.events[kind as IntegrityEventKind].weight === 0) fail(`${kind} is off but has an episode`);
    if (episode.lastSeenAtMs < episode.startedAtMs || episode.frames < 1 || episode.clearRun >= policy.clearFrames) fail(`${kind}'s episode is unsound`);
  }
  return state;
}

describe('the risk engine under random sessions', () => {
  it('keeps its properties over 300 sessions of 200 frames, late and replayed frames included', () => {
    let applied = 0;
    let skipped = 0;
    let events = 0;
    const verdicts = { clear: 0, review: 0, flagged: 0 };
    for (let seed = 1; seed <= 300; seed++) {
      const random = generator(seed);
      const policy = randomPolicy(random);
      expect([seed, riskPolicyProblem(policy)]).toEqual([seed, undefined]);
      let state = initialSessionRisk();
      let t = T0;
      let frameNumber = 0;
      for (let i = 0; i < 200; i++) {
        const roll = random();
        if (roll < 0.05 && state.lastFrameNumber !== null) {
          // a replay of the latest frame, or one from the past
          const back = roll < 0.025 ? 0 : 1 + Math.floor(random() * 5000);
          state = checkStep(state, randomObservation(random, t - back, back === 0 ? state.lastFrameNumber : Math.max(0, frameNumber - 3)), policy);
        } else {
          t += roll < 0.1 ? Math.floor(random() * 30_000) : 200 + Math.floor(random() * 1800);
          frameNumber += 1 + (random() < 0.1 ? Math.floor(random() * 10) : 0);
          state = checkStep(state, randomObservation(random, t, frameNumber), policy);
        }
        const stored = sessionRiskFromJson(JSON.parse(JSON.stringify(state)));
        if (JSON.stringify(stored) !== JSON.stringify(state)) throw new Error(`seed ${seed}: the state did not survive JSON`);
      }
      applied += state.frames;
      skipped += 200 - state.frames;
      events += state.eventsTotal;
      verdicts[state.verdict]++;
    }
    console.log(
      `300 random sessions: ${applied} frames applied, ${skipped} skipped (late or replayed), ${events} events; verdicts ${JSON.stringify(verdicts)}`,
    );
    // The generator must exercise every branch the properties speak of, or they prove little.
    expect(skipped).toBeGreaterThan(1000);
    expect(events).toBeGreaterThan(1000);
    expect(Math.min(verdicts.clear, verdicts.review, verdicts.flagged)).toBeGreaterThan(10);
  });
});
