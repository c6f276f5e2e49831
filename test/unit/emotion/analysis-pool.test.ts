/**
 * The analysis pool's admission: live frames (AnalyzeFrame) first, refused with UNAVAILABLE once
 * maxWaitingLiveFrames already wait; queued work (the frame consumer, AnalyzeBatch) behind them,
 * never refused. One worker thread on the real models, so that which frames wait is deterministic:
 * analyze() enqueues synchronously, before any frame is done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { toStatus } from '../../../src/platform/grpc/errors';
import { AnalysisPool } from '../../../src/services/emotion/analysis-pool';

jest.setTimeout(120_000);

const astronaut = fs.readFileSync(path.resolve(__dirname, '../../fixtures/faces/astronaut.png'));
/** 'analyzed', or the status a caller would get for the error (the gRPC edge's mapping). */
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => 'analyzed',
    (e: unknown) => {
      const { code, details } = toStatus(e);
      return `${status[code]}: ${details}`;
    },
  );

describe('AnalysisPool admission: live frames first, shed past the limit; queued work waits', () => {
  let pool: AnalysisPool | undefined;

  beforeAll(async () => {
    pool = await AnalysisPool.start({ modelsDir: path.resolve(__dirname, '../../../models'), threads: 1, maxWaitingLiveFrames: 2 });
  });
  afterAll(() => pool?.close());

  it('analyzes the frame a worker takes and the two that may wait, and refuses the rest with UNAVAILABLE saying why', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => outcome(pool!.analyze(astronaut, 'png', `live-${i}`))));
    expect(outcomes.slice(0, 3)).toEqual(['analyzed', 'analyzed', 'analyzed']);
    for (const refused of outcomes.slice(3)) {
      expect(refused).toBe('UNAVAILABLE: the emotion service is overloaded: 2 frames are already waiting for the models; retry with backoff');
    }
    // Nothing is left behind: the pool takes live frames again once they have gone through.
    expect(await outcome(pool!.analyze(astronaut, 'png', 'live-after'))).toBe('analyzed');
  });

  it('never refuses queued work, and serves live frames that arrive later before it', async () => {
    const done: string[] = [];
    const track = (name: string, call: Promise<unknown>) => call.then(() => void done.push(name));
    const first = track('live 1', pool!.analyze(astronaut, 'png', 'a')); // takes the worker
    const queued = track(
      'queued batch',
      pool!.analyzeBatch(Array.from({ length: 12 }, (_, i) => ({ imageData: astronaut, format: 'png', sessionId: `q-${i}` }))),
    );
    const consumer = track('queued frame', pool!.analyze(astronaut, 'png', 'c', { background: true }));
    const later = [track('live 2', pool!.analyze(astronaut, 'png', 'b')), track('live 3', pool!.analyze(astronaut, 'png', 'd'))];
    await Promise.all([first, queued, consumer, ...later]);
    expect(done.slice(0, 3)).toEqual(['live 1', 'live 2', 'live 3']);
    expect(done.slice(3).sort()).toEqual(['queued batch', 'queued frame']);
  });
});
