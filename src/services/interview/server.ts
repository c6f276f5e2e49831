import { InterviewServiceService } from '../../gen/interview';
import { QUEUES } from '../../platform/bus/topology';
import { RunningService, ServiceDependencies } from '../../platform/service';
import { createOutbox, grpcService, hostService } from '../../platform/service-host';
import { createDownstream, DownstreamOptions } from './downstream';
import { interviewHandlers } from './handlers';
import { InterviewStore } from './interview-store';
import { InterviewTables } from './interview-tables';
import { Interviews } from './interviews';
import { scoredHandler } from './scored-consumer';

/** Health names that report each downstream's breaker: NOT_SERVING while its circuit is open. */
export const DEPENDENCY_HEALTH = { emotion: 'interview.dependency.emotion', scoring: 'interview.dependency.scoring' } as const;

export interface InterviewServiceOptions {
  port?: number;
  /** Downstream addresses when not those of the config (e.g. services started in this process on port 0). */
  emotionTarget?: string;
  scoringTarget?: string;
  breaker?: DownstreamOptions['breaker'];
}

/**
 * The interview service: serves interview.v1.InterviewService, calls emotion and scoring behind
 * breakers, publishes frame and completion events through its outbox, consumes `interview.scored`.
 */
export async function startInterviewService(deps: ServiceDependencies, options: InterviewServiceOptions = {}): Promise<RunningService> {
  const log = deps.log.child({ service: 'interview' });
  let running: RunningService | undefined;
  const downstream = createDownstream({
    emotionTarget: options.emotionTarget ?? deps.config.emotionTarget,
    scoringTarget: options.scoringTarget ?? deps.config.scoringTarget,
    emotionDeadlineMs: deps.config.emotionDeadlineMs,
    scoringDeadlineMs: deps.config.scoringDeadlineMs,
    log,
    breaker: options.breaker,
    onBreakerState: (name, state) => running?.health.set(DEPENDENCY_HEALTH[name], state === 'open' ? 'NOT_SERVING' : 'SERVING'),
  });
  const store = new InterviewStore(deps.db.forService<InterviewTables>('interview'));
  const outbox = createOutbox(deps, 'interview', store.db);
  const interviews = new Interviews(store, downstream, outbox, log);
  running = await hostService(deps, {
    name: 'interview',
    port: options.port ?? deps.config.ports.interview,
    services: [grpcService('interview.v1.InterviewService', InterviewServiceService, interviewHandlers(interviews))],
    consumers: [{ queue: QUEUES.interviewScored, handler: scoredHandler({ store, outbox, log }), prefetch: 8 }],
    outbox,
    release: async () => downstream.close(),
  });
  running.health.set(DEPENDENCY_HEALTH.emotion, 'SERVING');
  running.health.set(DEPENDENCY_HEALTH.scoring, 'SERVING');
  return running;
}
