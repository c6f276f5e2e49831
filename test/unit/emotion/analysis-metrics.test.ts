/**
 * The emotion models' metrics (issue 12): frames through the real pool (one worker thread on the
 * real models, as analysis-pool.test.ts builds it) with a MeshMetrics. Each model's inference time
 * is measured in the worker and observed once per frame (detection) or face (landmarks, emotion)
 * it ran on, whichever path the frame took (AnalyzeFrame's live frames, queued work in batches,
 * DetectFace); a tracked frame skips detection, a frame with no face stops after it, a frame that
 * is no image reaches no model. Live frames refused for load count as shed; frames waiting for the
 * worker are the queue length at scrape time. The service's wiring (observedAnalyzer) observes the
 * pool it is given once the host sets it, and stops on release.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LateResource } from '../../../src/platform/service/provisioned';
import { MeshMetrics, METRIC } from '../../../src/platform/telemetry/metrics';
import { analysisMetrics, observedAnalyzer } from '../../../src/services/emotion/analysis-metrics';
import { AnalysisPool, FrameAnalysisService } from '../../../src/services/emotion/analysis-pool';
import { ModelName, MODEL_NAMES, noModelTimings } from '../../../src/services/emotion/domain/model-timings';

jest.setTimeout(120_000);

const FACES = path.resolve(__dirname, '../../fixtures/faces');
const astronaut = fs.readFileSync(path.join(FACES, 'astronaut.png'));
const coffee = fs.readFileSync(path.join(FACES, 'coffee.png')); // no face

/** `_count` and `_sum` of the inference histogram for each model. */
async function inference(metrics: MeshMetrics): Promise<Record<ModelName, { count: number; sum: number }>> {
  const { values } = await metrics.emotionInference.get();
  const of = (model: ModelName, suffix: string) =>
    values.find((v) => v.metricName === `${METRIC.emotionInference}_${suffix}` && v.labels.model === model)?.value ?? 0;
  return Object.fromEntries(MODEL_NAMES.map((m) => [m, { count: of(m, 'count'), sum: of(m, 'sum') }])) as Record<ModelName, { count: number; sum: number }>;
}

const counts = async (metrics: MeshMetrics) => Object.fromEntries(Object.entries(await inference(metrics)).map(([m, { count }]) => [m, count]));
const shed = async (metrics: MeshMetrics) => (await metrics.emotionFramesShed.get()).values[0]?.value ?? 0;
const queueLength = async (metrics: MeshMetrics) => {
  await metrics.exposition(); // runs the scrape hooks
  return (await metrics.emotionQueueLength.get()).values[0]?.value ?? 0;
};
/** Each call's outcome, handled at once (a refusal is no unhandled rejection while the test awaits others). */
const settle = (calls: Promise<unknown>[]) =>
  calls.map((call) =>
    call.then(
      () => 'analyzed' as const,
      () => 'refused' as const,
    ),
  );
/** How many of the settled calls were refused. */
const refusals = async (outcomes: Promise<'analyzed' | 'refused'>[]) => (await Promise.all(outcomes)).filter((o) => o === 'refused').length;

describe('analysisMetrics: timings from the workers as histogram observations', () => {
  it('shares a batched run equally among the faces it ran on: _sum is the time, _count the faces', async () => {
    const metrics = new MeshMetrics();
    const timings = noModelTimings();
    timings.detection = { seconds: 0.03, items: 3 };
    timings.landmarks = { seconds: 0.02, items: 4 };
    analysisMetrics(metrics).inference(timings);
    const observed = await inference(metrics);
    expect(observed.detection).toEqual({ count: 3, sum: expect.closeTo(0.03, 9) as number });
    expect(observed.landmarks).toEqual({ count: 4, sum: expect.closeTo(0.02, 9) as number });
    expect(observed.emotion).toEqual({ count: 0, sum: 0 });
    const { values } = await metrics.emotionInference.get();
    // 10 ms a frame: in the 0.01 bucket (le is inclusive), not in 0.005.
    const bucket = (le: number) =>
      values.find((v) => v.metricName === `${METRIC.emotionInference}_bucket` && v.labels.model === 'detection' && (v.labels as { le?: number }).le === le)
        ?.value;
    expect(bucket(0.005)).toBe(0);
    expect(bucket(0.01)).toBe(3);
  });
});

