import { ServiceError } from '../../platform/grpc/errors';
import { requireUuid } from '../../platform/grpc/validate';
import { SubmittedAnswer } from './domain/interview';

/** The answer fields of SubmitAnswer or a stream answer, validated (INVALID_ARGUMENT naming the field). */
export function validateAnswer(request: { questionId: string; transcript: string; durationSeconds: number; confidence: number }): SubmittedAnswer {
  const questionId = requireUuid(request.questionId, 'question_id');
  if (!Number.isFinite(request.durationSeconds) || request.durationSeconds < 0) {
    throw ServiceError.invalidArgument(`duration_seconds must be a number >= 0, got ${request.durationSeconds}`);
  }
  if (!Number.isFinite(request.confidence) || request.confidence < 0 || request.confidence > 1) {
    throw ServiceError.invalidArgument(`confidence must be from 0 to 1, got ${request.confidence}`);
  }
  return { questionId, transcript: request.transcript, durationSeconds: request.durationSeconds, confidence: request.confidence };
}

/** A frame's capture time: timestamp_ms when set (milliseconds since the epoch), else now. */
export function captureTime(timestampMs: number): Date {
  if (!Number.isFinite(timestampMs) || timestampMs < 0) throw ServiceError.invalidArgument(`timestamp_ms must be >= 0, got ${timestampMs}`);
  return timestampMs > 0 ? new Date(timestampMs) : new Date();
}
