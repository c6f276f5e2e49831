import { decompressSync, FORMAT_RGB } from '@julusian/jpeg-turbo';
import { imageSize } from 'image-size';
import sharp from 'sharp';
import { BOUNDS } from '../../contracts/bounds';
import { checkFrameBytes, tooManyPixels } from '../../contracts/frame-checks';
import { InvalidInputError, LimitExceededError } from '../../errors/domain-errors';
import { FrameTooLargeError, InvalidFrameError } from '../frame-errors';

/** Largest encoded frame accepted, bytes (the contract's BOUNDS.frameBytes, 8 MiB). */
export const MAX_FRAME_BYTES = BOUNDS.frameBytes;
/** Largest decoded frame accepted, pixels (BOUNDS.framePixels, 4096 x 4096). */
export const MAX_FRAME_PIXELS = BOUNDS.framePixels;

/** A decoded frame: packed RGB, 8 bits per channel, row-major. */
export interface RgbImage {
  /** Uint8 RGB bytes, length width * height * 3 (decodeFrame gives a Buffer). */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes a JPEG or PNG frame into RGB, EXIF orientation applied, after the contract's checks of
 * its bytes (checkFrameBytes: the edge made the same). Two decoders:
 * - a plain JPEG (no EXIF orientation other than upright, no ICC profile: what a browser's canvas
 *   or a webcam sends) goes straight through libjpeg-turbo (decodeJpegTurbo), its pixel count read
 *   from the header first;
 * - anything else, and any JPEG libjpeg-turbo refuses, through sharp (libvips) in one pass, which
 *   rotates by the EXIF orientation, converts CMYK and grey, and says what is wrong with a bad file;
 *   libvips enforces the pixel limit while it reads the header, and sharp's metadata is read only
 *   to explain a rejection.
 * Why two: on the benchmark's 640x480 JPEG (npm run bench:emotion) sharp takes 2.3-2.5 ms a frame
 * and libjpeg-turbo's own API 0.7 ms, the largest cost of the frame path outside the models.
 * `allocate`, when given, supplies the buffer a plain JPEG's pixels are decoded into (PixelBuffers:
 * reused rather than allocated per frame). Throws InvalidFrameError when the bytes are empty, not an
 * image, truncated, or another format (or `declaredFormat` disagrees with the bytes), and
 * FrameTooLargeError above MAX_FRAME_BYTES or MAX_FRAME_PIXELS.
 */
export async function decodeFrame(bytes: Uint8Array, declaredFormat = '', allocate?: (bytes: number) => Buffer): Promise<RgbImage> {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const format = await checkFrameBytes(input, declaredFormat).catch((error: unknown) => {
    throw asFrameError(error);
  });
  const plain = format === 'jpeg' ? decodeJpegTurbo(input, allocate) : undefined;
  return plain ?? decodeWithSharp(input, format);
}

/**
 * What decodeFrame refuses without decoding, refused the same way (the same classes and messages):
 * checkFrameBytes's checks (empty, over MAX_FRAME_BYTES, not JPEG or PNG, another format declared)
 * and, when image-size can read the header (3 µs), the pixel bound. Resolves for a frame that may
 * still fail to decode (truncated, corrupt): decodeFrame says so. For a caller that queues frames
 * for decoding elsewhere (a worker thread) and would rather refuse a bad one before it waits.
 */
export async function precheckFrame(bytes: Uint8Array, declaredFormat = ''): Promise<void> {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  await checkFrameBytes(input, declaredFormat).catch((error: unknown) => {
    throw asFrameError(error);
  });
  let header: ReturnType<typeof imageSize>;
  try {
    header = imageSize(input);
  } catch {
    return;
  }
  if (header.width * header.height > MAX_FRAME_PIXELS) throw asFrameError(tooManyPixels(header.width, header.height));
}

/**
 * A plain JPEG decoded by libjpeg-turbo (@julusian/jpeg-turbo, TurboJPEG's tjDecompress2 to packed
 * RGB); undefined for what sharp must decode instead: a JPEG whose EXIF orientation is not upright
 * (libjpeg-turbo does not rotate), one that carries an ICC profile (sharp converts it to sRGB), and
 * one libjpeg-turbo refuses (CMYK, truncated, corrupt: sharp then says why). Throws
 * FrameTooLargeError past MAX_FRAME_PIXELS, from the header, before any pixel is decoded.
 */
function decodeJpegTurbo(input: Buffer, allocate?: (bytes: number) => Buffer): RgbImage | undefined {
  let header: ReturnType<typeof imageSize>;
  try {
    header = imageSize(input);
  } catch {
    return undefined;
  }
  if ((header.orientation ?? 1) !== 1 || input.includes(ICC_PROFILE_MARKER)) return undefined;
  if (header.width * header.height > MAX_FRAME_PIXELS) throw asFrameError(tooManyPixels(header.width, header.height));
  try {
    const bytes = header.width * header.height * 3;
    const { data, width, height } = allocate ? decompressSync(input, allocate(bytes), { format: FORMAT_RGB }) : decompressSync(input, { format: FORMAT_RGB });
    return { data, width, height };
  } catch {
    return undefined;
  }
}

/**
 * The identifier of an ICC profile's APP2 segment (ICC.1:2010, annex B.4). Searched in the whole
 * file: a match inside the compressed data only sends that frame to sharp.
 */
const ICC_PROFILE_MARKER = Buffer.from('ICC_PROFILE\0', 'latin1');

/** Any frame through sharp (libvips), EXIF orientation applied; throws as decodeFrame does. */
async function decodeWithSharp(input: Buffer, format: string): Promise<RgbImage> {
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

/** The shared checks' errors as frame errors (the same messages). */
function asFrameError(error: unknown): unknown {
  if (error instanceof LimitExceededError) return new FrameTooLargeError(error.message);
  if (error instanceof InvalidInputError) return new InvalidFrameError(error.message);
  return error;
}
