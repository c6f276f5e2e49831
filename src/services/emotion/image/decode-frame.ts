import sharp, { Metadata } from 'sharp';
import { ServiceError } from '../../../platform/grpc/errors';

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
 * Decodes a JPEG or PNG frame with sharp (libvips) into RGB, EXIF orientation applied.
 * Throws ServiceError INVALID_ARGUMENT when the bytes are empty, not an image, truncated, or another
 * format (or `declaredFormat` disagrees with the bytes), and RESOURCE_EXHAUSTED above
 * MAX_FRAME_BYTES or MAX_FRAME_PIXELS.
 */
export async function decodeFrame(bytes: Uint8Array, declaredFormat = ''): Promise<RgbImage> {
  if (bytes.length === 0) throw ServiceError.invalidArgument('image_data is empty');
  if (bytes.length > MAX_FRAME_BYTES) {
    throw ServiceError.resourceExhausted(`image_data is ${bytes.length} bytes; the limit is ${MAX_FRAME_BYTES}`);
  }
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  let metadata: Metadata;
  try {
    metadata = await sharp(input).metadata();
  } catch {
    throw ServiceError.invalidArgument('image_data is not an image (expected JPEG or PNG bytes)');
  }
  const format = metadata.format ?? 'unknown';
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    throw ServiceError.invalidArgument(`image format ${format} is not supported; send ${SUPPORTED_FORMATS.join(' or ')}`);
  }
  const declared = normaliseFormat(declaredFormat);
  if (declared && declared !== format) {
    throw ServiceError.invalidArgument(`format says ${declaredFormat} but image_data is ${format}`);
  }
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  if (pixels > MAX_FRAME_PIXELS) {
    throw ServiceError.resourceExhausted(`image is ${metadata.width}x${metadata.height} pixels; the limit is ${MAX_FRAME_PIXELS} pixels`);
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
    throw ServiceError.invalidArgument(`image_data could not be decoded as ${format}: ${error instanceof Error ? error.message : 'corrupt data'}`);
  }
}

function normaliseFormat(format: string): string {
  const lower = format.trim().toLowerCase();
  return lower === 'jpg' ? 'jpeg' : lower;
}
