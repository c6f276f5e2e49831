import { ROUTING_KEYS } from '../../platform/bus/event-catalog';
import { defineService } from '../../platform/service/descriptor';
import { SCORING_QUEUES } from './consumers';
import { scoringMigrations } from './migrations';
import { SCORING_DOWNSTREAMS, startScoring, TEXT_MODEL } from './server';
import { scoringSettings } from './settings';

/**
 * The scoring service: serves scoring.ScoringService, consumes `scoring.emotions` and
 * `scoring.process` (each message once, through its inbox), publishes interview.scored through its
 * outbox once an interview's completion and all its frames are in, or interview.scoring.failed when
 * it cannot score the interview. Calls the integrity service (GetAssessment, behind a breaker, its
 * health as `scoring.dependency.integrity`) for each report's integrity section.
 */
export const scoringService = defineService({
  name: 'scoring',
  defaultPort: 50053,
  migrations: scoringMigrations,
  consumes: [
    { queue: SCORING_QUEUES.emotionAnalyzed, bindings: [ROUTING_KEYS.emotionAnalyzed], prefetch: 8 },
    { queue: SCORING_QUEUES.completed, bindings: [ROUTING_KEYS.completed], prefetch: 2 },
  ],
  publishes: [ROUTING_KEYS.scored, ROUTING_KEYS.scoringFailed],
  consulTags: ['grpc'],
  grpcServices: ['scoring.ScoringService'],
  downstreams: SCORING_DOWNSTREAMS,
  settings: scoringSettings,
  resource: TEXT_MODEL,
  start: startScoring,
});
