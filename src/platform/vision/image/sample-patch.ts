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
 * The square region of side `max(width, height) * scale` centred on `box` (box and result in frame
 * pixels; `scale` unitless). The face models' crops: squared on the box's longer side, then grown.
 */
export function squareRegionAround(
  box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number },
  scale: number,
): SquareRegion {
  const size = Math.max(box.width, box.height) * scale;
  return { x: box.x + box.width / 2 - size / 2, y: box.y + box.height / 2 - size / 2, size };
}

/**
 * Resamples `region` of `image` to `outSize` x `outSize` RGB pixels, writes them scaled by
 * `1 / divisor` into `out` from `offset` (NHWC, Float32, so a batch tensor is filled in place).
 * Bilinear, with k x k supersampling when the region is more than 1.5 times larger than the
 * output (a box pre-filter against aliasing); outside the frame reads as black, as MediaPipe's
 * ImageToTensorCalculator pads with zeros.
 *
 * The filter is separable (its weights are a row factor times a column factor), so it runs in two
 * passes: each source row the output needs is resampled across once, then output rows are weighted
 * sums of those. One pass per output pixel re-read every source row for each of its 2k row taps and
 * spent a fifth of the workers' time here under load (a --cpu-prof of `npm run bench:emotion`).
 */
export function sampleRgbPatch(image: RgbImage, region: SquareRegion, outSize: number, out: Float32Array, offset: number, divisor: number): void {
  const { data, width, height } = image;
  const step = region.size / outSize;
  const k = step > 1.5 ? Math.min(4, Math.ceil(step)) : 1;
  const taps = 2 * k;
  const cols = axisTaps(region.x, step, outSize, k, width);
  const rows = axisTaps(region.y, step, outSize, k, height);
  const rowLength = outSize * 3;

  // Pass 1: every source row some row tap reads (with a weight), resampled across to outSize pixels.
  if (slotOfRowStorage.length < height) slotOfRowStorage = new Int32Array(height);
  const slotOfRow = slotOfRowStorage.subarray(0, height).fill(-1);
  let slots = 0;
  for (let t = 0; t < rows.index.length; t++) if (rows.weight[t] !== 0 && slotOfRow[rows.index[t]] < 0) slotOfRow[rows.index[t]] = slots++;
  if (acrossStorage.length < slots * rowLength) acrossStorage = new Float64Array(slots * rowLength);
  const across = acrossStorage.subarray(0, slots * rowLength);
  const colWeight = cols.weight;
  const colByte = cols.index.map((x) => x * 3);
  for (let y = 0; y < height; y++) {
    const slot = slotOfRow[y];
    if (slot < 0) continue;
    const rowByte = y * width * 3;
    let a = slot * rowLength;
    for (let col = 0, t = 0; col < outSize; col++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const end = t + taps; t < end; t++) {
        const w = colWeight[t];
        const i = rowByte + colByte[t];
        r += w * data[i];
        g += w * data[i + 1];
        b += w * data[i + 2];
      }
      across[a++] = r;
      across[a++] = g;
      across[a++] = b;
    }
  }

  // Pass 2: each output row, the weighted sum of its row taps' resampled rows.
  const scale = 1 / divisor;
  if (accStorage.length < rowLength) accStorage = new Float64Array(rowLength);
  const acc = accStorage.subarray(0, rowLength);
  let o = offset;
  if (taps === 2 && slots > 0) {
    // Enlarging (k = 1), the mesh's usual case: two row taps per output row, summed in one go
    // (half the time of the general loop below, with the same sums in the same order).
    for (let row = 0; row < outSize; row++) {
      const w0 = rows.weight[2 * row];
      const w1 = rows.weight[2 * row + 1];
      const base0 = w0 === 0 ? 0 : slotOfRow[rows.index[2 * row]] * rowLength;
      const base1 = w1 === 0 ? 0 : slotOfRow[rows.index[2 * row + 1]] * rowLength;
      for (let j = 0; j < rowLength; j++) out[o++] = (w0 * across[base0 + j] + w1 * across[base1 + j]) * scale;
    }
    return;
  }
  for (let row = 0; row < outSize; row++) {
    acc.fill(0);
    for (let t = row * taps; t < (row + 1) * taps; t++) {
      const w = rows.weight[t];
      if (w === 0) continue;
      const base = slotOfRow[rows.index[t]] * rowLength;
      for (let j = 0; j < rowLength; j++) acc[j] += w * across[base + j];
    }
    for (let j = 0; j < rowLength; j++) out[o++] = acc[j] * scale;
  }
}

/**
 * Working arrays of sampleRgbPatch, kept from call to call (the pass-1 rows of a 192x192 patch are
 * 640 KB; allocated per call they drove V8's collections: see PixelBuffers). Safe because
 * sampleRgbPatch is synchronous: no other call runs while one uses them. Each call works on views
 * of the exact lengths it needs, over storage that only grows.
 */
let slotOfRowStorage = new Int32Array(0);
let acrossStorage = new Float64Array(0);
let accStorage = new Float64Array(0);

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
      for (const [x, w] of [
        [x0, 1 - f],
        [x0 + 1, f],
      ]) {
        const inside = x >= 0 && x < limit;
        index[t] = inside ? x : 0;
        weight[t++] = inside ? w / k : 0;
      }
    }
  }
  return { index, weight };
}
