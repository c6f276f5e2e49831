import { applyEyeSample, BlinkState, EyeSample, summarizeBlinks } from '../../../src/services/emotion/domain/blink/blink-tracker';
import { EyeAspectRatio } from '../../../src/services/emotion/domain/blink/eye-aspect-ratio';
import { EmotionStore } from '../../../src/services/emotion/store';
import { StreamBlinks } from '../../../src/services/emotion/stream-blinks';
import { silentLogger } from '../../../src/platform/log/logger';

/** The blink table as EmotionStore's statement keeps it (applyEyeSample per row), each write held until released. */
class HeldStore {
  readonly rows = new Map<string, BlinkState>();
  readonly calls: string[] = [];
  private readonly held: (() => void)[] = [];
  failNext = false;
  hold = false;

  recordBlinkState(sessionId: string, sample: EyeSample): Promise<BlinkState> {
    this.calls.push(`write ${sample.timestampMs}`);
    const run = (): BlinkState => {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('database away');
      }
      const { state } = applyEyeSample(this.rows.get(sessionId), sample);
      this.rows.set(sessionId, state);
      return state;
    };
    if (!this.hold) return Promise.resolve().then(run);
    return new Promise((resolve, reject) =>
      this.held.push(() => {
        try {
          resolve(run());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
  }
  currentBlinkState(sessionId: string): Promise<BlinkState | undefined> {
    this.calls.push('read');
    return Promise.resolve(this.rows.get(sessionId));
  }
  release(): void {
    for (const write of this.held.splice(0)) write();
  }
}

const eyes = (mean: number): EyeAspectRatio => ({ mean, left: mean, right: mean });
const T0 = 1_700_000_000_000;
// Open, closed for 200 ms (a blink), open, open.
const FRAMES = [0.3, 0.2, 0.3, 0.3];

describe('StreamBlinks (AnalyzeStream: blink state in memory, written behind)', () => {
  it('counts the first frame in the database, the next ones in memory without waiting, and leaves the row as the statement would', async () => {
    const store = new HeldStore();
    const blinks = new StreamBlinks(store as unknown as EmotionStore, silentLogger());
    expect(await blinks.update('s', T0, eyes(FRAMES[0]))).toMatchObject({ count: 0 });
    store.hold = true;
    const answers = [];
    for (let i = 1; i < FRAMES.length; i++) answers.push(await blinks.update('s', T0 + i * 200, eyes(FRAMES[i])));
    // Answered while every write after the first is still held.
    expect(answers.map((a) => a?.count)).toEqual([0, 1, 1]);
    expect(store.calls).toEqual(['write 1700000000000', 'write 1700000000200']);
    const state = { settled: false };
    const settling = blinks.settled().then(() => {
      state.settled = true;
    });
    await Promise.resolve();
    expect(state.settled).toBe(false);
    while (!state.settled) {
      store.release();
      await new Promise((r) => setImmediate(r));
    }
    await settling;
    // Every sample reached the row, in order, and the row says what the stream answered.
    expect(store.calls).toEqual(FRAMES.map((_, i) => `write ${T0 + i * 200}`));
    expect(summarizeBlinks(store.rows.get('s')!)).toEqual(answers.at(-1));
  });

  it('counts in the database again after a write failed', async () => {
    const store = new HeldStore();
    const blinks = new StreamBlinks(store as unknown as EmotionStore, silentLogger());
    await blinks.update('s', T0, eyes(0.3));
    store.failNext = true;
    await blinks.update('s', T0 + 200, eyes(0.3));
    await blinks.settled();
    store.calls.length = 0;
    await blinks.update('s', T0 + 400, eyes(0.3));
    // Synchronous again: the write happened before the answer.
    expect(store.calls).toEqual([`write ${T0 + 400}`]);
    expect(store.rows.get('s')!.lastTimestampMs).toBe(T0 + 400);
  });

  it('answers a frame without a face from memory, and a repeated frame without writing it', async () => {
    const store = new HeldStore();
    const blinks = new StreamBlinks(store as unknown as EmotionStore, silentLogger());
    await blinks.update('s', T0, eyes(0.3));
    await blinks.update('s', T0 + 200, eyes(0.3));
    await blinks.settled();
    store.calls.length = 0;
    expect(await blinks.update('s', T0 + 400, undefined)).toMatchObject({ count: 0 });
    expect(await blinks.update('s', T0 + 200, eyes(0.2))).toMatchObject({ count: 0 });
    await blinks.settled();
    expect(store.calls).toEqual([]);
    expect(await blinks.update('', T0, eyes(0.3))).toBeUndefined();
  });
});
