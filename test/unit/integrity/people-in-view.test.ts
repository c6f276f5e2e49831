/**
 * People in view: the full-range (back camera) BlazeFace on real photographs. Where the face is
 * small and far (a footballer, a man across a room), the emotion service's short-range detector
 * finds nothing and this one finds the face where it is; a photograph with no person gives no face
 * at the service's threshold. Photographs: test/fixtures/faces and test/fixtures/people (SOURCES.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FaceDetector } from '../../../src/platform/vision/face/face-detector';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { LoadedModels, loadModels } from '../../../src/services/emotion/models/load-models';
import { OnnxModel } from '../../../src/platform/vision/models/onnx-model';
import { iou } from '../../../src/services/integrity/domain/image/rgb-image';
import { DetectedFace, FullRangeFaceDetector } from '../../../src/services/integrity/domain/people/full-range-face-detector';

const REPO = path.resolve(__dirname, '../../..');
const photo = (name: string) => fs.readFileSync(path.join(REPO, 'test/fixtures', name));
const describeFaces = (faces: readonly DetectedFace[]) =>
  faces.map((f) => `${f.score.toFixed(2)} at ${[f.box.x, f.box.y, f.box.width, f.box.height].map(Math.round).join(',')}`).join('; ') || 'none';

describe('FullRangeFaceDetector on real photographs', () => {
  let emotionModels: LoadedModels;
  let shortRange: FaceDetector;
  let model: OnnxModel;
  let fullRange: FullRangeFaceDetector;

  beforeAll(async () => {
    emotionModels = await loadModels(path.join(REPO, 'models'));
    shortRange = new FaceDetector(emotionModels.faceDetector);
    model = await OnnxModel.load(path.join(REPO, 'models/blazeface-back-256.onnx'));
    fullRange = new FullRangeFaceDetector(model);
  });
  afterAll(async () => {
    await emotionModels.release();
    await model.release();
  });

  async function both(name: string) {
    const image = await decodeFrame(photo(name));
    const [near, far] = [await shortRange.detect(image), await fullRange.detect(image)];
    console.log(`${name} (${image.width}x${image.height}): short range ${near.length} face(s); full range: ${describeFaces(far)}`);
    return { near, far };
  }

  it.each([
    // name, the face's centre and side as seen in the photograph (pixels)
    ['people/messi5.jpg', 240, 115, 37],
    ['people/basketball1.png', 85, 115, 28],
  ])('finds the small distant face in %s that the short-range detector misses', async (name, cx, cy, side) => {
    const { near, far } = await both(name);
    expect(near).toHaveLength(0);
    expect(far).toHaveLength(1);
    const { box, keypoints } = far[0];
    expect(Math.abs(box.x + box.width / 2 - cx)).toBeLessThan(side / 2);
    expect(Math.abs(box.y + box.height / 2 - cy)).toBeLessThan(side / 2);
    expect(box.width).toBeGreaterThan(side * 0.6);
    expect(box.width).toBeLessThan(side * 1.6);
    // The subject's right eye on the image's left, the eyes above the mouth.
    expect(keypoints[0].x).toBeLessThan(keypoints[1].x);
    expect(keypoints[3].y).toBeGreaterThan(keypoints[0].y);
  });

  it('finds the astronaut where the short-range detector does', async () => {
    const { near, far } = await both('faces/astronaut.png');
    expect(far).toHaveLength(1);
    expect(iou(far[0].box, near[0].box)).toBeGreaterThan(0.6);
  });

  it('finds the astronaut shrunk to a 45 px face in a 640x480 frame (18 px in the model input), in the right place', async () => {
    // The letterbox's padding and scale undone: the face is placed at a known offset.
    const small = await sharp(photo('faces/astronaut.png')).resize(192, 192).png().toBuffer();
    const frame = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 120, g: 120, b: 120 } } })
      .composite([{ input: small, left: 428, top: 268 }])
      .png()
      .toBuffer();
    const image = await decodeFrame(frame);
    const near = await shortRange.detect(image);
    const far = await fullRange.detect(image);
    console.log(`astronaut at 192x192 in 640x480: short range ${near.length}; full range: ${describeFaces(far)}`);
    expect(near).toHaveLength(0);
    expect(far).toHaveLength(1);
    // Her face is x 170..290, y 60..190 of 512: at 192/512 scale, from (428, 268).
    const k = 192 / 512;
    const expected = { x: 428 + 170 * k, y: 268 + 60 * k, width: 120 * k, height: 130 * k };
    expect(iou(far[0].box, expected)).toBeGreaterThan(0.4);
  });

  it.each(['faces/chelsea.png', 'faces/coffee.png'])('finds no face in %s at the service threshold, though MediaPipe 0.5 would', async (name) => {
    const { far } = await both(name);
    expect(far).toHaveLength(0);
    const lenient = await new FullRangeFaceDetector(model, 0.5).detect(await decodeFrame(photo(name)));
    expect(lenient.length).toBeGreaterThan(0);
  });

  it('refuses a threshold outside (0, 1) and a malformed image', async () => {
    expect(() => new FullRangeFaceDetector(model, 1)).toThrow(RangeError);
    await expect(fullRange.detect({ data: new Uint8Array(5), width: 2, height: 2 })).rejects.toThrow(/not an RGB image/);
  });
});
