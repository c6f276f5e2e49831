import fs from 'node:fs';
import path from 'node:path';
import { decompressSync, FORMAT_RGB } from '@julusian/jpeg-turbo';
import sharp from 'sharp';
import { FrameTooLargeError, InvalidFrameError } from '../../../../src/platform/vision/frame-errors';
import { decodeFrame, MAX_FRAME_BYTES, MAX_FRAME_PIXELS, precheckFrame, RgbImage } from '../../../../src/platform/vision/image/decode-frame';

const astronaut = fs.readFileSync(path.resolve(__dirname, '../../../fixtures/faces/astronaut.png'));

/** Mean absolute difference of two decodings' bytes, 0..255; Infinity when their sizes differ. */
function meanDifference(a: RgbImage, b: { data: Buffer; info: { width: number; height: number } }): number {
  if (a.width !== b.info.width || a.height !== b.info.height || a.data.length !== b.data.length) return Infinity;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

/** What sharp alone makes of `jpeg`: the reference decoding, EXIF orientation applied. */
const bySharp = (jpeg: Buffer) => sharp(jpeg).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });

describe('decodeFrame', () => {
  it('decodes a plain JPEG (libjpeg-turbo) to the pixels sharp gives, within JPEG decoders’ rounding', async () => {
    const jpeg = await sharp(astronaut).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg({ quality: 85 }).toBuffer();
    const image = await decodeFrame(jpeg, 'jpeg');
    expect([image.width, image.height, image.data.length]).toEqual([640, 480, 640 * 480 * 3]);
    expect(Buffer.compare(image.data, decompressSync(jpeg, { format: FORMAT_RGB }).data)).toBe(0);
    // The two libjpeg builds upsample chroma differently: a point or so on average, never a shifted image.
    expect(meanDifference(image, await bySharp(jpeg))).toBeLessThan(1.5);
  });

  it('applies the EXIF orientation of a rotated JPEG, as sharp does', async () => {
    const jpeg = await sharp(astronaut).resize(200, 100, { fit: 'fill' }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeFrame(jpeg, 'jpeg');
    expect([image.width, image.height]).toEqual([100, 200]);
    expect(meanDifference(image, await bySharp(jpeg))).toBe(0);
  });

  it('converts a JPEG with an ICC profile as sharp does', async () => {
    const jpeg = await sharp(astronaut).resize(128, 128).withIccProfile('p3').jpeg().toBuffer();
    expect(jpeg.includes(Buffer.from('ICC_PROFILE'))).toBe(true);
    const image = await decodeFrame(jpeg, 'jpeg');
    expect(meanDifference(image, await bySharp(jpeg))).toBe(0);
  });

  it('decodes CMYK and greyscale JPEGs to RGB', async () => {
    for (const jpeg of [
      await sharp(astronaut).resize(64, 64).toColourspace('cmyk').jpeg().toBuffer(),
      await sharp(astronaut).resize(64, 64).grayscale().jpeg().toBuffer(),
    ]) {
      const image = await decodeFrame(jpeg, 'jpeg');
      expect([image.width, image.height, image.data.length]).toEqual([64, 64, 64 * 64 * 3]);
    }
  });

  it('refuses a JPEG past the pixel limit from its header, before decoding it', async () => {
    const side = Math.ceil(Math.sqrt(MAX_FRAME_PIXELS)) + 8;
    const jpeg = await sharp({ create: { width: side, height: side, channels: 3, background: '#000' }, limitInputPixels: false })
      .jpeg()
      .toBuffer();
    await expect(decodeFrame(jpeg, 'jpeg')).rejects.toThrow(FrameTooLargeError);
    await expect(decodeFrame(jpeg, 'jpeg')).rejects.toThrow(`image is ${side}x${side} pixels`);
  });

  it('says why a corrupt JPEG cannot be decoded', async () => {
    const jpeg = await sharp(astronaut).resize(64, 64).jpeg().toBuffer();
    const corrupt = Buffer.concat([jpeg.subarray(0, 400), Buffer.alloc(2_000, 7)]);
    await expect(decodeFrame(corrupt, 'jpeg')).rejects.toThrow(InvalidFrameError);
    await expect(decodeFrame(corrupt, 'jpeg')).rejects.toThrow(/^image_data could not be decoded as jpeg: /);
  });
});

describe('precheckFrame', () => {
  /** The error `call` rejects with, or 'resolved'. */
  const outcome = (call: Promise<unknown>) =>
    call.then(
      () => 'resolved',
      (error: unknown) => error,
    );

  it('refuses what decodeFrame refuses without decoding, with the same class and message', async () => {
    const side = Math.ceil(Math.sqrt(MAX_FRAME_PIXELS)) + 8;
    const huge = await sharp({ create: { width: side, height: side, channels: 3, background: '#000' }, limitInputPixels: false })
      .png()
      .toBuffer();
    const bad: [Buffer, string][] = [
      [Buffer.alloc(0), ''],
      [Buffer.from('not an image'), ''],
      [astronaut, 'jpeg'],
      [Buffer.alloc(MAX_FRAME_BYTES + 1, 0xff), ''],
      [huge, 'png'],
    ];
    for (const [bytes, format] of bad) {
      const early = await outcome(precheckFrame(bytes, format));
      const late = await outcome(decodeFrame(bytes, format));
      expect(early).toBeInstanceOf(Error);
      expect((early as Error).message).toBe((late as Error).message);
      expect(Object.getPrototypeOf(early)).toBe(Object.getPrototypeOf(late));
    }
  });

  it('lets through a good frame, and one only decoding finds broken (a truncated PNG)', async () => {
    await expect(precheckFrame(astronaut, 'png')).resolves.toBeUndefined();
    const truncated = astronaut.subarray(0, astronaut.length >> 1);
    await expect(precheckFrame(truncated, 'png')).resolves.toBeUndefined();
    await expect(decodeFrame(truncated, 'png')).rejects.toThrow(InvalidFrameError);
  });
});
