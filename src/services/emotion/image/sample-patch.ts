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
  // Bilinear weights times the k x k box are a product of a row and a column factor, so each
  // output column's and row's source taps and weights are worked out once, not per pixel.
  const taps = 2 * k;
  const cols = axisTaps(region.x, step, outSize, k, width);
  const rows = axisTaps(region.y, step, outSize, k, height);
  const scale = 1 / divisor;
  const acc = new Float64Array(outSize * 3);
  let o = offset;
  for (let row = 0; row < outSize; row++) {
    acc.fill(0);
    for (let ty = row * taps; ty < (row + 1) * taps; ty++) {
      const wy = rows.weight[ty];
      if (wy === 0) continue;
      const rowStart = rows.index[ty] * width;
      for (let col = 0, a = 0; col < outSize; col++, a += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let tx = col * taps; tx < (col + 1) * taps; tx++) {
          const wx = cols.weight[tx];
          if (wx === 0) continue;
          const i = (rowStart + cols.index[tx]) * 3;
          r += wx * data[i];
          g += wx * data[i + 1];
          b += wx * data[i + 2];
        }
        acc[a] += wy * r;
        acc[a + 1] += wy * g;
        acc[a + 2] += wy * b;
      }
    }
    for (let a = 0; a < outSize * 3; a++) out[o++] = acc[a] * scale;
  }
}

/**
 * Along one axis, for each output position, its 2k source taps (k sub-samples, 2 bilinear taps
 * each) and their weights, the box's 1/k included; a tap outside 0..limit-1 weighs 0 (black).
 * Pixel centres: output (p + (s + 0.5) / k) maps to start + that * step - 0.5.
 */
function axisTaps(start: number, step: number, outSize: number, k: number, limit: number): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(outSize * 2 * k);
  const weight = new Float64Array(outSize * 2 * k);
  let t = 0;
  for (let p = 0; p < outSize; p++) {
    for (let s = 0; s < k; s++) {
      const source = start + (p + (s + 0.5) / k) * step - 0.5;
      const x0 = Math.floor(source);
      const f = source - x0;
      for (const [x, w] of [[x0, 1 - f], [x0 + 1, f]]) {
        const inside = x >= 0 && x < limit;
        index[t] = inside ? x : 0;
        weight[t++] = inside ? w / k : 0;
      }
    }
  }
  return { index, weight };
}
