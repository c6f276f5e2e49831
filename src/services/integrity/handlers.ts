import { AnalyzeFrameRequest, Assessment, FrameIntegrity, GetAssessmentRequest, IntegrityServiceService } from '../../gen/integrity';
import { NotFoundError } from '../../platform/errors/domain-errors';
import { AsyncService } from '../../platform/grpc/async-service';
import { CallContext } from '../../platform/grpc/call-context';
import { ServiceError } from '../../platform/grpc/errors';
import { requireBytes } from '../../platform/grpc/validate';
import { Provisioned } from '../../platform/service/provisioned';
import { assess } from './assessment';
import { RiskPolicy } from './domain/risk';
import { IntegrityFrameAnalyzer } from './frame-analyzer';
import { IntegrityStore } from './store';
import { toAssessment, toFrameIntegrity } from './to-proto';

/** Longest session id GetAssessment accepts, characters (the `session_risk` key's width). */
export const MAX_SESSION_ID_CHARS = 128;
/** Events an assessment lists at most, oldest first; `events_total` counts them all. */
export const MAX_ASSESSMENT_EVENTS = 200;

/** The session id of a request: non-blank, at most MAX_SESSION_ID_CHARS; INVALID_ARGUMENT otherwise. */
export function requireSessionId(value: string | undefined): string {
  const id = value?.trim() ?? '';
  if (id === '') throw ServiceError.invalidArgument('session_id is required');
  if (id.length > MAX_SESSION_ID_CHARS) throw ServiceError.invalidArgument(`session_id is ${id.length} characters; the limit is ${MAX_SESSION_ID_CHARS}`);
  return id;
}

/** No frame of the session was analysed (yet): GetAssessment's NOT_FOUND. */
export class NoAssessmentError extends NotFoundError {
  constructor(sessionId: string) {
    super(`no frame of session ${sessionId} has been analysed`);
  }
}

/**
 * integrity.v1.IntegrityService. AnalyzeFrame analyses one frame and stores nothing (sessions are
 * fed by their frames on the bus alone, so a frame never counts twice); GetAssessment reads what
 * the frame consumer stored.
 */
export function integrityHandlers(
  analyzer: Provisioned<IntegrityFrameAnalyzer>,
  store: IntegrityStore,
  policy: RiskPolicy,
): AsyncService<typeof IntegrityServiceService> {
  return {
    async analyzeFrame(request: AnalyzeFrameRequest, ctx: CallContext): Promise<FrameIntegrity> {
      const imageData = requireBytes(request.imageData, 'image_data');
      const findings = await analyzer.get().analyze(imageData, request.format, { objects: !request.skipObjects, signal: ctx.signal });
      return toFrameIntegrity(findings);
    },

    async getAssessment(request: GetAssessmentRequest): Promise<Assessment> {
      const sessionId = requireSessionId(request.sessionId);
      const record = await store.session(sessionId);
      if (!record || record.framesAnalyzed === 0) throw new NoAssessmentError(sessionId);
      const { events, total } = await store.events(sessionId, MAX_ASSESSMENT_EVENTS);
      return toAssessment({ ...assess(record), events, eventsTotal: total, policy });
    },
  };
}
