import sharp from 'sharp';
import { FrameTooLargeError, InvalidFrameError } from '../errors';

/** Largest encoded frame accepted, bytes (8 MiB): a 4K JPEG is well under it. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Largest decoded frame accepted, pixels (4096 x 4096). */
export const MAX_FRAME_PIXELS = 4096 * 4096;
/** Encodings the service decodes. */
export const SUPPORTED_FORMATS = ['jpeg', 'png'] as const;

/** A decoded frame: packed RGB, 8 bits per channel, row-major. */
export interface RgbImage {
  /** Uint8 RGB bytes, length width * height * 3. */
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes a JPEG or PNG frame with sharp (libvips) into RGB, EXIF orientation applied, in one
 * libvips pass: the format is told from the file signature (JPEG FF D8 FF, PNG 89 50 4E 47) and
 * the pixel limit is enforced by libvips while it reads the header; sharp's metadata is read only
 * to explain a rejection.
 * Throws InvalidFrameError when the bytes are empty, not an image, truncated, or another format
 * (or `declaredFormat` disagrees with the bytes), and FrameTooLargeError above MAX_FRAME_BYTES or
 * MAX_FRAME_PIXELS.
 */
export async function decodeFrame(bytes: Uint8Array, declaredFormat = ''): Promise<RgbImage> {
  if (bytes.length === 0) throw new InvalidFrameError('image_data is empty');
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new FrameTooLargeError(`image_data is ${bytes.length} bytes; the limit is ${MAX_FRAME_BYTES}`);
  }
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const format = signatureFormat(input) ?? (await otherFormat(input));
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidFrameError(`image format ${format} is not supported; send ${SUPPORTED_FORMATS.join(' or ')}`);
  }
  const declared = normaliseFormat(declaredFormat);
  if (declared && declared !== format) {
    throw new InvalidFrameError(`format says ${declaredFormat} but image_data is ${format}`);
  }
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
      throw new FrameTooLargeError(`image is ${width}x${height} pixels; the limit is ${MAX_FRAME_PIXELS} pixels`);
    }
    throw new InvalidFrameError(`image_data could not be decoded as ${format}: ${message}`);
  }
}

/** jpeg or png from the file signature; undefined for anything else. */
function signatureFormat(bytes: Buffer): 'jpeg' | 'png' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  return undefined;
}

/** The format libvips recognises in bytes that are neither JPEG nor PNG (to name it in the error). */
async function otherFormat(bytes: Buffer): Promise<string> {
  try {
    return (await sharp(bytes).metadata()).format;
  } catch {
    throw new InvalidFrameError('image_data is not an image (expected JPEG or PNG bytes)');
  }
}

function normaliseFormat(format: string): string {
  const lower = format.trim().toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower;
}
