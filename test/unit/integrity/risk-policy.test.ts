/**
 * The risk policy: DEFAULT_RISK_POLICY is sound and is what an empty environment gives;
 * riskPolicyFromEnv reads every INTEGRITY_* variable and refuses a bad one with ConfigError naming it.
 */
import { ConfigError } from '../../../src/platform/config/env';
import {
  assertValidRiskPolicy,
  DEFAULT_RISK_POLICY,
  EVENT_KINDS,
  RISK_POLICY_VARIABLES,
  riskPolicyFromEnv,
  riskPolicyProblem,
} from '../../../src/services/integrity/domain/risk';

describe('DEFAULT_RISK_POLICY', () => {
  it('is sound, frozen, and has a rule for every kind', () => {
    expect(riskPolicyProblem(DEFAULT_RISK_POLICY)).toBeUndefined();
    expect(Object.keys(DEFAULT_RISK_POLICY.events).sort()).toEqual([...EVENT_KINDS].sort());
    expect(Object.isFrozen(DEFAULT_RISK_POLICY.events.phone_in_view)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RISK_POLICY.objectLabels.phone_in_view)).toBe(true);
  });

  it('flags no single event on its own: every weight is below the flag threshold', () => {
    for (const kind of EVENT_KINDS) expect(DEFAULT_RISK_POLICY.events[kind].weight).toBeLessThan(DEFAULT_RISK_POLICY.flagThreshold);
  });

  it('assertValidRiskPolicy names the field of an unsound policy', () => {
    const P = DEFAULT_RISK_POLICY;
    expect(() => {
      assertValidRiskPolicy({ ...P, reviewThreshold: 0.7 });
    }).toThrow(new RangeError('risk policy: reviewThreshold must be below flagThreshold'));
    expect(() => {
      assertValidRiskPolicy({ ...P, events: { ...P.events, book_in_view: { weight: 0.3, debounceFrames: 0, minDurationMs: 0 } } });
    }).toThrow('events.book_in_view.debounceFrames must be an integer from 1 to 1000');
    const missing: Partial<Record<keyof typeof P.events, unknown>> = { ...P.events };
    delete missing.looking_away;
    expect(riskPolicyProblem({ ...P, events: missing as typeof P.events })).toBe('events.looking_away is missing');
    expect(riskPolicyProblem({ ...P, halfLifeSeconds: 0 })).toBe('halfLifeSeconds must be from 1 to 86400');
    expect(riskPolicyProblem({ ...P, objectLabels: { ...P.objectLabels, book_in_view: [''] } })).toBe('objectLabels.book_in_view must be a list of labels');
  });
});

