import { EmotionServiceService } from '../../gen/emotion';
import { QUEUES } from '../../platform/bus/topology';
import { ServiceError } from '../../platform/grpc/errors';
import { RunningService, ServiceDependencies } from '../../platform/service';
import { createOutbox, grpcService, hostService } from '../../platform/service-host';
import { AnalysisStore, EmotionTables } from './analysis-store';
import { BlinkStore, BlinkTables } from './blink/blink-store';
import { SessionBlinks } from './blink/session-blinks';
import { frameCapturedHandler } from './frame-consumer';
import { emotionHandlers } from './handlers';
import { AnalysisPool } from './analysis-pool';

/**
 * The emotion service: serves emotion.EmotionService (NOT_SERVING, and UNAVAILABLE to calls, until
 * the models are loaded and verified), consumes `emotion.analysis`, publishes
 * interview.emotion.analyzed.
 */
export async function startEmotionService(deps: ServiceDependencies, port = deps.config.ports.emotion): Promise<RunningService> {
  let analyzer: AnalysisPool | undefined;
  const getAnalyzer = () => {
    if (!analyzer) throw ServiceError.unavailable('models are still loading; retry shortly');
    return analyzer;
  };
  const store = new AnalysisStore(deps.db.forService<EmotionTables>('emotion'));
  const outbox = createOutbox(deps, 'emotion', store.db);
  const blinks = new SessionBlinks(new BlinkStore(deps.db.forService<BlinkTables>('emotion')));
  return hostService(deps, {
    name: 'emotion',
    port,
    services: [grpcService('emotion.EmotionService', EmotionServiceService, emotionHandlers(getAnalyzer, blinks))],
    readiness: [{ name: 'models', check: () => analyzer !== undefined }],
    prepare: async () => {
      // The models run on worker threads, each with its own sessions (see AnalysisPool).
      analyzer = await AnalysisPool.start({ modelsDir: deps.config.modelsDir, maxWaitingLiveFrames: deps.config.emotionMaxWaitingFrames });
    },
    consumers: [
      {
        queue: QUEUES.emotionAnalysis,
        handler: frameCapturedHandler({ getAnalyzer, blinks, store, outbox, log: deps.log.child({ service: 'emotion' }) }),
        prefetch: 4,
      },
    ],
    outbox,
    release: async () => analyzer?.close(),
  });
}
