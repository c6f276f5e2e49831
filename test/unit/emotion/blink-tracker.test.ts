import {
  applyEyeSample,
  BlinkState,
  EAR_CLOSED_THRESHOLD,
  EyeSample,
  MAX_BLINK_MS,
  summarizeBlinks,
} from '../../../src/services/emotion/domain/blink/blink-tracker';

const OPEN = 0.32;
const CLOSED = 0.2;
const T0 = 1_700_000_000_000;

/** Feeds samples at `intervalMs` from T0; returns the final state. */
function run(ears: number[], intervalMs: number): BlinkState {
  let state: BlinkState | undefined;
  ears.forEach((ear, i) => {
    state = applyEyeSample(state, { timestampMs: T0 + i * intervalMs, ear }).state;
  });
  return state!;
}

describe('blink counting on eye aspect ratios, in the frames own timestamps', () => {
  it('uses a threshold between the fixtures open (0.32) and closed (0.205) eyes', () => {
    expect(EAR_CLOSED_THRESHOLD).toBeGreaterThan(0.205);
    expect(EAR_CLOSED_THRESHOLD).toBeLessThan(0.32);
  });

  it('counts a blink at 30 fps: three closed frames, then open', () => {
    const state = run([OPEN, OPEN, CLOSED, CLOSED, CLOSED, OPEN, OPEN], 33);
    expect(summarizeBlinks(state)).toEqual({ count: 1, ratePerMinute: 1 / ((6 * 33) / 60_000), timestamps: [T0 + 2 * 33], averageDurationMs: 99 });
  });

  it('counts a blink at 2 fps: one closed frame', () => {
    const state = run([OPEN, CLOSED, OPEN, OPEN, CLOSED, OPEN], 500);
    const summary = summarizeBlinks(state);
    expect(summary.count).toBe(2);
    expect(summary.timestamps).toEqual([T0 + 500, T0 + 2_000]);
    // 2 blinks over 2.5 s of frames.
    expect(summary.ratePerMinute).toBeCloseTo(48, 6);
  });

  it('does not count a single closed frame at 30 fps (33 ms: noise, shorter than any blink)', () => {
    expect(summarizeBlinks(run([OPEN, CLOSED, OPEN], 33)).count).toBe(0);
  });

  it('does not count eyes kept closed longer than a blink', () => {
    const frames = [OPEN, ...Array<number>(12).fill(CLOSED), OPEN];
    expect((frames.length - 2) * 100).toBeGreaterThan(MAX_BLINK_MS);
    expect(summarizeBlinks(run(frames, 100)).count).toBe(0);
  });

  it('ignores a repeated or late frame (no double counting across replicas or retries)', () => {
    let state = run([OPEN, CLOSED], 100);
    const late: EyeSample = { timestampMs: T0 + 50, ear: OPEN };
    const repeat: EyeSample = { timestampMs: T0 + 100, ear: OPEN };
    for (const sample of [late, repeat]) {
      const result = applyEyeSample(state, sample);
      expect(result.applied).toBe(false);
      expect(result.state).toBe(state);
    }
    state = applyEyeSample(state, { timestampMs: T0 + 300, ear: OPEN }).state;
    expect(summarizeBlinks(state).count).toBe(1);
  });

  it('has no rate before a second frame', () => {
    expect(summarizeBlinks(run([OPEN], 100))).toEqual({ count: 0, ratePerMinute: 0, timestamps: [], averageDurationMs: 0 });
  });
});
