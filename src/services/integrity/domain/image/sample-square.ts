import { RgbImage } from './rgb-image';

/** A square region of a frame, pixels: top-left corner and side (it may reach outside the frame). */
export interface Square {
  readonly x: number;
  readonly y: number;
  readonly size: number;
}

/**
 * Samples `square` of `image` bilinearly into an `outSize` x `outSize` RGB patch, written as floats
 * (byte / `divisor`) into `out` from `offset` (NHWC). Outside the frame reads as black (0), as a
 * crop-and-resize pads. With `mirror` the patch is flipped left to right.
 * @throws RangeError when the square is empty or `out` is too short.
 */
export function sampleSquare(image: RgbImage, square: Square, outSize: number, out: Float32Array, offset: number, divisor: number, mirror = false): void {
  if (!(square.size > 0) || !Number.isFinite(square.x) || !Number.isFinite(square.y))
    throw new RangeError(`empty or non-finite square ${JSON.stringify(square)}`);
  if (out.length < offset + outSize * outSize * 3) throw new RangeError(`output holds ${out.length} floats, needs ${offset + outSize * outSize * 3}`);
  const { data, width, height } = image;
  const step = square.size / outSize;
  const pixel = (px: number, py: number, c: number) => (px < 0 || py < 0 || px >= width || py >= height ? 0 : data[(py * width + px) * 3 + c]);
  for (let row = 0; row < outSize; row++) {
    // Pixel centres: output (col + 0.5) maps to frame x + (col + 0.5) * step, sampled at that point - 0.5.
    const fy = square.y + (row + 0.5) * step - 0.5;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    for (let col = 0; col < outSize; col++) {
      const fx = square.x + (col + 0.5) * step - 0.5;
      const x0 = Math.floor(fx);
      const wx = fx - x0;
      const target = offset + (row * outSize + (mirror ? outSize - 1 - col : col)) * 3;
      for (let c = 0; c < 3; c++) {
        const top = pixel(x0, y0, c) * (1 - wx) + pixel(x0 + 1, y0, c) * wx;
        const bottom = pixel(x0, y0 + 1, c) * (1 - wx) + pixel(x0 + 1, y0 + 1, c) * wx;
        out[target + c] = (top * (1 - wy) + bottom * wy) / divisor;
      }
    }
  }
}
