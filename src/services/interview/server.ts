import { EmotionServiceClient } from '../../gen/emotion';
import { InterviewServiceService } from '../../gen/interview';
import { ScoringServiceClient } from '../../gen/scoring';
import { DownstreamSpec, grpcService, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { scoredHandler, SCORED_QUEUE } from './consumers';
import { interviewHandlers } from './handlers';
import { InterviewDownstreams, Interviews } from './interviews';
import { InterviewStore, InterviewTables } from './store';

/**
 * The interview service's downstreams. AnalyzeFrame is not retried (its fallback is the analysis
 * queue); GenerateReport changes nothing and is retried by the channel on UNAVAILABLE.
 */
export const INTERVIEW_DOWNSTREAMS = {
  emotion: {
    service: 'emotion',
    grpcService: 'emotion.EmotionService',
    client: EmotionServiceClient,
    deadlineMs: 2000,
  } satisfies DownstreamSpec<EmotionServiceClient>,
  scoring: {
    service: 'scoring',
    grpcService: 'scoring.ScoringService',
    client: ScoringServiceClient,
    deadlineMs: 5000,
    idempotentMethods: ['GenerateReport'],
  } satisfies DownstreamSpec<ScoringServiceClient>,
};

/** The interview service's wiring: its store and use cases on the clients of emotion and scoring. */
export function startInterview(context: ServiceContext<undefined, typeof INTERVIEW_DOWNSTREAMS, undefined>): ServiceParts {
  const { emotion, scoring } = context.downstreams;
  const store = new InterviewStore(context.db<InterviewTables>());
  const outbox = context.outbox<InterviewTables>();
  const downstreams: InterviewDownstreams = {
    analyzeFrame: (request, ctx) => emotion.call('analyzeFrame', request, ctx),
    generateReport: (request, ctx) => scoring.call('generateReport', request, ctx),
  };
  const interviews = new Interviews(store, downstreams, outbox, context.log);
  return {
    grpc: [grpcService('interview.v1.InterviewService', InterviewServiceService, interviewHandlers(interviews))],
    consumers: { [SCORED_QUEUE]: scoredHandler({ store, outbox, log: context.log }) },
  };
}
