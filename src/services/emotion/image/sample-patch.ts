import { RgbImage } from './decode-frame';

/** A square region of a frame, pixels; it may reach past the frame's edges (read as black). */
export interface SquareRegion {
  /** Top-left corner, frame pixels (may be negative). */
  readonly x: number;
  readonly y: number;
  /** Side, frame pixels. */
  readonly size: number;
}

/**
 * Resamples `region` of `image` to `outSize` x `outSize` RGB pixels, writes them scaled by
 * `1 / divisor` into `out` from `offset` (NHWC, Float32, so a batch tensor is filled in place).
 * Bilinear, with k x k supersampling when the region is more than 1.5 times larger than the
 * output (a box pre-filter against aliasing); outside the frame reads as black, as MediaPipe's
 * ImageToTensorCalculator pads with zeros.
 */
export function sampleRgbPatch(image: RgbImage, region: SquareRegion, outSize: number, out: Float32Array, offset: number, divisor: number): void {
  const { data, width, height } = image;
  const step = region.size / outSize;
  const k = step > 1.5 ? Math.min(4, Math.ceil(step)) : 1;
  const weight = 1 / (k * k * divisor);
  const pixel = [0, 0, 0];
  const addSample = (sx: number, sy: number) => {
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    const fx = sx - x0;
    const fy = sy - y0;
    for (let dy = 0; dy <= 1; dy++) {
      const y = y0 + dy;
      if (y < 0 || y >= height) continue;
      const wy = dy ? fy : 1 - fy;
      for (let dx = 0; dx <= 1; dx++) {
        const x = x0 + dx;
        if (x < 0 || x >= width) continue;
        const w = wy * (dx ? fx : 1 - fx);
        const i = (y * width + x) * 3;
        pixel[0] += w * data[i];
        pixel[1] += w * data[i + 1];
        pixel[2] += w * data[i + 2];
      }
    }
  };
  let o = offset;
  for (let row = 0; row < outSize; row++) {
    for (let col = 0; col < outSize; col++) {
      pixel[0] = pixel[1] = pixel[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        for (let sx = 0; sx < k; sx++) {
          // Pixel centres: output (col + (sx + 0.5) / k) maps to frame x + that * step - 0.5.
          addSample(region.x + (col + (sx + 0.5) / k) * step - 0.5, region.y + (row + (sy + 0.5) / k) * step - 0.5);
        }
      }
      out[o++] = pixel[0] * weight;
      out[o++] = pixel[1] * weight;
      out[o++] = pixel[2] * weight;
    }
  }
}
