import { ScoringServiceService } from '../../gen/scoring';
import { QUEUES } from '../../platform/bus/topology';
import { RunningService, ServiceDependencies } from '../../platform/service';
import { createOutbox, grpcService, hostService } from '../../platform/service-host';
import { completedHandler, emotionAnalyzedHandler } from './consumers';
import { scoringHandlers } from './handlers';
import { ScoringTables } from './scoring-store';

/**
 * The scoring service: serves scoring.ScoringService, consumes `scoring.emotions` and
 * `scoring.process` (each message once, through its inbox), publishes interview.scored through its
 * outbox.
 */
export async function startScoringService(deps: ServiceDependencies, port = deps.config.ports.scoring): Promise<RunningService> {
  const db = deps.db.forService<ScoringTables>('scoring');
  const outbox = createOutbox(deps, 'scoring', db);
  const consumerDeps = { outbox, log: deps.log.child({ service: 'scoring' }) };
  return hostService(deps, {
    name: 'scoring',
    port,
    services: [grpcService('scoring.ScoringService', ScoringServiceService, scoringHandlers(db))],
    consumers: [
      { queue: QUEUES.scoringEmotions, handler: emotionAnalyzedHandler(consumerDeps), prefetch: 8 },
      { queue: QUEUES.scoringProcess, handler: completedHandler(consumerDeps), prefetch: 2 },
    ],
    outbox,
  });
}
