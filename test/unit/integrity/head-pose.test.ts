/**
 * Head pose by a rigid fit to MediaPipe's canonical face: recovered from the canonical face itself
 * turned by known angles (exactly, then with landmark noise and a perspective camera), and on the
 * fixture photographs through the emotion service's detector and mesh (the models this service will
 * share), where mirroring the photo must mirror the pose and turning it in the image plane must turn
 * the roll by as much.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CANONICAL_FACE_VERTICES } from '../../../src/services/integrity/domain/pose/canonical-face-model';
import { anglesOf, canonicalFaceInCameraAxes, estimateHeadPose, HeadPose, rotationOf } from '../../../src/services/integrity/domain/pose/head-pose';
import { fitSimilarity } from '../../../src/services/integrity/domain/pose/similarity-fit';
import { FaceDetector } from '../../../src/platform/vision/face/face-detector';
import { FaceMeshModel } from '../../../src/platform/vision/face/face-mesh';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { LoadedModels, loadModels } from '../../../src/services/emotion/models/load-models';
import { runScript } from '../../support/tools';

const REPO = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(REPO, 'test/fixtures/faces');

/** A deterministic standard normal sequence (mulberry32 + Box-Muller), so a failure reproduces. */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** The canonical face turned by `pose` (degrees), `scale` pixels per cm, at (cx, cy): a weak-perspective mesh. */
function turnedFace(yaw: number, pitch: number, roll: number, scale = 9, centre = [320, 240], noiseCm = 0, seed = 1): Float64Array {
  const r = rotationOf(yaw, pitch, roll);
  const face = canonicalFaceInCameraAxes();
  const noise = gaussian(seed);
  const out = new Float64Array(face.length);
  for (let i = 0; i < face.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = r[k * 3] * face[i] + r[k * 3 + 1] * face[i + 1] + r[k * 3 + 2] * face[i + 2] + noiseCm * noise();
      out[i + k] = scale * v + (k < 2 ? centre[k] : 0);
    }
  }
  return out;
}

const POSES: [number, number, number][] = [
  [0, 0, 0],
  [30, 0, 0],
  [-45, 0, 0],
  [0, 25, 0],
  [0, -30, 0],
  [0, 0, 20],
  [20, -15, 10],
  [-35, 20, -25],
  [60, 10, 5],
];

describe('the canonical face model', () => {
  it('is generated unchanged from the pinned package (the script regenerates and compares)', () => {
    expect(() => runScript('scripts/models/integrity/canonical-face.sh', ['--check'])).not.toThrow();
  });

  it('has 468 vertices with the subject right eye on -x and the nose tip in front', () => {
    expect(CANONICAL_FACE_VERTICES.length).toBe(468 * 3);
    const x = (i: number) => CANONICAL_FACE_VERTICES[i * 3];
    const z = (i: number) => CANONICAL_FACE_VERTICES[i * 3 + 2];
    // 33/133: the subject's right eye corners; 263/362 the left; 1 the nose tip, 234/454 the cheeks' edges.
    expect(x(33)).toBeLessThan(0);
    expect(x(133)).toBeLessThan(0);
    expect(x(263)).toBeGreaterThan(0);
    expect(x(33)).toBeCloseTo(-x(263), 5);
    expect(z(1)).toBeGreaterThan(z(234));
    expect(z(1)).toBeGreaterThan(z(454));
  });
});

describe('fitSimilarity', () => {
  it('recovers a known rotation, scale and translation exactly', () => {
    const source = canonicalFaceInCameraAxes();
    const r = rotationOf(25, -10, 40);
    const target = new Float64Array(source.length);
    for (let i = 0; i < source.length; i += 3)
      for (let k = 0; k < 3; k++) target[i + k] = 2.5 * (r[k * 3] * source[i] + r[k * 3 + 1] * source[i + 1] + r[k * 3 + 2] * source[i + 2]) + [7, -3, 11][k];
    const fit = fitSimilarity(source, target);
    fit.rotation.forEach((v, i) => {
      expect(v).toBeCloseTo(r[i], 9);
    });
    expect(fit.scale).toBeCloseTo(2.5, 9);
    fit.translation.forEach((v, k) => {
      expect(v).toBeCloseTo([7, -3, 11][k], 8);
    });
    expect(fit.rmsResidual).toBeLessThan(1e-9);
  });

  it('never returns a reflection, even for a mirrored target', () => {
    const source = canonicalFaceInCameraAxes();
    const mirrored = source.map((v, i) => (i % 3 === 0 ? -v : v));
    const r = fitSimilarity(source, mirrored).rotation;
    const det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
    expect(det).toBeCloseTo(1, 9);
  });

  it('refuses mismatched, too few, non-finite or collapsed points', () => {
    expect(() => fitSimilarity([0, 0, 0, 1, 1, 1], [0, 0, 0])).toThrow(RangeError);
    expect(() => fitSimilarity([0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1])).toThrow(/at least 3/);
    expect(() => fitSimilarity([0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0, 0, NaN, 0])).toThrow(/not finite/);
    expect(() => fitSimilarity([1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 0, 0, 0, 1, 0])).toThrow(/one place/);
    expect(() => fitSimilarity([0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 0, 0, 1, 0], [1, -1, 1])).toThrow(/non-negative/);
  });
});

