import { ROUTING_KEYS } from '../../platform/bus/event-catalog';
import { defineService } from '../../platform/service/descriptor';
import { SCORED_QUEUE, SCORING_FAILED_QUEUE, USER_DELETED_QUEUE } from './consumers';
import { interviewSettings } from './limits';
import { interviewMigrations } from './migrations';
import { INTERVIEW_DOWNSTREAMS, startInterview } from './server';

/**
 * The interview service, the mesh's public API: serves interview.v1.InterviewService to callers
 * with a valid access token (each candidate their own interviews; interviewers read all), calls
 * emotion and scoring behind breakers (their health as `interview.dependency.<downstream>`) and the
 * auth service for its token keys,
 * publishes frame and completion events through its outbox, consumes `interview.scored`,
 * `interview.scoring-failed` and `interview.user-deleted`; limits calls per address and user,
 * frames, interviews started and open streams (limits.ts).
 */
export const interviewService = defineService({
  name: 'interview',
  defaultPort: 50051,
  migrations: interviewMigrations,
  consumes: [
    { queue: SCORED_QUEUE, bindings: [ROUTING_KEYS.scored], prefetch: 8 },
    { queue: SCORING_FAILED_QUEUE, bindings: [ROUTING_KEYS.scoringFailed], prefetch: 8 },
    { queue: USER_DELETED_QUEUE, bindings: [ROUTING_KEYS.userDeleted], prefetch: 8 },
  ],
  publishes: [ROUTING_KEYS.frameCaptured, ROUTING_KEYS.completed],
  consulTags: ['api', 'v1', 'grpc'],
  exposure: 'public',
  grpcServices: ['interview.v1.InterviewService'],
  downstreams: INTERVIEW_DOWNSTREAMS,
  settings: interviewSettings,
  start: startInterview,
});
