import fs from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import sharp from 'sharp';
import { EmotionClassifier } from '../../../src/services/emotion/domain/expression/emotion-classifier';
import { FaceDetector } from '../../../src/platform/vision/face/face-detector';
import { FaceMeshModel } from '../../../src/platform/vision/face/face-mesh';
import { EAR_CLOSED_THRESHOLD } from '../../../src/services/emotion/domain/blink/blink-tracker';
import { toLandmarks } from '../../../src/services/emotion/to-proto';
import { toStatus } from '../../../src/platform/grpc/errors';
import { FrameRejection, InvalidFrameError } from '../../../src/platform/vision/frame-errors';
import { iou } from '../../../src/platform/vision/face/face-detection';
import { MIN_TRACKING_FACE_FLAG, REDETECT_AFTER_FRAMES } from '../../../src/services/emotion/domain/face/face-track';
import { FrameAnalysis, FrameAnalyzer } from '../../../src/services/emotion/domain/frame-analyzer';
import { MAX_FRAME_BYTES, MAX_FRAME_PIXELS } from '../../../src/platform/vision/image/decode-frame';
import { LoadedModels, loadModels } from '../../../src/services/emotion/models/load-models';

const FIXTURES = path.resolve(__dirname, '../../fixtures/faces');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
/** The astronaut's face as SOURCES.md gives it: roughly x 170..290, y 60..190. */
const ASTRONAUT_FACE = { x: 170, y: 60, width: 120, height: 130 };

