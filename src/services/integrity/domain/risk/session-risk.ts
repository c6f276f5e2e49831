import { readConditions } from './conditions';
import { ConditionEpisode, debounce } from './debounce';
import { combined, decayed } from './decay';
import { EVENT_KINDS, IntegrityEventKind, OBJECT_EVENT_KINDS } from './event-kind';
import { assertValidObservation, Observation } from './observation';
import { RiskPolicy } from './policy';
import { IntegrityVerdict, moreSevere, verdictOf } from './verdict';

/**
 * A session's risk between frames: a plain JSON-serialisable object (no class, no undefined, no
 * Infinity), stored per session and handed back to `observe` with the next frame. Times are the
 * frames' own timestamps, milliseconds; null before the first frame.
 */
export interface SessionRisk {
  /** The shape's version, for stored states. */
  readonly schemaVersion: 1;
  /** Risk 0..1 as of `atMs` (decayed to the latest applied frame). */
  readonly risk: number;
  /** The latest applied frame's timestamp, and its number. */
  readonly atMs: number | null;
  readonly lastFrameNumber: number | null;
  readonly firstFrameAtMs: number | null;
  /** The highest risk reached, and when. */
  readonly peak: number;
  readonly peakAtMs: number | null;
  /** The verdict of the peak: it never falls as the risk decays. */
  readonly verdict: IntegrityVerdict;
  /** Frames applied, and how many of them had their objects checked. */
  readonly frames: number;
  readonly objectChecks: number;
  /** Events raised so far. */
  readonly eventsTotal: number;
  /** The open episodes (held, pending or raised); a kind absent here is clear and armed. */
  readonly conditions: Readonly<Partial<Record<IntegrityEventKind, ConditionEpisode>>>;
}

/** An event raised by a frame: what the service stores and publishes (integrity.v1.IntegrityEvent). */
export interface RiskEvent {
  readonly kind: IntegrityEventKind;
  /** The condition's first frame, and the frame that confirmed it (the debounce's last), milliseconds of frame time. */
  readonly startedAtMs: number;
  readonly confirmedAtMs: number;
  /** The confirming frame's number. */
  readonly frameNumber: number;
  /** What was added to the risk (0..1), and the session's risk just after (0..1). */
  readonly weight: number;
  readonly riskAfter: number;
  /** What was seen, for a person reviewing it, e.g. "cell phone 0.62 at (412, 300) for 2.0 s over 2 checks". */
  readonly detail: string;
}

/**
 * What a frame did. `skipped` says why a frame changed nothing: `duplicate` (the latest applied
 * frame's number again) or `late` (older than the latest applied frame); the state is then returned
 * as it was.
 */
export interface ObserveResult {
  readonly state: SessionRisk;
  readonly events: RiskEvent[];
  readonly skipped?: 'duplicate' | 'late';
}

/** A session before its first frame: risk 0, clear, nothing open. */
export function initialSessionRisk(): SessionRisk {
  return {
    schemaVersion: 1,
    risk: 0,
    atMs: null,
    lastFrameNumber: null,
    firstFrameAtMs: null,
    peak: 0,
    peakAtMs: null,
    verdict: 'clear',
    frames: 0,
    objectChecks: 0,
    eventsTotal: 0,
    conditions: {},
  };
}

/**
 * Applies one analysed frame to a session's risk (pure: `state` is not modified). The risk decays to
 * the frame's timestamp; each condition's episode advances (readConditions, debounce); each condition
 * confirmed by this frame becomes a RiskEvent whose weight is combined into the risk
 * (1 - (1 - risk)(1 - weight)), in EVENT_KINDS order; the peak and verdict follow.
 *
 * Frames are applied in frame-time order only. A frame older than the latest applied one (or as old
 * with a frame number not above it) is skipped: `late`, or `duplicate` for the same frame number. Its
 * findings describe a moment the later frames already stand for, and applying it out of order would
 * end or extend episodes at the wrong place and decay the risk backwards. The caller keeps its own
 * idempotency key (session, frame number); this keeps the state sound even without it.
 *
 * Throws RangeError for a malformed observation (assertValidObservation). The policy is trusted (see
 * assertValidRiskPolicy; riskPolicyFromEnv checks it).
 */
export function observe(state: SessionRisk, observation: Observation, policy: RiskPolicy): ObserveResult {
  assertValidObservation(observation);
  const skipped = skipReason(state, observation);
  if (skipped !== undefined) return { state, events: [], skipped };

  const { timestampMs: t, frameNumber } = observation;
  let risk = riskAt(state, t, policy);
  let { peak, peakAtMs } = state;
  const readings = readConditions(observation, policy);
  const conditions: Partial<Record<IntegrityEventKind, ConditionEpisode>> = {};
  const events: RiskEvent[] = [];
  for (const kind of EVENT_KINDS) {
    const rule = policy.events[kind];
    if (rule.weight === 0) continue; // the kind is off: no episode is kept
    const reading = readings[kind];
    const step = debounce(state.conditions[kind], reading, observation, rule, policy);
    if (step.episode !== undefined) conditions[kind] = step.episode;
    if (!step.confirmed || step.episode === undefined || reading?.holds !== true) continue;
    risk = combined(risk, rule.weight);
    if (risk > peak) [peak, peakAtMs] = [risk, t];
    events.push({
      kind,
      startedAtMs: step.episode.startedAtMs,
      confirmedAtMs: t,
      frameNumber,
      weight: rule.weight,
      riskAfter: risk,
      detail: `${reading.detail} for ${((t - step.episode.startedAtMs) / 1000).toFixed(1)} s over ${step.episode.frames} ${OBJECT_EVENT_KINDS.includes(kind) ? 'checks' : 'frames'}`,
    });
  }
  return {
    state: {
      schemaVersion: 1,
      risk,
      atMs: t,
      lastFrameNumber: frameNumber,
      firstFrameAtMs: state.firstFrameAtMs ?? t,
      peak,
      peakAtMs,
      verdict: moreSevere(state.verdict, verdictOf(peak, policy)),
      frames: state.frames + 1,
      objectChecks: state.objectChecks + (observation.objectsChecked ? 1 : 0),
      eventsTotal: state.eventsTotal + events.length,
      conditions,
    },
    events,
  };
}

/**
 * The session's risk (0..1) at `timestampMs` of frame time, decayed from its latest frame with the
 * policy's half-life (risk · 2^(-Δt/halfLife)). A time before the latest frame gives the risk as of
 * that frame: the risk is never decayed backwards, so never raised by it.
 */
export function riskAt(state: SessionRisk, timestampMs: number, policy: Pick<RiskPolicy, 'halfLifeSeconds'>): number {
  if (state.atMs === null) return state.risk;
  return decayed(state.risk, timestampMs - state.atMs, policy.halfLifeSeconds);
}

function skipReason(state: SessionRisk, observation: Observation): ObserveResult['skipped'] {
  if (state.atMs === null || state.lastFrameNumber === null) return undefined;
  if (observation.timestampMs > state.atMs) return undefined;
  if (observation.timestampMs === state.atMs && observation.frameNumber > state.lastFrameNumber) return undefined;
  return observation.frameNumber === state.lastFrameNumber ? 'duplicate' : 'late';
}
