/**
 * sampleRgbPatch against its definition, computed the slow way pixel by pixel: each output pixel
 * is the mean of k x k sub-samples, each bilinear between its four nearest source pixels, with
 * pixels outside the frame black.
 */
import { RgbImage } from '../../../../src/platform/vision/image/decode-frame';
import { sampleRgbPatch, SquareRegion } from '../../../../src/platform/vision/image/sample-patch';

function randomImage(width: number, height: number, seed: number): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31; // a fixed LCG: the same image every run
    data[i] = x % 256;
  }
  return { data, width, height };
}

function byDefinition(image: RgbImage, region: SquareRegion, outSize: number, divisor: number): Float32Array {
  const step = region.size / outSize;
  const k = step > 1.5 ? Math.min(4, Math.ceil(step)) : 1;
  const pixel = (x: number, y: number, c: number) => (x >= 0 && x < image.width && y >= 0 && y < image.height ? image.data[(y * image.width + x) * 3 + c] : 0);
  const out = new Float32Array(outSize * outSize * 3);
  for (let row = 0; row < outSize; row++) {
    for (let col = 0; col < outSize; col++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let sy = 0; sy < k; sy++) {
          for (let sx = 0; sx < k; sx++) {
            const fy = region.y + (row + (sy + 0.5) / k) * step - 0.5;
            const fx = region.x + (col + (sx + 0.5) / k) * step - 0.5;
            const y0 = Math.floor(fy);
            const x0 = Math.floor(fx);
            const dy = fy - y0;
            const dx = fx - x0;
            sum +=
              (1 - dy) * ((1 - dx) * pixel(x0, y0, c) + dx * pixel(x0 + 1, y0, c)) + dy * ((1 - dx) * pixel(x0, y0 + 1, c) + dx * pixel(x0 + 1, y0 + 1, c));
          }
        }
        out[(row * outSize + col) * 3 + c] = sum / (k * k) / divisor;
      }
    }
  }
  return out;
}

describe('sampleRgbPatch', () => {
  const image = randomImage(97, 61, 7);
  const cases: [string, SquareRegion, number][] = [
    ['enlarging (k = 1), inside the frame', { x: 10.3, y: 5.7, size: 40 }, 48],
    ['about 1:1 (k = 1), past the top-left corner', { x: -6.5, y: -3.25, size: 30 }, 24],
    ['shrinking 2.5x (k = 3), past the bottom-right corner', { x: 60, y: 30, size: 60 }, 24],
    ['shrinking 8x (k = 4, the cap), larger than the frame', { x: -20, y: -40, size: 128 }, 16],
    ['entirely outside the frame: black', { x: 200, y: 200, size: 20 }, 8],
  ];

  it.each(cases)('matches the definition: %s', (_, region, outSize) => {
    const expected = byDefinition(image, region, outSize, 255);
    const actual = new Float32Array(outSize * outSize * 3);
    sampleRgbPatch(image, region, outSize, actual, 0, 255);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('writes from the offset and nowhere else, scaled by 1 / divisor', () => {
    const region = { x: 5, y: 5, size: 20 };
    const out = new Float32Array(2 * 10 * 10 * 3).fill(-1);
    sampleRgbPatch(image, region, 10, out, 300, 1);
    expect(out.subarray(0, 300).every((v) => v === -1)).toBe(true);
    const expected = byDefinition(image, region, 10, 1);
    expect(Math.max(...out.subarray(300).map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-4);
  });
});