describe('FrameAnalyzer on the real models and photographs', () => {
  let models: LoadedModels;
  let analyzer: FrameAnalyzer;

  beforeAll(async () => {
    models = await loadModels(path.resolve(__dirname, '../../../models'));
    analyzer = new FrameAnalyzer(new FaceDetector(models.faceDetector), new FaceMeshModel(models.faceMesh), new EmotionClassifier(models.emotionClassifier));
  });
  afterAll(() => models.release());

  it('finds the face in astronaut.png where it is', async () => {
    const result = await analyzer.analyze(fixture('astronaut.png'));
    expect(result.faceCount).toBe(1);
    expect(result.face!.score).toBeGreaterThan(0.75);
    expect(iou(result.face!.box, ASTRONAUT_FACE)).toBeGreaterThan(0.4);
    const [rightEye, leftEye] = result.face!.keypoints;
    // Subject's right eye is on the image's left, both inside the face box's upper half.
    expect(rightEye.x).toBeLessThan(leftEye.x);
    expect(rightEye.y).toBeLessThan(result.face!.box.y + result.face!.box.height / 2);
  });

  it('places the typed mesh landmarks on the face, in frame pixels', async () => {
    const result = await analyzer.analyze(fixture('astronaut.png'));
    expect(result.mesh!.faceFlag).toBeGreaterThan(0.9);
    const landmarks = toLandmarks(result.mesh!);
    const centre = (type: string) => {
      const points = landmarks.filter((l) => l.type === type);
      expect(points.length).toBeGreaterThan(0);
      return { x: points.reduce((s, p) => s + p.x, 0) / points.length, y: points.reduce((s, p) => s + p.y, 0) / points.length };
    };
    const [rightEyeKeypoint, leftEyeKeypoint, noseKeypoint, mouthKeypoint] = result.face!.keypoints;
    // Two independent models agree: the mesh's regions sit on BlazeFace's own keypoints.
    const near = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);
    expect(near(centre('right_eye'), rightEyeKeypoint)).toBeLessThan(8);
    expect(near(centre('left_eye'), leftEyeKeypoint)).toBeLessThan(8);
    expect(near(centre('mouth'), mouthKeypoint)).toBeLessThan(10);
    expect(near(landmarks.filter((l) => l.type === 'nose')[6], noseKeypoint)).toBeLessThan(10); // index 1, the tip
    // Anatomy: eyebrows above eyes, eyes above the nose tip, mouth above the chin, jaw below the eyes.
    expect(centre('right_eyebrow').y).toBeLessThan(centre('right_eye').y);
    expect(centre('left_eyebrow').y).toBeLessThan(centre('left_eye').y);
    expect(centre('mouth').y).toBeGreaterThan(centre('nose').y);
    expect(Math.max(...landmarks.filter((l) => l.type === 'jaw').map((l) => l.y))).toBeGreaterThan(centre('mouth').y);
    for (const l of landmarks) {
      expect(l.x).toBeGreaterThan(result.face!.box.x - 20);
      expect(l.x).toBeLessThan(result.face!.box.x + result.face!.box.width + 20);
    }
  });

  it('measures open eyes in astronaut.png: eye aspect ratio above the closed threshold', async () => {
    const result = await analyzer.analyze(fixture('astronaut.png'));
    expect(result.eyes!.right).toBeGreaterThan(EAR_CLOSED_THRESHOLD);
    expect(result.eyes!.left).toBeGreaterThan(EAR_CLOSED_THRESHOLD);
    expect(result.eyes!.mean).toBeGreaterThan(0.28);
  });

  it('measures closed eyes in astronaut-eyes-closed.png (the same photo, lids closed: see scripts/fixtures/close-eyes.ts)', async () => {
    const result = await analyzer.analyze(fixture('astronaut-eyes-closed.png'));
    expect(result.faceCount).toBe(1);
    expect(result.eyes!.right).toBeLessThan(EAR_CLOSED_THRESHOLD);
    expect(result.eyes!.left).toBeLessThan(EAR_CLOSED_THRESHOLD);
  });

  it('analyses a batch in order, a bad frame at its position without failing the others', async () => {
    const results = await analyzer.analyzeBatch([
      { imageData: fixture('astronaut.png'), format: 'png' },
      { imageData: Buffer.from('not an image'), format: '' },
      { imageData: fixture('coffee.png'), format: '' },
      { imageData: fixture('astronaut-eyes-closed.png'), format: 'png' },
    ]);
    expect(results[1]).toBeInstanceOf(InvalidFrameError);
    expect((results[1] as FrameRejection).message).toBe('image_data is not an image (expected JPEG or PNG bytes)');
    const [open, , coffee, closed] = results as Exclude<(typeof results)[number], FrameRejection>[];
    expect(open.emotion!.label).toBe('happy');
    expect(coffee.face).toBeUndefined();
    expect(open.eyes!.mean).toBeGreaterThan(EAR_CLOSED_THRESHOLD);
    expect(closed.eyes!.mean).toBeLessThan(EAR_CLOSED_THRESHOLD);
    // Batched and single-frame analysis agree.
    const single = await analyzer.analyze(fixture('astronaut.png'));
    expect(open.eyes!.mean).toBeCloseTo(single.eyes!.mean, 4);
    expect(open.emotion!.confidence).toBeCloseTo(single.emotion!.confidence, 4);
  });

  it('gives frames analysed at once the results each gets alone (its pixels and tensors are reused, never shared)', async () => {
    const jpegs = await Promise.all(
      ['astronaut.png', 'astronaut-eyes-closed.png', 'chelsea.png'].map((name) =>
        sharp(fixture(name)).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg({ quality: 85 }).toBuffer(),
      ),
    );
    const alone: FrameAnalysis[] = [];
    for (const jpeg of jpegs) alone.push(await analyzer.analyze(jpeg, 'jpeg'));
    const together = await Promise.all([...jpegs, ...jpegs].map((jpeg) => analyzer.analyze(jpeg, 'jpeg')));
    expect(together).toEqual([...alone, ...alone]);
  });

  it("classifies the astronaut's smile as the classifier's happy class", async () => {
    const result = await analyzer.analyze(fixture('astronaut.png'));
    expect(result.emotion!.label).toBe('happy');
    expect(result.emotion!.confidence).toBeGreaterThan(0.5);
    expect(result.emotion!.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it.each(['coffee.png', 'chelsea.png'])('finds no face, and invents no emotion, in %s', async (name) => {
    const result = await analyzer.analyze(fixture(name));
    expect(result.face).toBeUndefined();
    expect(result.faceCount).toBe(0);
    expect(result.emotion).toBeUndefined();
  });

  it("finds the same face in a letterboxed 640x480 JPEG, in that frame's coordinates", async () => {
    const jpeg = await sharp(fixture('astronaut.png')).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg().toBuffer();
    const result = await analyzer.analyze(jpeg, 'jpeg');
    // 512 -> 480 scales by 0.9375 and centres horizontally with 80 px on each side.
    const expected = {
      x: 80 + ASTRONAUT_FACE.x * 0.9375,
      y: ASTRONAUT_FACE.y * 0.9375,
      width: ASTRONAUT_FACE.width * 0.9375,
      height: ASTRONAUT_FACE.height * 0.9375,
    };
    expect(iou(result.face!.box, expected)).toBeGreaterThan(0.4);
  });

  describe('tracking the face from the previous frame (MediaPipe face mesh)', () => {
    it('skips the detector on the next frame and finds the same face, eyes and emotion', async () => {
      const [detected] = (await analyzer.analyzeBatch([{ imageData: fixture('astronaut.png'), format: 'png' }])) as FrameAnalysis[];
      expect(detected.tracked).toBe(false);
      const [tracked] = (await analyzer.analyzeBatch([{ imageData: fixture('astronaut.png'), format: 'png', track: detected.track }])) as FrameAnalysis[];
      expect(tracked.tracked).toBe(true);
      expect(tracked.track!.framesSinceDetection).toBe(1);
      // The detector's box convention, kept through the landmarks, and its confidence from the mesh's face flag.
      expect(iou(tracked.face!.box, detected.face!.box)).toBeGreaterThan(0.85);
      expect(tracked.face!.score).toBeGreaterThan(MIN_TRACKING_FACE_FLAG);
      expect(tracked.emotion!.label).toBe('happy');
      expect(tracked.eyes!.mean).toBeCloseTo(detected.eyes!.mean, 1);
      // Its eyes are this frame's: the closed-eye photo, tracked from the open one, measures closed.
      const [closed] = (await analyzer.analyzeBatch([
        { imageData: fixture('astronaut-eyes-closed.png'), format: 'png', track: detected.track },
      ])) as FrameAnalysis[];
      expect(closed.tracked).toBe(true);
      expect(closed.eyes!.mean).toBeLessThan(EAR_CLOSED_THRESHOLD);
    });

    it('detects again when the frame has another size: the tracked region says nothing of it', async () => {
      const [detected] = (await analyzer.analyzeBatch([{ imageData: fixture('astronaut.png'), format: 'png' }])) as FrameAnalysis[];
      // The same face elsewhere: letterboxed into 640x480, 80 px to the right.
      const jpeg = await sharp(fixture('astronaut.png')).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg().toBuffer();
      const [moved] = (await analyzer.analyzeBatch([{ imageData: jpeg, format: 'jpeg', track: detected.track }])) as FrameAnalysis[];
      const [fresh] = (await analyzer.analyzeBatch([{ imageData: jpeg, format: 'jpeg' }])) as FrameAnalysis[];
      expect(moved.tracked).toBe(false);
      expect(iou(moved.face!.box, fresh.face!.box)).toBeGreaterThan(0.99);
      expect(moved.emotion!.label).toBe(fresh.emotion!.label);
    });

    it('detects again on the same frame when the face is no longer where it was', async () => {
      const [detected] = (await analyzer.analyzeBatch([{ imageData: fixture('astronaut.png'), format: 'png' }])) as FrameAnalysis[];
      const [coffee] = (await analyzer.analyzeBatch([{ imageData: fixture('coffee.png'), format: 'png', track: detected.track }])) as FrameAnalysis[];
      expect(coffee.tracked).toBe(false);
      expect(coffee.face).toBeUndefined();
      expect(coffee.emotion).toBeUndefined();
      expect(coffee.track).toBeUndefined();
    });

    it(`detects again after ${REDETECT_AFTER_FRAMES} tracked frames`, async () => {
      let [analysis] = (await analyzer.analyzeBatch([{ imageData: fixture('astronaut.png'), format: 'png' }])) as FrameAnalysis[];
      const trackedFlags: boolean[] = [];
      for (let i = 0; i <= REDETECT_AFTER_FRAMES; i++) {
        [analysis] = (await analyzer.analyzeBatch([{ imageData: fixture('astronaut.png'), format: 'png', track: analysis.track }])) as FrameAnalysis[];
        trackedFlags.push(analysis.tracked);
      }
      expect(trackedFlags).toEqual([...Array<boolean>(REDETECT_AFTER_FRAMES).fill(true), false]);
    });
  });

  describe('bad frames', () => {
    const codeOf = async (bytes: Buffer, format = '') =>
      analyzer.analyze(bytes, format).then(
        () => 'OK',
        (e: unknown) => {
          const { code, details } = toStatus(e);
          return `${status[code]}: ${details}`;
        },
      );

    it('rejects bytes that are no image with INVALID_ARGUMENT saying so', async () => {
      expect(await codeOf(Buffer.from('definitely not an image'))).toBe('INVALID_ARGUMENT: image_data is not an image (expected JPEG or PNG bytes)');
    });
    it('rejects an empty frame', async () => {
      expect(await codeOf(Buffer.alloc(0))).toBe('INVALID_ARGUMENT: image_data is empty');
    });
    it('rejects a truncated JPEG', async () => {
      const jpeg = await sharp(fixture('astronaut.png')).jpeg().toBuffer();
      expect(await codeOf(jpeg.subarray(0, jpeg.length / 2))).toMatch(/^INVALID_ARGUMENT: image_data could not be decoded as jpeg/);
    });
    it('rejects a truncated PNG', async () => {
      const png = fixture('chelsea.png');
      expect(await codeOf(png.subarray(0, png.length / 2))).toMatch(/^INVALID_ARGUMENT: image_data could not be decoded as png/);
    });
    it('rejects an unsupported format, naming it', async () => {
      const gif = await sharp(fixture('coffee.png')).resize(32, 32).gif().toBuffer();
      expect(await codeOf(gif)).toBe('INVALID_ARGUMENT: image format gif is not supported; send jpeg or png');
    });
    it('rejects a format that disagrees with the bytes', async () => {
      expect(await codeOf(fixture('coffee.png'), 'jpeg')).toBe('INVALID_ARGUMENT: format says jpeg but image_data is png');
    });
    it('rejects frames over the byte and pixel limits with RESOURCE_EXHAUSTED', async () => {
      expect(await codeOf(Buffer.alloc(MAX_FRAME_BYTES + 1))).toMatch(/^RESOURCE_EXHAUSTED: image_data is \d+ bytes; the limit is/);
      const side = Math.ceil(Math.sqrt(MAX_FRAME_PIXELS)) + 1;
      const huge = await sharp({ create: { width: side, height: side, channels: 3, background: '#888' } })
        .png({ compressionLevel: 9 })
        .toBuffer();
      expect(await codeOf(huge)).toMatch(/^RESOURCE_EXHAUSTED: image is \d+x\d+ pixels/);
    });
  });
});
