/**
 * Gaze: the eyeball model's geometry on constructed eyes (a known gaze in, the same gaze out, with
 * the head straight or turned), then the whole chain (emotion service detector and mesh, head pose,
 * MediaPipe's iris model, gaze) on real photographs: the astronaut looking into the camera, the same
 * photograph mirrored and with her eyes closed, and skimage's cameraman, head turned to his camera.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FaceDetector } from '../../../src/platform/vision/face/face-detector';
import { FaceMeshModel } from '../../../src/platform/vision/face/face-mesh';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { LoadedModels, loadModels } from '../../../src/services/emotion/models/load-models';
import { OnnxModel } from '../../../src/platform/vision/models/onnx-model';
import { CANONICAL_FACE_VERTICES } from '../../../src/services/integrity/domain/pose/canonical-face-model';
import { estimateHeadPose, HeadPose, projectCanonicalPoint, rotationOf } from '../../../src/services/integrity/domain/pose/head-pose';
import {
  DEFAULT_SCREEN,
  EYEBALL_CENTRE_DEPTH_CM,
  EYEBALL_RADIUS_CM,
  estimateGaze,
  eyeAspectRatio,
  EYES_CLOSED_EAR,
  eyeGaze,
  Gaze,
} from '../../../src/services/integrity/domain/gaze/gaze';
import { EYES, EyeLandmarks, EyeSide, IrisLandmarker } from '../../../src/services/integrity/domain/gaze/iris-landmarks';

const REPO = path.resolve(__dirname, '../../..');

/** A head at `yaw`/`pitch` (degrees), 8 px/cm, its canonical origin at (320, 240). */
function head(yaw: number, pitch: number): Pick<HeadPose, 'yaw' | 'rotation' | 'scale' | 'translation'> {
  return { yaw, rotation: rotationOf(yaw, pitch, 0), scale: 8, translation: [320, 240, 0] };
}

/** The iris centre in the frame of an eye of `h` looking along the camera-relative `yaw`/`pitch` (degrees). */
function eyeLooking(h: ReturnType<typeof head>, side: EyeSide, yaw: number, pitch: number): EyeLandmarks {
  const v = (i: number, k: number) => CANONICAL_FACE_VERTICES[i * 3 + k];
  const { outer, inner } = EYES[side];
  const centre = projectCanonicalPoint(h, [
    (v(outer, 0) + v(inner, 0)) / 2,
    (v(outer, 1) + v(inner, 1)) / 2,
    (v(outer, 2) + v(inner, 2)) / 2 - EYEBALL_CENTRE_DEPTH_CM,
  ]);
  const rad = Math.PI / 180;
  // Gaze vector in camera axes (y down): x = sin(yaw) cos(pitch), y = -sin(pitch).
  const x = centre[0] + h.scale * EYEBALL_RADIUS_CM * Math.sin(yaw * rad) * Math.cos(pitch * rad);
  const y = centre[1] - h.scale * EYEBALL_RADIUS_CM * Math.sin(pitch * rad);
  const corner = { x: 0, y: 0 };
  return { irisCentre: { x, y }, irisRadius: 4, outerCorner: corner, innerCorner: corner, points: new Float32Array(228), region: { x: 0, y: 0, size: 1 } };
}

/** 468 landmarks whose eyes are open: the canonical face at 8 px/cm, its lids (EAR 0.1) opened 3 px each way (EAR ~0.4). */
const OPEN_MESH = Float64Array.from(CANONICAL_FACE_VERTICES, (v, i) => (i % 3 === 0 ? 320 + 8 * v : i % 3 === 1 ? 240 - 8 * v : -8 * v));
for (const upper of [160, 158, 385, 387]) OPEN_MESH[upper * 3 + 1] -= 3;
for (const lower of [144, 153, 380, 373]) OPEN_MESH[lower * 3 + 1] += 3;

