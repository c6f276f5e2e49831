import { imageSize } from 'image-size';
import sharp from 'sharp';
import { InvalidInputError, LimitExceededError } from '../errors/domain-errors';
import { excerpt } from '../errors/excerpt';
import { BOUNDS } from './bounds';

/** Encodings a frame may be sent in. */
export const FRAME_FORMATS = ['jpeg', 'png'] as const;
export type FrameFormat = (typeof FRAME_FORMATS)[number];

/**
 * What can be told of a frame without decoding it, the checks the interview service makes at the
 * edge and the emotion service again before it decodes: not empty, at most BOUNDS.frameBytes, a
 * JPEG or PNG by its file signature (JPEG FF D8 FF, PNG 89 50 4E 47), and the format the request
 * declares, if any, agreeing with it. Resolves with the format; throws InvalidInputError or
 * LimitExceededError saying what is wrong.
 */
export async function checkFrameBytes(bytes: Buffer, declaredFormat: string): Promise<FrameFormat> {
  if (bytes.length === 0) throw new InvalidInputError('image_data is empty');
  if (bytes.length > BOUNDS.frameBytes) throw new LimitExceededError(`image_data is ${bytes.length} bytes; the limit is ${BOUNDS.frameBytes}`);
  const format = signatureFormat(bytes);
  if (!format) throw new InvalidInputError(`image format ${await otherFormat(bytes)} is not supported; send ${FRAME_FORMATS.join(' or ')}`);
  const declared = normalizeFormat(declaredFormat);
  if (declared && declared !== format) throw new InvalidInputError(`format says ${excerpt(declaredFormat)} but image_data is ${format}`);
  return format;
}

/** The error for a frame of `width` x `height` pixels past BOUNDS.framePixels. */
export function tooManyPixels(width: number | undefined, height: number | undefined): LimitExceededError {
  return new LimitExceededError(`image is ${width}x${height} pixels; the limit is ${BOUNDS.framePixels} pixels`);
}

/**
 * checkFrameBytes, then the pixel bound from the image's header (image-size reads the JPEG's SOF
 * or the PNG's IHDR, no pixels; 3 µs where sharp's metadata took 170 µs, once per frame at the
 * edge): the edge's whole check. Throws as checkFrameBytes, or LimitExceededError past
 * BOUNDS.framePixels, or InvalidInputError when the header cannot be read.
 */
export async function checkFrame(bytes: Buffer, declaredFormat: string): Promise<FrameFormat> {
  const format = await checkFrameBytes(bytes, declaredFormat);
  let size: { width: number; height: number };
  try {
    size = imageSize(bytes);
  } catch (error) {
    throw new InvalidInputError(`image_data could not be decoded as ${format}: ${error instanceof Error ? error.message : 'corrupt data'}`);
  }
  if (size.width * size.height > BOUNDS.framePixels) throw tooManyPixels(size.width, size.height);
  return format;
}

/** jpeg or png from the file signature; undefined for anything else. */
function signatureFormat(bytes: Buffer): FrameFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  return undefined;
}

/** The format libvips recognises in bytes that are neither JPEG nor PNG (to name it in the error). */
async function otherFormat(bytes: Buffer): Promise<string> {
  try {
    return (await sharp(bytes).metadata()).format;
  } catch {
    throw new InvalidInputError('image_data is not an image (expected JPEG or PNG bytes)');
  }
}

function normalizeFormat(format: string): string {
  const lower = format.trim().toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower;
}
