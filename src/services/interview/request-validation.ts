import { BOUNDS } from '../../platform/contracts/bounds';
import { LimitExceededError } from '../../platform/errors/domain-errors';
import { ServiceError } from '../../platform/grpc/errors';
import { requireUuid } from '../../platform/grpc/validate';
import { SubmittedAnswer } from './domain/interview';

/** The answer fields of SubmitAnswer or a stream answer, validated (INVALID_ARGUMENT naming the field; a transcript past BOUNDS.answerChars RESOURCE_EXHAUSTED). */
export function validateAnswer(request: { questionId: string; transcript: string; durationSeconds: number; confidence: number }): SubmittedAnswer {
  const questionId = requireUuid(request.questionId, 'question_id');
  if (!Number.isFinite(request.durationSeconds) || request.durationSeconds < 0) {
    throw ServiceError.invalidArgument(`duration_seconds must be a number >= 0, got ${request.durationSeconds}`);
  }
  if (!Number.isFinite(request.confidence) || request.confidence < 0 || request.confidence > 1) {
    throw ServiceError.invalidArgument(`confidence must be from 0 to 1, got ${request.confidence}`);
  }
  // Scoring refuses a longer one: refused here, nothing is stored that could not be scored.
  if (request.transcript.length > BOUNDS.answerChars) {
    throw new LimitExceededError(`transcript is ${request.transcript.length} characters; the limit is ${BOUNDS.answerChars}`);
  }
  return { questionId, transcript: request.transcript, durationSeconds: request.durationSeconds, confidence: request.confidence };
}

/** StartInterview's categories, trimmed and lower-cased, blanks dropped; at most BOUNDS.categories of BOUNDS.categoryChars each. */
export function validateCategories(categories: readonly string[]): string[] {
  if (categories.length > BOUNDS.categories) throw new LimitExceededError(`categories has ${categories.length} entries; the limit is ${BOUNDS.categories}`);
  const long = categories.find((c) => c.length > BOUNDS.categoryChars);
  if (long !== undefined) throw new LimitExceededError(`a category is ${long.length} characters; the limit is ${BOUNDS.categoryChars}`);
  return categories.map((c) => c.trim().toLowerCase()).filter(Boolean);
}

/** A frame's capture time: timestamp_ms when set (milliseconds since the epoch), else now. */
export function captureTime(timestampMs: number): Date {
  if (!Number.isFinite(timestampMs) || timestampMs < 0) throw ServiceError.invalidArgument(`timestamp_ms must be >= 0, got ${timestampMs}`);
  return timestampMs > 0 ? new Date(timestampMs) : new Date();
}