describe('eyeGaze and estimateGaze on constructed eyes', () => {
  it.each([
    [0, 0, 0, 0],
    [0, 0, 15, 0],
    [0, 0, -20, 10],
    [30, 0, 30, 0],
    [30, -10, 10, -20],
    [-20, 15, -35, 5],
  ])('head yaw %d° pitch %d°, gaze yaw %d° pitch %d°: recovered', (hy, hp, gy, gp) => {
    const h = head(hy, hp);
    for (const side of ['right', 'left'] as const) {
      const g = eyeGaze(h, side, eyeLooking(h, side, gy, gp));
      expect(g.yaw).toBeCloseTo(gy, 6);
      expect(g.pitch).toBeCloseTo(gp, 6);
    }
  });

  it('names the direction: the candidate looking to their left is towards the image right', () => {
    const look = (yaw: number, pitch: number): Gaze => {
      const h = head(0, 0);
      return estimateGaze(h, OPEN_MESH, { right: eyeLooking(h, 'right', yaw, pitch), left: eyeLooking(h, 'left', yaw, pitch) });
    };
    expect(look(0, -10).direction).toBe('screen');
    expect(look(35, 0).direction).toBe('left');
    expect(look(-35, 0).direction).toBe('right');
    expect(look(0, 25).direction).toBe('up');
    expect(look(5, -40).direction).toBe('down');
    expect(look(DEFAULT_SCREEN.yawLimit - 1, 0).direction).toBe('screen');
  });

  it('says closed, without angles, when the lids are closed', () => {
    expect(eyeAspectRatio(OPEN_MESH, 'right')).toBeGreaterThan(EYES_CLOSED_EAR);
    const closedMesh = Float64Array.from(CANONICAL_FACE_VERTICES, (v, i) => (i % 3 === 0 ? 320 + 8 * v : i % 3 === 1 ? 240 - 8 * v : -8 * v));
    expect(eyeAspectRatio(closedMesh, 'left')).toBeLessThan(EYES_CLOSED_EAR);
    const h = head(0, 0);
    const gaze = estimateGaze(h, closedMesh, { right: eyeLooking(h, 'right', 0, 0), left: eyeLooking(h, 'left', 0, 0) });
    expect(gaze.direction).toBe('closed');
    expect(gaze.yaw).toBeNaN();
  });

  it('uses only the nearer eye when the head is turned far', () => {
    const h = head(40, 0);
    const far: EyeLandmarks = { ...eyeLooking(h, 'left', 0, 0), irisCentre: { x: Number.NaN, y: Number.NaN } };
    const gaze = estimateGaze(h, OPEN_MESH, { right: eyeLooking(h, 'right', 40, 0), left: far });
    expect(Object.keys(gaze.eyes)).toEqual(['right']);
    expect(gaze.yaw).toBeCloseTo(40, 6);
    expect(gaze.direction).toBe('left');
  });

  it('refuses bad screen bounds and a mesh of the wrong size', () => {
    const h = head(0, 0);
    const eyes = { right: eyeLooking(h, 'right', 0, 0), left: eyeLooking(h, 'left', 0, 0) };
    expect(() => estimateGaze(h, OPEN_MESH, eyes, { yawLimit: 0, pitchUp: 1, pitchDown: -1 })).toThrow(RangeError);
    expect(() => estimateGaze(h, OPEN_MESH, eyes, { yawLimit: 10, pitchUp: -5, pitchDown: 5 })).toThrow(RangeError);
    expect(() => estimateGaze(h, new Float64Array(10), eyes)).toThrow(/1404/);
  });
});

