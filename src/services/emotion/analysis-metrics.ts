import { MeshMetrics } from '../../platform/telemetry/metrics';
import { Provisioned } from '../../platform/service/provisioned';
import { AnalysisObserver, FrameAnalysisService } from './analysis-pool';
import { ModelName, MODEL_NAMES } from './domain/model-timings';

/**
 * The emotion models' metrics as an AnalysisPool's observer: each model's inference time
 * (`emotion_inference_duration_seconds{model}`, one observation per frame or face it ran on: a
 * batched run's time shared equally among its faces, so that `_sum` is the model's time in all and
 * `_count` the frames or faces) and the live frames shed (`emotion_frames_shed_total`).
 */
export function analysisMetrics(metrics: MeshMetrics): AnalysisObserver {
  // Each model's series looked up once, not at every observation.
  const histograms = Object.fromEntries(MODEL_NAMES.map((model) => [model, metrics.emotionInference.labels({ model })])) as Record<
    ModelName,
    ReturnType<MeshMetrics['emotionInference']['labels']>
  >;
  return {
    inference(timings) {
      for (const model of MODEL_NAMES) {
        const { seconds, items } = timings[model];
        const each = seconds / items;
        for (let i = 0; i < items; i++) histograms[model].observe(each);
      }
    },
    shed(frames) {
      metrics.emotionFramesShed.inc(frames);
    },
  };
}

/**
 * The emotion service's analyzer with its metrics on `metrics`: the model pool `resource`,
 * observed (analysisMetrics) from the first time it is used, which is before any frame reaches it
 * (the pool arrives after the service started: the host creates it once the server is up); and
 * `emotion_worker_queue_length` sampled from the pool at each scrape. `release` (the service
 * stopped) ends both and leaves the queue length at 0.
 */
export function observedAnalyzer(
  resource: Provisioned<FrameAnalysisService>,
  metrics: MeshMetrics,
): { analyzer: Provisioned<FrameAnalysisService>; release: () => void } {
  const observer = analysisMetrics(metrics);
  let observed: { pool: FrameAnalysisService; stop: () => void } | undefined;
  let released = false;
  const attach = (): FrameAnalysisService => {
    const pool = resource.get();
    if (!released && observed?.pool !== pool) {
      observed?.stop();
      observed = { pool, stop: pool.observe?.(observer) ?? (() => undefined) };
    }
    return pool;
  };
  const stopSampling = metrics.onScrape(() => {
    if (resource.ready) metrics.emotionQueueLength.set(attach().waitingFrames ?? 0);
  });
  return {
    analyzer: {
      get: attach,
      get ready() {
        return resource.ready;
      },
    },
    release: () => {
      released = true;
      stopSampling();
      observed?.stop();
      observed = undefined;
      metrics.emotionQueueLength.set(0);
    },
  };
}
