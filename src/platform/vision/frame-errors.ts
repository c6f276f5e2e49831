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
