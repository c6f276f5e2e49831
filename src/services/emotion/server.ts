import { status } from '@grpc/grpc-js';
import { EmotionServiceService } from '../../gen/emotion';
import { grpcService, NoDownstreams, ResourceSpec, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { observedAnalyzer } from './analysis-metrics';
import { AnalysisPool, FrameAnalysisService } from './analysis-pool';
import { ANALYSIS_QUEUE, frameCapturedHandler } from './consumers';
import { emotionHandlers } from './handlers';
import { SessionBlinks } from './session-blinks';
import { EmotionSettings } from './settings';
import { EmotionStore, EmotionTables } from './store';

/**
 * The models on worker threads, each with its own sessions (AnalysisPool): created once the server
 * is up and NOT_SERVING (loading and checking the models takes seconds), closed after it stopped.
 */
export const ANALYSIS_POOL: ResourceSpec<EmotionSettings, FrameAnalysisService & { close(): Promise<void> }> = {
  name: 'models',
  whileMissing: 'models are still loading; retry shortly',
  create: (settings) =>
    AnalysisPool.start({ modelsDir: settings.modelsDir, maxWaitingLiveFrames: settings.maxWaitingFrames, threads: settings.analysisThreads }),
  close: (pool) => pool.close(),
};

/**
 * The emotion service's wiring: emotion.EmotionService and the analysis consumer on the model pool,
 * both observed by the process's metrics (the models' inference time, frames shed, frames waiting).
 */
export function startEmotion(context: ServiceContext<EmotionSettings, NoDownstreams, FrameAnalysisService>): ServiceParts {
  const store = new EmotionStore(context.db<EmotionTables>());
  const blinks = new SessionBlinks(store);
  const observed = observedAnalyzer(context.resource, context.metrics);
  const analyzer = observed.analyzer;
  // The OK series from 0, so that Prometheus's rate() sees the first frame.
  context.metrics.emotionStreamFrames.zero({ rpc_grpc_status_code: String(status.OK) });
  return {
    grpc: [
      grpcService(
        'emotion.EmotionService',
        EmotionServiceService,
        emotionHandlers(analyzer, blinks, {
          stopping: context.stopping,
          answered: (code, seconds) => {
            context.metrics.emotionStreamFrames.observe({ rpc_grpc_status_code: String(code) }, seconds);
          },
        }),
      ),
    ],
    consumers: { [ANALYSIS_QUEUE]: frameCapturedHandler({ analyzer, blinks, store, outbox: context.outbox<EmotionTables>(), log: context.log }) },
    release: () => {
      observed.release();
      return Promise.resolve();
    },
  };
}
