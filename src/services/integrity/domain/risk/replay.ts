import { Observation } from './observation';
import { RiskPolicy } from './policy';
import { initialSessionRisk, observe, RiskEvent, SessionRisk } from './session-risk';
import { IntegrityVerdict } from './verdict';

/** One frame of a replay: the risk and verdict after it, the events it raised, or why it was skipped. */
export interface ReplayStep {
  readonly timestampMs: number;
  readonly frameNumber: number;
  readonly risk: number;
  readonly verdict: IntegrityVerdict;
  readonly events: readonly RiskEvent[];
  readonly skipped?: 'duplicate' | 'late';
}

/**
 * A recorded session's observations run through `observe` under `policy`, in the order given: the
 * final state, every event, and the risk after each frame. For calibration (the same recorded
 * sessions under a candidate policy, their events reviewed by a person before the policy is taken
 * into use) and for a session's timeline.
 */
export function replay(
  observations: Iterable<Observation>,
  policy: RiskPolicy,
  from: SessionRisk = initialSessionRisk(),
): { state: SessionRisk; events: RiskEvent[]; steps: ReplayStep[] } {
  let state = from;
  const events: RiskEvent[] = [];
  const steps: ReplayStep[] = [];
  for (const observation of observations) {
    const result = observe(state, observation, policy);
    state = result.state;
    events.push(...result.events);
    const { timestampMs, frameNumber } = observation;
    steps.push({
      timestampMs,
      frameNumber,
      risk: state.risk,
      verdict: state.verdict,
      events: result.events,
      ...(result.skipped ? { skipped: result.skipped } : {}),
    });
  }
  return { state, events, steps };
}