describe('gaze on real photographs (detector, mesh, head pose, iris model)', () => {
  let models: LoadedModels;
  let irisModel: OnnxModel;
  let detector: FaceDetector;
  let mesh: FaceMeshModel;
  let iris: IrisLandmarker;

  beforeAll(async () => {
    models = await loadModels(path.join(REPO, 'models'));
    irisModel = await OnnxModel.load(path.join(REPO, 'models/iris-landmark-64.onnx'));
    detector = new FaceDetector(models.faceDetector);
    mesh = new FaceMeshModel(models.faceMesh);
    iris = new IrisLandmarker(irisModel);
  });
  afterAll(async () => {
    await models.release();
    await irisModel.release();
  });

  async function gazeOf(name: string, png: Buffer): Promise<{ pose: HeadPose; gaze: Gaze; eyes: Record<EyeSide, EyeLandmarks> }> {
    const image = await decodeFrame(png);
    const face = (await detector.detect(image)).at(0);
    if (!face) throw new Error(`no face in ${name}`);
    const [m] = await mesh.run([{ image, face }]);
    const pose = estimateHeadPose(m.points);
    const eyes = await iris.run(image, m.points);
    const gaze = estimateGaze(pose, m.points, eyes);
    const eyeText = Object.entries(gaze.eyes)
      .map(([side, g]) => `${side} ${g.yaw.toFixed(1)}/${g.pitch.toFixed(1)}`)
      .join(', ');
    console.log(
      `${name}: head yaw ${pose.yaw.toFixed(1)}° pitch ${pose.pitch.toFixed(1)}°; gaze yaw ${gaze.yaw.toFixed(1)}° pitch ${gaze.pitch.toFixed(1)}° (${eyeText}): ${gaze.direction}`,
    );
    return { pose, gaze, eyes };
  }
  const astronaut = () => fs.readFileSync(path.join(REPO, 'test/fixtures/faces/astronaut.png'));

  it('finds the astronaut looking at the screen, her irises inside her eyes', async () => {
    const { gaze, eyes } = await gazeOf('astronaut.png', astronaut());
    expect(gaze.direction).toBe('screen');
    expect(Math.abs(gaze.yaw)).toBeLessThan(8);
    expect(Math.abs(gaze.pitch)).toBeLessThan(10);
    for (const eye of Object.values(eyes)) {
      const [left, right] = [Math.min(eye.outerCorner.x, eye.innerCorner.x), Math.max(eye.outerCorner.x, eye.innerCorner.x)];
      expect(eye.irisCentre.x).toBeGreaterThan(left);
      expect(eye.irisCentre.x).toBeLessThan(right);
      expect(Math.abs(eye.irisCentre.y - (eye.outerCorner.y + eye.innerCorner.y) / 2)).toBeLessThan(5);
      // An iris is about 0.6 of the corner distance across (11.7 mm of ~19 mm on the canonical face... and hers).
      const width = Math.hypot(eye.outerCorner.x - eye.innerCorner.x, eye.outerCorner.y - eye.innerCorner.y);
      expect((2 * eye.irisRadius) / width).toBeGreaterThan(0.3);
      expect((2 * eye.irisRadius) / width).toBeLessThan(0.7);
    }
  });

  it('keeps her at the screen when the photograph is mirrored, the iris model mirroring one eye each way', async () => {
    const original = await gazeOf('astronaut.png', astronaut());
    const mirrored = await gazeOf('astronaut mirrored', await sharp(astronaut()).flop().png().toBuffer());
    expect(mirrored.gaze.direction).toBe('screen');
    expect(Math.abs(mirrored.gaze.yaw + original.gaze.yaw)).toBeLessThan(4);
    expect(Math.abs(mirrored.gaze.pitch - original.gaze.pitch)).toBeLessThan(4);
  });

  it('says closed for the astronaut with her eyes closed, not a direction', async () => {
    const { gaze } = await gazeOf('astronaut-eyes-closed.png', fs.readFileSync(path.join(REPO, 'test/fixtures/faces/astronaut-eyes-closed.png')));
    expect(gaze.direction).toBe('closed');
  });

  it('finds the cameraman (skimage camera.png) with his head turned towards the image right, away from the screen', async () => {
    const { pose } = await gazeOf('camera.png', fs.readFileSync(path.join(REPO, 'test/fixtures/people/camera.png')));
    expect(pose.yaw).toBeGreaterThan(DEFAULT_SCREEN.yawLimit);
  });
});
