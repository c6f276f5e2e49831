import sharp from 'sharp';
import { RgbImage } from './decode-frame';

/**
 * A frame scaled by `scale` (model input pixels per frame pixel) and placed at (padX, padY) inside
 * a square model input, black around it, so that nothing is distorted (MediaPipe's letterbox).
 */
export interface Letterbox {
  readonly size: number;
  readonly scale: number;
  readonly padX: number;
  readonly padY: number;
}

/**
 * The frame letterboxed into a `size` x `size` NHWC float tensor [1, size, size, 3], each channel
 * value v (0..255) stored as v / `divisor` + `add` (127.5 and -1 for MediaPipe's -1..1; 1 and 0
 * for raw bytes). Resampled by libvips (sharp). The face detectors (short- and full-range
 * BlazeFace) and the object detector all prepare their input here.
 * @throws RangeError when `image` is not a well-formed RGB image.
 */
export async function letterbox(image: RgbImage, size: number, divisor: number, add: number): Promise<{ data: Float32Array; box: Letterbox }> {
  if (image.width < 1 || image.height < 1 || image.data.length !== image.width * image.height * 3) {
    throw new RangeError(`not an RGB image: ${image.width}x${image.height} with ${image.data.length} bytes`);
  }
  const scale = Math.min(size / image.width, size / image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const padX = Math.floor((size - width) / 2);
  const padY = Math.floor((size - height) / 2);
  const pixels = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .extend({ left: padX, top: padY, right: size - width - padX, bottom: size - height - padY, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  const data = new Float32Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = pixels[i] / divisor + add;
  return { data, box: { size, scale: width / image.width, padX, padY } };
}
