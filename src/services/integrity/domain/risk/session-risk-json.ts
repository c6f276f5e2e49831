import { ConditionEpisode } from './debounce';
import { EVENT_KINDS, IntegrityEventKind } from './event-kind';
import { SessionRisk } from './session-risk';
import { IntegrityVerdict } from './verdict';

const VERDICTS: readonly string[] = ['clear', 'review', 'flagged'] satisfies IntegrityVerdict[];

/**
 * A stored SessionRisk (JSON.parse of what the service saved) checked field by field and returned
 * typed, or RangeError naming the first bad field ("stored session risk: peak must be ...") for a
 * state of another schema version or one damaged in storage, which `observe` must never read.
 */
export function sessionRiskFromJson(value: unknown): SessionRisk {
  const fail = (field: string, expected: string): never => {
    throw new RangeError(`stored session risk: ${field} must be ${expected}`);
  };
  if (!isRecord(value)) return fail('the state', 'an object');
  if (value.schemaVersion !== 1) fail('schemaVersion', '1');
  const fraction = (field: string) => (isNumber(value[field]) && value[field] >= 0 && value[field] <= 1 ? value[field] : fail(field, 'a number from 0 to 1'));
  const count = (field: string) => (isCount(value[field]) ? value[field] : fail(field, 'a non-negative integer'));
  const timeOrNull = (field: string) => (value[field] === null || isNumber(value[field]) ? value[field] : fail(field, 'milliseconds or null'));
  const risk = fraction('risk');
  const peak = fraction('peak');
  if (peak < risk) fail('peak', 'at least the risk');
  const verdict = value.verdict;
  if (typeof verdict !== 'string' || !VERDICTS.includes(verdict)) fail('verdict', VERDICTS.join(', '));
  const lastFrameNumber =
    value.lastFrameNumber === null || isCount(value.lastFrameNumber) ? value.lastFrameNumber : fail('lastFrameNumber', 'a frame number or null');
  if (!isRecord(value.conditions)) return fail('conditions', 'an object');
  const conditions: Partial<Record<IntegrityEventKind, ConditionEpisode>> = {};
  for (const [kind, episode] of Object.entries(value.conditions)) {
    if (!(EVENT_KINDS as readonly string[]).includes(kind)) fail(`conditions.${kind}`, `one of ${EVENT_KINDS.join(', ')}`);
    conditions[kind as IntegrityEventKind] = episodeFromJson(episode, `conditions.${kind}`, fail);
  }
  return {
    schemaVersion: 1,
    risk,
    atMs: timeOrNull('atMs'),
    lastFrameNumber,
    firstFrameAtMs: timeOrNull('firstFrameAtMs'),
    peak,
    peakAtMs: timeOrNull('peakAtMs'),
    verdict: verdict as IntegrityVerdict,
    frames: count('frames'),
    objectChecks: count('objectChecks'),
    eventsTotal: count('eventsTotal'),
    conditions,
  };
}

function episodeFromJson(value: unknown, at: string, fail: (field: string, expected: string) => never): ConditionEpisode {
  if (!isRecord(value)) return fail(at, 'an object');
  const { startedAtMs, startFrameNumber, lastSeenAtMs, frames, raised, clearRun } = value;
  if (!isNumber(startedAtMs)) fail(`${at}.startedAtMs`, 'milliseconds');
  if (!isCount(startFrameNumber)) fail(`${at}.startFrameNumber`, 'a frame number');
  if (!isNumber(lastSeenAtMs) || lastSeenAtMs < startedAtMs) fail(`${at}.lastSeenAtMs`, 'milliseconds, not before startedAtMs');
  if (!isCount(frames) || frames < 1) fail(`${at}.frames`, 'a positive integer');
  if (typeof raised !== 'boolean') fail(`${at}.raised`, 'a boolean');
  if (!isCount(clearRun)) fail(`${at}.clearRun`, 'a non-negative integer');
  return { startedAtMs, startFrameNumber, lastSeenAtMs, frames, raised, clearRun };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