describe('estimateHeadPose on the canonical face turned by known angles', () => {
  it.each(POSES)('recovers yaw %d°, pitch %d°, roll %d° exactly', (yaw, pitch, roll) => {
    const pose = estimateHeadPose(turnedFace(yaw, pitch, roll));
    expect(pose.yaw).toBeCloseTo(yaw, 6);
    expect(pose.pitch).toBeCloseTo(pitch, 6);
    expect(pose.roll).toBeCloseTo(roll, 6);
    expect(pose.scale).toBeCloseTo(9, 6);
    expect(pose.rmsResidual).toBeLessThan(1e-6);
  });

  it('reads the signs as documented: nose to the image right is +yaw, face up is +pitch, clockwise is +roll', () => {
    const noseTip = 1;
    const frontal = turnedFace(0, 0, 0);
    const right = turnedFace(20, 0, 0);
    const up = turnedFace(0, 20, 0);
    expect(right[noseTip * 3] - right[168 * 3]).toBeGreaterThan(frontal[noseTip * 3] - frontal[168 * 3]);
    expect(up[noseTip * 3 + 1] - up[168 * 3 + 1]).toBeLessThan(frontal[noseTip * 3 + 1] - frontal[168 * 3 + 1]);
    // Clockwise in the image (y down): the subject's left eye (263, image right) moves down.
    const clockwise = turnedFace(0, 0, 20);
    expect(clockwise[263 * 3 + 1] - clockwise[33 * 3 + 1]).toBeGreaterThan(0);
  });

  it.each(POSES)('recovers yaw %d°, pitch %d°, roll %d° within 1° from landmarks with 2 mm noise', (yaw, pitch, roll) => {
    const pose = estimateHeadPose(turnedFace(yaw, pitch, roll, 9, [320, 240], 0.2, yaw * 31 + pitch * 7 + roll + 1000));
    expect(Math.abs(pose.yaw - yaw)).toBeLessThan(1);
    expect(Math.abs(pose.pitch - pitch)).toBeLessThan(1);
    expect(Math.abs(pose.roll - roll)).toBeLessThan(1);
    expect(pose.rmsResidual).toBeGreaterThan(0.1);
  });

  it('recovers the pose within 2° through a perspective camera at 50 cm (the weak-perspective approximation)', () => {
    const focal = 600;
    const distance = 50;
    for (const [yaw, pitch, roll] of POSES) {
      const r = rotationOf(yaw, pitch, roll);
      const face = canonicalFaceInCameraAxes();
      const mesh = new Float64Array(face.length);
      for (let i = 0; i < face.length; i += 3) {
        const [x, y, z] = [0, 1, 2].map((k) => r[k * 3] * face[i] + r[k * 3 + 1] * face[i + 1] + r[k * 3 + 2] * face[i + 2]);
        const depth = distance + z;
        // x, y projected; z in the same pixel scale as at the face's centre, as the mesh gives it.
        mesh.set([320 + (focal * x) / depth, 240 + (focal * y) / depth, (focal * z) / distance], i);
      }
      const pose = estimateHeadPose(mesh);
      expect([pose.yaw - yaw, pose.pitch - pitch, pose.roll - roll].map(Math.abs).every((d) => d < 2)).toBe(true);
    }
  });

  it('anglesOf inverts rotationOf', () => {
    for (const [yaw, pitch, roll] of POSES) {
      const angles = anglesOf(rotationOf(yaw, pitch, roll));
      expect(angles.yaw).toBeCloseTo(yaw, 9);
      expect(angles.pitch).toBeCloseTo(pitch, 9);
      expect(angles.roll).toBeCloseTo(roll, 9);
    }
  });

  it('refuses anything but 468 finite landmarks', () => {
    expect(() => estimateHeadPose(new Float32Array(467 * 3))).toThrow(/1404/);
    const bad = turnedFace(0, 0, 0);
    bad[10] = Number.NaN;
    expect(() => estimateHeadPose(bad)).toThrow(/not finite/);
  });
});

