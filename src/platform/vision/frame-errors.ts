import { InvalidInputError, LimitExceededError } from '../errors/domain-errors';

/** The frame cannot be analyzed: empty, not an image, truncated, or not JPEG or PNG. */
export class InvalidFrameError extends InvalidInputError {}

/** The frame is over a limit: encoded bytes or decoded pixels. */
export class FrameTooLargeError extends LimitExceededError {}

/** Why one frame of a batch has no analysis: its own error, which the others do not share. */
export type FrameRejection = InvalidFrameError | FrameTooLargeError;

export function isFrameRejection(value: unknown): value is FrameRejection {
  return value instanceof InvalidFrameError || value instanceof FrameTooLargeError;
}

/**
 * A frame's rejection as it crosses threads (a worker's answer to its pool): structured cloning
 * keeps an Error's message but not its class, and the class is what maps it to INVALID_ARGUMENT or
 * RESOURCE_EXHAUSTED.
 */
export interface FrameFailure {
  readonly failed: { readonly tooLarge: boolean; readonly message: string };
}

/** A frame's rejection as data to send back across threads; anything else is rethrown. */
export function asFrameFailure(error: unknown): FrameFailure {
  if (isFrameRejection(error)) return { failed: { tooLarge: error instanceof FrameTooLargeError, message: error.message } };
  throw error;
}

/** The rejection a FrameFailure carried across threads, as its class again. */
export function frameRejectionOf(failure: FrameFailure): FrameRejection {
  return failure.failed.tooLarge ? new FrameTooLargeError(failure.failed.message) : new InvalidFrameError(failure.failed.message);
}

export function isFrameFailure(value: unknown): value is FrameFailure {
  return typeof value === 'object' && value !== null && 'failed' in value;
}