describe('the emotion models on the real pool, observed', () => {
  let pool: AnalysisPool | undefined;

  beforeAll(async () => {
    pool = await AnalysisPool.start({ modelsDir: path.resolve(__dirname, '../../../models'), threads: 1, maxWaitingLiveFrames: 2 });
  });
  afterAll(() => pool?.close());

  it('observes each model per frame or face on every path, and counts the live frames shed', async () => {
    const metrics = new MeshMetrics();
    const stop = pool!.observe(analysisMetrics(metrics));
    try {
      // Live frames, one worker, 2 may wait: 3 analyzed (each detected, meshed, classified), 5 shed.
      const live = settle(Array.from({ length: 8 }, (_, i) => pool!.analyze(astronaut, 'png', `live-${i}`)));
      expect(await refusals(live)).toBe(5);
      expect(await shed(metrics)).toBe(5);
      expect(await counts(metrics)).toEqual({ detection: 3, landmarks: 3, emotion: 3 });

      // A session's next frame is tracked: the mesh and the classifier, no detection.
      const tracked = await pool!.analyze(astronaut, 'png', 'live-0');
      expect(tracked.tracked).toBe(true);
      expect(await counts(metrics)).toEqual({ detection: 3, landmarks: 4, emotion: 4 });

      // Queued work (the frame consumer's, AnalyzeBatch's) in one batch: one observation per frame
      // or face; no face, detection only; not an image, no model. Queued work is never shed.
      const batch = await pool!.analyzeBatch([
        { imageData: astronaut, format: 'png', sessionId: 'q-1' },
        { imageData: astronaut, format: 'png', sessionId: 'q-2' },
        { imageData: coffee, format: 'png', sessionId: 'q-3' },
        { imageData: new Uint8Array([1, 2, 3]), format: 'png', sessionId: 'q-4' },
      ]);
      expect(batch.map((r) => ('face' in r ? r.faceCount : 'rejected'))).toEqual([1, 1, 0, 'rejected']);
      await pool!.analyze(astronaut, 'png', 'consumer', { background: true });
      expect(await counts(metrics)).toEqual({ detection: 7, landmarks: 7, emotion: 7 });

      // DetectFace and DetectBlink: detection and the mesh.
      expect(await pool!.detectFace(astronaut, 'png')).toBeDefined();
      const observed = await inference(metrics);
      expect(observed).toEqual({
        detection: { count: 8, sum: expect.any(Number) as number },
        landmarks: { count: 8, sum: expect.any(Number) as number },
        emotion: { count: 7, sum: expect.any(Number) as number },
      });
      // Real inference times: more than nothing, less than the test's patience.
      for (const model of MODEL_NAMES) {
        expect(observed[model].sum).toBeGreaterThan(0);
        expect(observed[model].sum / observed[model].count).toBeLessThan(5);
      }
      expect(await shed(metrics)).toBe(5);
    } finally {
      stop();
    }
  });

  it('through the service wiring: observes the pool once the host sets it, samples the frames waiting, and stops on release', async () => {
    const metrics = new MeshMetrics();
    const late = new LateResource<FrameAnalysisService>('models are still loading; retry shortly');
    const { analyzer, release } = observedAnalyzer(late, metrics);
    // No pool yet: not ready, nothing waiting, the scrape still answers.
    expect(analyzer.ready).toBe(false);
    expect(await queueLength(metrics)).toBe(0);
    late.set(pool!);
    expect(analyzer.ready).toBe(true);

    // One live frame takes the worker; 5 queued frames wait behind it, as a scrape now sees them.
    const first = analyzer.get().analyze(astronaut, 'png', 'w-0');
    const queued = analyzer.get().analyzeBatch(Array.from({ length: 5 }, (_, i) => ({ imageData: astronaut, format: 'png', sessionId: `w-${i + 1}` })));
    // Live frames past the limit are shed: 2 may wait (ahead of the queued work), the other 2 are refused.
    const live = settle(Array.from({ length: 4 }, (_, i) => analyzer.get().analyze(astronaut, 'png', `l-${i}`)));
    expect(await queueLength(metrics)).toBe(7);
    await Promise.all([first, queued]);
    expect(await refusals(live)).toBe(2);
    expect(await queueLength(metrics)).toBe(0);
    expect(await shed(metrics)).toBe(2);
    expect(await counts(metrics)).toEqual({ detection: 8, landmarks: 8, emotion: 8 });

    // Released (the service stopped): the pool is no longer observed, the queue no longer sampled.
    release();
    await pool!.analyze(astronaut, 'png', 'after-release');
    expect(await refusals(settle(Array.from({ length: 5 }, (_, i) => pool!.analyze(astronaut, 'png', `r-${i}`))))).toBe(2);
    expect(await counts(metrics)).toEqual({ detection: 8, landmarks: 8, emotion: 8 });
    expect(await shed(metrics)).toBe(2);
  });
});
