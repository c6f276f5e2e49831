import { IntegrityServiceService } from '../../gen/integrity';
import { MeshMetrics } from '../../platform/telemetry/metrics';
import { grpcService, NoDownstreams, ResourceSpec, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { Provisioned } from '../../platform/service/provisioned';
import { FRAME_OUTCOMES, FRAMES_QUEUE, framesHandler } from './consumers';
import { IntegrityAnalysisPool } from './analysis-pool';
import { IntegrityFrameAnalyzer, TimingsObserver } from './frame-analyzer';
import { integrityHandlers } from './handlers';
import { IntegritySettings } from './settings';
import { IntegrityStore, IntegrityTables } from './store';

/**
 * The integrity models on worker threads (IntegrityAnalysisPool), created once the server is up and
 * NOT_SERVING (every worker loading and checking them takes seconds; until then calls are
 * UNAVAILABLE and the consumer's frames are retried), closed after the server stopped: the frames
 * accepted are analysed, then the workers stop.
 */
export const INTEGRITY_MODELS: ResourceSpec<IntegritySettings, IntegrityFrameAnalyzer> = {
  name: 'models',
  whileMissing: 'integrity models are still loading; retry shortly',
  create: (settings, log) =>
    IntegrityAnalysisPool.start({ modelsDir: settings.modelsDir, threads: settings.analysisThreads, maxWaitingFrames: settings.maxWaitingFrames }, log),
  close: (analyzer) => analyzer.close(),
};

/**
 * The integrity service's wiring: integrity.v1.IntegrityService and the frame consumer on the
 * models, the pipeline's stage times and the consumer's outcomes in the process's metrics.
 */
export function startIntegrity(context: ServiceContext<IntegritySettings, NoDownstreams, IntegrityFrameAnalyzer>): ServiceParts {
  const { settings, metrics } = context;
  const store = new IntegrityStore(context.db<IntegrityTables>());
  const observed = observedAnalyzer(context.resource, metrics);
  // Every outcome's series from 0, so that Prometheus's increase() sees the first one counted.
  for (const outcome of FRAME_OUTCOMES) metrics.integrityFrames.inc({ outcome }, 0);
  return {
    grpc: [grpcService('integrity.v1.IntegrityService', IntegrityServiceService, integrityHandlers(observed.analyzer, store, settings.policy))],
    consumers: {
      [FRAMES_QUEUE]: framesHandler({
        analyzer: observed.analyzer,
        store,
        outbox: context.outbox<IntegrityTables>(),
        policy: settings.policy,
        sampleIntervalMs: settings.sampleIntervalMs,
        objectsEvery: settings.objectsEvery,
        log: context.log,
        counted: (outcome) => {
          metrics.integrityFrames.inc({ outcome });
        },
      }),
    },
    release: () => {
      observed.release();
      return Promise.resolve();
    },
  };
}

/**
 * `resource` with its stage timings observed into `integrity_stage_duration_seconds{stage}` from
 * the first time it is used (it arrives after the service started); `release` stops that. A stage
 * that did not run on a frame (0 ms: objects not checked, no face for the mesh) is not observed.
 */
function observedAnalyzer(
  resource: Provisioned<IntegrityFrameAnalyzer>,
  metrics: MeshMetrics,
): { analyzer: Provisioned<IntegrityFrameAnalyzer>; release: () => void } {
  const observer: TimingsObserver = (timings) => {
    for (const [stage, ms] of Object.entries(timings)) {
      if (Number.isFinite(ms) && ms > 0) metrics.integrityStage.observe({ stage }, ms / 1000);
    }
  };
  let observed: { analyzer: IntegrityFrameAnalyzer; stop: () => void } | undefined;
  let released = false;
  return {
    analyzer: {
      get: () => {
        const analyzer = resource.get();
        if (!released && observed?.analyzer !== analyzer) {
          observed?.stop();
          observed = { analyzer, stop: analyzer.observe(observer) };
        }
        return analyzer;
      },
      get ready() {
        return resource.ready;
      },
    },
    release: () => {
      released = true;
      observed?.stop();
      observed = undefined;
    },
  };
}
