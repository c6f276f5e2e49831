import { credentials } from '@grpc/grpc-js';
import { EmotionResponse, EmotionServiceClient, FrameRequest } from '../../gen/emotion';
import { ReportRequest, ReportResponse, ScoringServiceClient } from '../../gen/scoring';
import { Breaker, BreakerOptions, BreakerState } from '../../platform/breaker/circuit-breaker';
import { CallContext, downstreamDeadline } from '../../platform/grpc/call-context';
import { meshChannelOptions } from '../../platform/grpc/client-options';
import { callUnary, UnaryMethod } from '../../platform/grpc/unary-call';
import { Logger } from '../../platform/log/logger';

export interface DownstreamOptions {
  emotionTarget: string;
  scoringTarget: string;
  /** Budget of one AnalyzeFrame call, milliseconds (the deadline when the caller's is later). */
  emotionDeadlineMs: number;
  /** Budget of one scoring call, milliseconds. */
  scoringDeadlineMs: number;
  log: Logger;
  /** Told of every breaker state change, e.g. to update health. */
  onBreakerState?: (downstream: 'emotion' | 'scoring', state: BreakerState) => void;
  /** Opossum settings for tests (defaults: 5 calls, 50 %, 5 s). */
  breaker?: Pick<BreakerOptions, 'volumeThreshold' | 'errorThresholdPercentage' | 'resetTimeoutMs'>;
}

/** The interview service's view of its downstreams: typed calls with deadlines, behind breakers. */
export interface Downstream {
  analyzeFrame(request: FrameRequest, ctx?: CallContext): Promise<EmotionResponse>;
  generateReport(request: ReportRequest, ctx?: CallContext): Promise<ReportResponse>;
  breakerState(downstream: 'emotion' | 'scoring'): BreakerState;
  close(): void;
}

/** The breaker's timeout is this share of the call's budget, so the breaker decides before the deadline. */
const BREAKER_TIMEOUT_SHARE = 0.9;

/**
 * gRPC clients of emotion and scoring, one opossum breaker per downstream. Each call's deadline is
 * the earlier of its budget and the caller's deadline, and the caller's cancellation cancels it.
 * GenerateReport is idempotent and retried by the channel on UNAVAILABLE; AnalyzeFrame is not
 * retried (its fallback is the analysis queue).
 */
export function createDownstream(options: DownstreamOptions): Downstream {
  const emotion = new EmotionServiceClient(options.emotionTarget, credentials.createInsecure(), meshChannelOptions());
  const scoring = new ScoringServiceClient(
    options.scoringTarget,
    credentials.createInsecure(),
    meshChannelOptions([{ service: 'scoring.ScoringService', method: 'GenerateReport' }]),
  );
  /** One breaker around one method: its timeout a share of the budget, its deadline the earlier of budget and caller's. */
  const guarded = <Req, Res>(name: 'emotion' | 'scoring', budgetMs: number, method: UnaryMethod<Req, Res>) => {
    const breaker = new Breaker((request: Req, deadline: Date, signal?: AbortSignal) => callUnary(method, request, { deadline, signal }), {
      ...options.breaker,
      name,
      timeoutMs: Math.round(budgetMs * BREAKER_TIMEOUT_SHARE),
      log: options.log,
      onStateChange: (state) => options.onBreakerState?.(name, state),
    });
    return { breaker, call: (request: Req, ctx?: CallContext) => breaker.fire(request, downstreamDeadline(budgetMs, ctx), ctx?.signal) };
  };
  const analyzeFrame = guarded('emotion', options.emotionDeadlineMs, emotion.analyzeFrame.bind(emotion));
  const generateReport = guarded('scoring', options.scoringDeadlineMs, scoring.generateReport.bind(scoring));
  return {
    analyzeFrame: analyzeFrame.call,
    generateReport: generateReport.call,
    breakerState: (downstream) => (downstream === 'emotion' ? analyzeFrame : generateReport).breaker.state,
    close: () => {
      analyzeFrame.breaker.shutdown();
      generateReport.breaker.shutdown();
      emotion.close();
      scoring.close();
    },
  };
}
