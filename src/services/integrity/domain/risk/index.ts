/**
 * The risk engine (seed 004's risk_engine: score, events, filters, calibration), pure: per analysed
 * frame an Observation; conditions (readConditions) debounced into events (debounce), each adding its
 * weight to a risk that decays with a half-life in frame time (decay), a verdict from the peak
 * (verdict), all under a RiskPolicy (policy, policy-from-env). A session's state is a plain object
 * (SessionRisk) the service stores and hands back with the next frame:
 *
 * ```ts
 * const policy = riskPolicyFromEnv(process.env); // once, at start-up
 * let state = initialSessionRisk();
 * const { state: next, events } = observe(state, observation, policy); // per analysed frame, in its transaction
 * riskAt(next, nowFrameMs, policy); // the risk decayed to a later time
 * ```
 */
export { EVENT_KINDS, type IntegrityEventKind, OBJECT_EVENT_KINDS } from './event-kind';
export { assertValidObservation, type Observation, type ObservedGazeDirection, type ObservedObject } from './observation';
export { assertValidRiskPolicy, DEFAULT_RISK_POLICY, type EventRule, POLICY_LIMITS, type RiskPolicy, riskPolicyProblem } from './policy';
export { RISK_POLICY_VARIABLES, riskPolicyFromEnv } from './policy-from-env';
export { type ConditionReading, type ConditionReadings, readConditions } from './conditions';
export { type ConditionEpisode, debounce } from './debounce';
export { combined, decayed } from './decay';
export { type IntegrityVerdict, moreSevere, verdictOf } from './verdict';
export { initialSessionRisk, observe, type ObserveResult, type RiskEvent, riskAt, type SessionRisk } from './session-risk';
export { sessionRiskFromJson } from './session-risk-json';
