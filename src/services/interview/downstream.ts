import { credentials, Metadata } from '@grpc/grpc-js';
import { EmotionResponse, EmotionServiceClient, FrameRequest } from '../../gen/emotion';
import { ReportRequest, ReportResponse, ScoringServiceClient } from '../../gen/scoring';
import { Breaker, BreakerState } from '../../platform/breaker/circuit-breaker';
import { CallContext, downstreamDeadline } from '../../platform/grpc/call-context';
import { meshChannelOptions } from '../../platform/grpc/client-options';
import { callUnary } from '../../platform/grpc/unary-call';
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
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeoutMs?: number };
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
    meshChannelOptions([
      { service: 'scoring.ScoringService', method: 'GenerateReport' },
      { service: 'scoring.ScoringService', method: 'AnalyzeAnswer' },
    ]),
  );
  const breakerSettings = {
    volumeThreshold: options.breaker?.volumeThreshold,
    errorThresholdPercentage: options.breaker?.errorThresholdPercentage,
    resetTimeoutMs: options.breaker?.resetTimeoutMs,
    log: options.log,
  };
  const emotionBreaker = new Breaker(
    (request: FrameRequest, deadline: Date, signal?: AbortSignal) => callUnary(emotion.analyzeFrame.bind(emotion), request, { deadline, signal, metadata: new Metadata() }),
    { ...breakerSettings, name: 'emotion', timeoutMs: Math.round(options.emotionDeadlineMs * BREAKER_TIMEOUT_SHARE), onStateChange: (s) => options.onBreakerState?.('emotion', s) },
  );
  const scoringBreaker = new Breaker(
    (request: ReportRequest, deadline: Date, signal?: AbortSignal) => callUnary(scoring.generateReport.bind(scoring), request, { deadline, signal, metadata: new Metadata() }),
    { ...breakerSettings, name: 'scoring', timeoutMs: Math.round(options.scoringDeadlineMs * BREAKER_TIMEOUT_SHARE), onStateChange: (s) => options.onBreakerState?.('scoring', s) },
  );
  return {
    analyzeFrame: (request, ctx) => emotionBreaker.fire(request, downstreamDeadline(options.emotionDeadlineMs, ctx), ctx?.signal),
    generateReport: (request, ctx) => scoringBreaker.fire(request, downstreamDeadline(options.scoringDeadlineMs, ctx), ctx?.signal),
    breakerState: (downstream) => (downstream === 'emotion' ? emotionBreaker : scoringBreaker).state,
    close: () => {
      emotionBreaker.shutdown();
      scoringBreaker.shutdown();
      emotion.close();
      scoring.close();
    },
  };
}
