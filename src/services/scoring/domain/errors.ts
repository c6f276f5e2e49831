/**
 * Typed input errors of the scoring domain. The gRPC layer maps every {@link ScoringInputError}
 * to `INVALID_ARGUMENT`, using `field` to say which input was wrong.
 */

/** Base class: an input to a scoring-domain function was invalid. `field` names the offending input path. */
export class ScoringInputError extends Error {
  /** Path of the invalid input, e.g. `question` or `answers[2].durationSeconds`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'ScoringInputError';
    this.field = field;
  }
}

/** Thrown by `analyzeAnswer` for invalid input, e.g. an empty question (`field: 'question'`). */
export class InvalidAnswerError extends ScoringInputError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = 'InvalidAnswerError';
  }
}

/**
 * Thrown by `calculateScores` / `buildReport` for structurally invalid input (negative counts,
 * non-finite durations, confidences outside 0..1, an invalid date …).
 */
export class InvalidScoreInputError extends ScoringInputError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = 'InvalidScoreInputError';
  }
}
