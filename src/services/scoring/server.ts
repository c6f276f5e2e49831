import { ScoringServiceService } from '../../gen/scoring';
import { grpcService, NoDownstreams, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { completedHandler, emotionAnalyzedHandler, SCORING_QUEUES } from './consumers';
import { scoringHandlers } from './handlers';
import { ScoringStore, ScoringTables } from './store';

/** The scoring service's wiring: scoring.ScoringService, and a consumer for each of its queues. */
export function startScoring(context: ServiceContext<undefined, NoDownstreams, undefined>): ServiceParts {
  const store = new ScoringStore(context.db<ScoringTables>());
  const consumerDeps = { store, outbox: context.outbox<ScoringTables>(), log: context.log };
  return {
    grpc: [grpcService('scoring.ScoringService', ScoringServiceService, scoringHandlers(store))],
    consumers: {
      [SCORING_QUEUES.emotionAnalyzed]: emotionAnalyzedHandler(consumerDeps),
      [SCORING_QUEUES.completed]: completedHandler(consumerDeps),
    },
  };
}
