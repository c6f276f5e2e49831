/**
 * Typed input errors of the scoring domain: InvalidInputErrors, which the gRPC edge reports as
 * INVALID_ARGUMENT and a consumer dead-letters at once (no retry can mend an input), with `field`
 * saying which input was wrong.
 */
import { InvalidInputError } from '../../../platform/errors/domain-errors';

/** Base class: an input to a scoring-domain function was invalid. `field` names the offending input path. */
export class ScoringInputError extends InvalidInputError {
  constructor(
    /** Path of the invalid input, e.g. `question` or `answers[2].durationSeconds`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by `analyzeAnswer` for invalid input, e.g. an empty question (`field: 'question'`). */
export class InvalidAnswerError extends ScoringInputError {}

/**
 * Thrown by `calculateScores` for structurally invalid input (negative counts,
 * non-finite durations, confidences outside 0..1, an invalid date …).
 */
export class InvalidScoreInputError extends ScoringInputError {}
