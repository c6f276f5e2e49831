import {
  AlreadyExistsError,
  InvalidInputError,
  LimitExceededError,
  NotFoundError,
  PermissionDeniedError,
  WrongStateError,
} from '../../../platform/errors/domain-errors';
import { BOUNDS } from '../../../platform/contracts/bounds';
import { Principal } from '../../../platform/identity/principal';
import { SessionStatus } from './interview';

export class InterviewNotFoundError extends NotFoundError {
  /** `deniedBecause`: the interview exists but the caller may not know it (for the audit log only). */
  constructor(sessionId: string, deniedBecause?: string) {
    super(`interview ${sessionId} not found`, { deniedBecause });
  }
}

/** The interview is past the state the request needs (answers and frames close at completion). */
export class InterviewStateError extends WrongStateError {
  constructor(sessionId: string, status: SessionStatus, consequence: string) {
    super(`interview ${sessionId} is ${status}; ${consequence}`);
  }
}

/** The interview's scoring failed (status `failed`): it has no report, and never will. */
export class InterviewFailedError extends WrongStateError {
  constructor(sessionId: string, reason: string | null) {
    const why = reason === null || reason === '' ? 'no reason given' : reason;
    super(`interview ${sessionId} failed: it could not be scored (${why}), so it has no report`);
  }
}

export class AnswerExistsError extends AlreadyExistsError {
  constructor(sessionId: string, questionId: string) {
    super(`question ${questionId} of interview ${sessionId} is answered already`);
  }
}

export class NotAQuestionOfInterviewError extends InvalidInputError {
  constructor(sessionId: string, questionId: string) {
    super(`question_id ${questionId} is not a question of interview ${sessionId}`);
  }
}

export class NoMatchingQuestionsError extends InvalidInputError {
  constructor(categories: readonly string[], difficulty: string | undefined) {
    super(`the question bank has no question in categories [${categories.join(', ') || 'any'}] at difficulty ${difficulty ?? 'any'}`);
  }
}

export class TooManyFramesError extends LimitExceededError {
  constructor(sessionId: string, limit: number) {
    super(`interview ${sessionId} has received its limit of ${limit} frames`);
  }
}

/** An interviewer tried to answer, send frames or complete: those are the candidate's. */
export class CandidateOnlyError extends PermissionDeniedError {
  constructor(what: string) {
    super(`only the candidate ${what}; interviewers read interviews and reports`);
  }
}

export class OtherCandidateError extends PermissionDeniedError {
  constructor() {
    super("candidate_id must be empty or the caller's own id (the access token's subject)");
  }
}

/**
 * Who may read an interview: its candidate, and interviewers. Anyone else is told it does not
 * exist, so that an id cannot be probed (OWASP API1:2023).
 */
export function requireReader(actor: Principal, sessionId: string, candidateId: string | undefined): void {
  if (candidateId === undefined) throw new InterviewNotFoundError(sessionId);
  if (actor.role === 'candidate' && actor.subject !== candidateId) throw new InterviewNotFoundError(sessionId, "another candidate's interview");
}

/** Who may change an interview (answers, frames, completion): its candidate alone. */
export function requireCandidate(actor: Principal, sessionId: string, candidateId: string | undefined, what: string): void {
  requireReader(actor, sessionId, candidateId);
  if (actor.role !== 'candidate') throw new CandidateOnlyError(what);
}

/** Frames are taken from the interview's candidate, while it is in progress, up to BOUNDS.framesPerInterview. */
export function requireOpenForFrames(
  actor: Principal,
  sessionId: string,
  session: { status: SessionStatus; candidateId: string; framesReceived: number } | undefined,
): void {
  requireCandidate(actor, sessionId, session?.candidateId, 'sends frames');
  if (session && session.status !== 'in_progress') throw new InterviewStateError(sessionId, session.status, 'frames are closed');
  if (session && session.framesReceived >= BOUNDS.framesPerInterview) throw new TooManyFramesError(sessionId, BOUNDS.framesPerInterview);
}
