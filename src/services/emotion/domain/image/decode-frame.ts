import sharp from 'sharp';
import { BOUNDS } from '../../../../platform/contracts/bounds';
import { checkFrameBytes, tooManyPixels } from '../../../../platform/contracts/frame-checks';
import { InvalidInputError, LimitExceededError } from '../../../../platform/errors/domain-errors';
import { FrameTooLargeError, InvalidFrameError } from '../errors';

/** Largest encoded frame accepted, bytes (the contract's BOUNDS.frameBytes, 8 MiB). */
export const MAX_FRAME_BYTES = BOUNDS.frameBytes;
/** Largest decoded frame accepted, pixels (BOUNDS.framePixels, 4096 x 4096). */
export const MAX_FRAME_PIXELS = BOUNDS.framePixels;

/** A decoded frame: packed RGB, 8 bits per channel, row-major. */
export interface RgbImage {
  /** Uint8 RGB bytes, length width * height * 3. */
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes a JPEG or PNG frame with sharp (libvips) into RGB, EXIF orientation applied, in one
 * libvips pass, after the contract's checks of its bytes (checkFrameBytes: the edge made the same):
 * the pixel limit is enforced by libvips while it reads the header; sharp's metadata is read only
 * to explain a rejection.
 * Throws InvalidFrameError when the bytes are empty, not an image, truncated, or another format
 * (or `declaredFormat` disagrees with the bytes), and FrameTooLargeError above MAX_FRAME_BYTES or
 * MAX_FRAME_PIXELS.
 */
export async function decodeFrame(bytes: Uint8Array, declaredFormat = ''): Promise<RgbImage> {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const format = await checkFrameBytes(input, declaredFormat).catch((error: unknown) => {
    throw asFrameError(error);
  });
  try {
    const { data, info } = await sharp(input, { failOn: 'truncated', limitInputPixels: MAX_FRAME_PIXELS })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (error) {
    const message = error instanceof Error ? error.message : 'corrupt data';
    if (/pixel limit/i.test(message)) {
      const { width, height } = await sharp(input, { limitInputPixels: false })
        .metadata()
        .catch(() => ({ width: undefined, height: undefined }));
      throw asFrameError(tooManyPixels(width, height));
    }
    throw new InvalidFrameError(`image_data could not be decoded as ${format}: ${message}`);
  }
}

/** The shared checks' errors as this service's frame errors (the same messages). */
function asFrameError(error: unknown): unknown {
  if (error instanceof LimitExceededError) return new FrameTooLargeError(error.message);
  if (error instanceof InvalidInputError) return new InvalidFrameError(error.message);
  return error;
}
