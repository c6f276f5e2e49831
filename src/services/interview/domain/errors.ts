import {
  AlreadyExistsError,
  InvalidInputError,
  LimitExceededError,
  NotFoundError,
  PermissionDeniedError,
  WrongStateError,
} from '../../../platform/errors/domain-errors';
import { Principal } from '../../../platform/identity/principal';
import { SessionStatus } from './interview';

export class InterviewNotFoundError extends NotFoundError {
  constructor(sessionId: string) {
    super(`interview ${sessionId} not found`);
  }
}

/** The interview is past the state the request needs (answers and frames close at completion). */
export class InterviewStateError extends WrongStateError {
  constructor(sessionId: string, status: SessionStatus, consequence: string) {
    super(`interview ${sessionId} is ${status}; ${consequence}`);
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

export class FrameTooLargeError extends LimitExceededError {
  constructor(bytes: number, limit: number) {
    super(`image_data is ${bytes} bytes; the limit is ${limit}`);
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
  if (candidateId === undefined || (actor.role === 'candidate' && actor.subject !== candidateId)) throw new InterviewNotFoundError(sessionId);
}

/** Who may change an interview (answers, frames, completion): its candidate alone. */
export function requireCandidate(actor: Principal, sessionId: string, candidateId: string | undefined, what: string): void {
  requireReader(actor, sessionId, candidateId);
  if (actor.role !== 'candidate') throw new CandidateOnlyError(what);
}

/** Frames are taken from the interview's candidate, while it is in progress only. */
export function requireOpenForFrames(actor: Principal, sessionId: string, session: { status: SessionStatus; candidateId: string } | undefined): void {
  requireCandidate(actor, sessionId, session?.candidateId, 'sends frames');
  if (session && session.status !== 'in_progress') throw new InterviewStateError(sessionId, session.status, 'frames are closed');
}
