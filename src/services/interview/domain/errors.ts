import { AlreadyExistsError, InvalidInputError, LimitExceededError, NotFoundError, WrongStateError } from '../../../platform/errors/domain-errors';
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

/** Frames are taken while the interview is in progress only. */
export function requireOpenForFrames(sessionId: string, status: SessionStatus | undefined): void {
  if (!status) throw new InterviewNotFoundError(sessionId);
  if (status !== 'in_progress') throw new InterviewStateError(sessionId, status, 'frames are closed');
}