describe('riskPolicyFromEnv', () => {
  it('gives the defaults for an empty environment, and for blank values', () => {
    expect(riskPolicyFromEnv({})).toEqual(DEFAULT_RISK_POLICY);
    expect(riskPolicyFromEnv({ INTEGRITY_HALF_LIFE_SECONDS: '  ', INTEGRITY_WEIGHT_PHONE_IN_VIEW: '' })).toEqual(DEFAULT_RISK_POLICY);
  });

  it('reads every variable it documents', () => {
    const env = {
      INTEGRITY_HALF_LIFE_SECONDS: '90',
      INTEGRITY_REVIEW_THRESHOLD: '0.3',
      INTEGRITY_FLAG_THRESHOLD: '.7',
      INTEGRITY_HEAD_TURNED_YAW_DEGREES: '35',
      INTEGRITY_HEAD_TURNED_PITCH_DEGREES: '27.5',
      INTEGRITY_MIN_OBJECT_SCORE: '0.45',
      INTEGRITY_MAX_GAP_MS: '5000',
      INTEGRITY_CLEAR_FRAMES: '3',
      INTEGRITY_WEIGHT_PHONE_IN_VIEW: '0.6',
      INTEGRITY_DEBOUNCE_FRAMES_PHONE_IN_VIEW: '3',
      INTEGRITY_MIN_DURATION_MS_LOOKING_AWAY: '4000',
      INTEGRITY_WEIGHT_BOOK_IN_VIEW: '0',
    };
    const policy = riskPolicyFromEnv(env);
    expect(policy).toMatchObject({
      halfLifeSeconds: 90,
      reviewThreshold: 0.3,
      flagThreshold: 0.7,
      headTurnedYawDegrees: 35,
      headTurnedPitchDegrees: 27.5,
      minObjectScore: 0.45,
      maxGapMs: 5000,
      clearFrames: 3,
    });
    expect(policy.events.phone_in_view).toEqual({ weight: 0.6, debounceFrames: 3, minDurationMs: 1000 });
    expect(policy.events.looking_away).toEqual({ ...DEFAULT_RISK_POLICY.events.looking_away, minDurationMs: 4000 });
    expect(policy.events.book_in_view.weight).toBe(0);
    expect(riskPolicyProblem(policy)).toBeUndefined();
    expect(Object.isFrozen(policy)).toBe(true);
    expect(RISK_POLICY_VARIABLES).toEqual(expect.arrayContaining(Object.keys(env)));
    expect(RISK_POLICY_VARIABLES).toHaveLength(8 + 3 * EVENT_KINDS.length);
  });

  it('changes the policy with each of its variables: none is ignored', () => {
    const values: Record<string, string> = { THRESHOLD: '0.5', SECONDS: '61', DEGREES: '44', SCORE: '0.5', MS: '1234', FRAMES: '7' };
    for (const name of RISK_POLICY_VARIABLES) {
      const value = name.startsWith('INTEGRITY_WEIGHT_')
        ? '0.01'
        : name === 'INTEGRITY_CLEAR_FRAMES'
          ? '9'
          : values[name.split('_').find((part) => part in values) ?? ''];
      expect([name, value]).toEqual([name, expect.any(String)]);
      expect([name, riskPolicyFromEnv({ [name]: value })]).not.toEqual([name, DEFAULT_RISK_POLICY]);
    }
  });

  it.each([
    ['INTEGRITY_HALF_LIFE_SECONDS', '0', 'must be a number from 1 to 86400, got "0"'],
    ['INTEGRITY_HALF_LIFE_SECONDS', 'sixty', 'must be a number from 1 to 86400, got "sixty"'],
    ['INTEGRITY_HALF_LIFE_SECONDS', 'Infinity', 'got "Infinity"'],
    ['INTEGRITY_HALF_LIFE_SECONDS', '1e3', 'got "1e3"'],
    ['INTEGRITY_HALF_LIFE_SECONDS', '0x3c', 'got "0x3c"'],
    ['INTEGRITY_REVIEW_THRESHOLD', '0', 'must be a number above 0 and at most 1, got "0"'],
    ['INTEGRITY_FLAG_THRESHOLD', '1.5', 'must be a number above 0 and at most 1, got "1.5"'],
    ['INTEGRITY_WEIGHT_LOOKING_AWAY', '-0.1', 'must be a number from 0 to 1, got "-0.1"'],
    ['INTEGRITY_WEIGHT_ANOTHER_PERSON', '40%', 'got "40%"'],
    ['INTEGRITY_DEBOUNCE_FRAMES_PHONE_IN_VIEW', '0', 'must be an integer from 1 to 1000, got "0"'],
    ['INTEGRITY_DEBOUNCE_FRAMES_FACE_MISSING', '2.5', 'must be an integer from 1 to 1000'],
    ['INTEGRITY_MIN_DURATION_MS_HEAD_TURNED', '-1', 'must be an integer from 0 to 3600000'],
    ['INTEGRITY_HEAD_TURNED_YAW_DEGREES', '180', 'must be a number from 1 to 179'],
    ['INTEGRITY_MIN_OBJECT_SCORE', '2', 'must be a number from 0 to 1'],
    ['INTEGRITY_MAX_GAP_MS', '0', 'must be an integer from 1 to 3600000'],
    ['INTEGRITY_CLEAR_FRAMES', 'two', 'must be an integer from 1 to 1000'],
  ])('refuses %s=%s with ConfigError naming it', (name, value, message) => {
    const parse = () => riskPolicyFromEnv({ [name]: value });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(`${name} must be a`);
    expect(parse).toThrow(message);
  });

  it('refuses a review threshold that is not below the flag threshold, naming both', () => {
    expect(() => riskPolicyFromEnv({ INTEGRITY_REVIEW_THRESHOLD: '0.65' })).toThrow(
      new ConfigError('INTEGRITY_REVIEW_THRESHOLD (0.65) must be below INTEGRITY_FLAG_THRESHOLD (0.65)'),
    );
    expect(() => riskPolicyFromEnv({ INTEGRITY_REVIEW_THRESHOLD: '0.5', INTEGRITY_FLAG_THRESHOLD: '0.4' })).toThrow(ConfigError);
  });
});