describe('estimateHeadPose on the fixture photographs (emotion service detector and mesh)', () => {
  let models: LoadedModels;
  let detector: FaceDetector;
  let mesh: FaceMeshModel;

  beforeAll(async () => {
    models = await loadModels(path.join(REPO, 'models'));
    detector = new FaceDetector(models.faceDetector);
    mesh = new FaceMeshModel(models.faceMesh);
  });
  afterAll(() => models.release());

  async function poseOf(png: Buffer): Promise<HeadPose> {
    const image = await decodeFrame(png);
    const face = (await detector.detect(image)).at(0);
    if (!face) throw new Error('no face found');
    const [result] = await mesh.run([{ image, face }]);
    return estimateHeadPose(result.points);
  }
  const astronaut = () => fs.readFileSync(path.join(FIXTURES, 'astronaut.png'));

  it('finds the astronaut nearly frontal, her smiling face within 0.8 cm of the rigid canonical one', async () => {
    const pose = await poseOf(astronaut());
    console.log(
      `astronaut.png: yaw ${pose.yaw.toFixed(2)}°, pitch ${pose.pitch.toFixed(2)}°, roll ${pose.roll.toFixed(2)}°, rms ${pose.rmsResidual.toFixed(3)} cm, ${pose.scale.toFixed(2)} px/cm`,
    );
    expect(Math.abs(pose.yaw)).toBeLessThan(25);
    expect(Math.abs(pose.pitch)).toBeLessThan(25);
    expect(Math.abs(pose.roll)).toBeLessThan(15);
    expect(pose.rmsResidual).toBeLessThan(0.8);
    // Her face is ~120 px wide for a ~14 cm wide face: a plausible scale.
    expect(pose.scale).toBeGreaterThan(6);
    expect(pose.scale).toBeLessThan(12);
  });

  it('mirrors yaw and roll, and keeps pitch, when the photograph is mirrored', async () => {
    const pose = await poseOf(astronaut());
    const mirrored = await poseOf(await sharp(astronaut()).flop().png().toBuffer());
    console.log(`astronaut mirrored: yaw ${mirrored.yaw.toFixed(2)}°, pitch ${mirrored.pitch.toFixed(2)}°, roll ${mirrored.roll.toFixed(2)}°`);
    expect(Math.abs(mirrored.yaw + pose.yaw)).toBeLessThan(2);
    expect(Math.abs(mirrored.roll + pose.roll)).toBeLessThan(2);
    expect(Math.abs(mirrored.pitch - pose.pitch)).toBeLessThan(2);
  });

  it('turns the roll by as much as the photograph is turned in its plane', async () => {
    // The emotion service runs the mesh on an upright region (MediaPipe would level the eyes first),
    // so a turned face is a harder input for the mesh itself: measured, roll follows within 3.3° and
    // yaw moves by up to 4.9° at 15°.
    const pose = await poseOf(astronaut());
    for (const degrees of [-15, 15]) {
      // sharp rotates clockwise for positive angles.
      const turned = await poseOf(await sharp(astronaut()).rotate(degrees, { background: '#000' }).png().toBuffer());
      console.log(`astronaut turned ${degrees}°: yaw ${turned.yaw.toFixed(2)}°, pitch ${turned.pitch.toFixed(2)}°, roll ${turned.roll.toFixed(2)}°`);
      expect(Math.abs(turned.roll - pose.roll - degrees)).toBeLessThan(4);
      expect(Math.abs(turned.yaw - pose.yaw)).toBeLessThan(6);
    }
  });

  it('moves by under 2° when she closes her eyes (a blink is not a head turn; measured: pitch 1.5°)', async () => {
    const open = await poseOf(astronaut());
    const closed = await poseOf(fs.readFileSync(path.join(FIXTURES, 'astronaut-eyes-closed.png')));
    expect(Math.abs(closed.yaw - open.yaw)).toBeLessThan(2);
    expect(Math.abs(closed.pitch - open.pitch)).toBeLessThan(2);
    expect(Math.abs(closed.roll - open.roll)).toBeLessThan(2);
  });
});
