/**
 * A frame's integrity findings (analyzeFrameIntegrity) on real photographs, through the four
 * published models loaded and verified as the service loads them: the astronaut (one face, looking
 * into the camera, head nearly straight; her eyes closed), the two men of basketball1.png (two
 * persons, one face: the other man is turned away), the footballer of messi5.jpg (a face 37 px
 * wide), photographs without a face, and a frame with two faces where the pose must be the most
 * confident one's. Photographs: test/fixtures/faces and test/fixtures/people (SOURCES.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FaceMeshModel } from '../../../src/platform/vision/face/face-mesh';
import { decodeFrame, RgbImage } from '../../../src/platform/vision/image/decode-frame';
import { FloatTensor, InferenceModel } from '../../../src/platform/vision/inference-model';
import { analyzeFrameIntegrity, FrameFindings, INTEGRITY_STAGES } from '../../../src/services/integrity/domain/frame-integrity';
import { Box } from '../../../src/services/integrity/domain/image/rgb-image';
import { MIN_FULL_RANGE_SCORE } from '../../../src/services/integrity/domain/people/full-range-face-detector';
import { LoadedIntegrityModels, loadIntegrityModels } from '../../../src/services/integrity/models/load-models';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');
const photo = (name: string) => fs.readFileSync(path.join(REPO, 'test/fixtures', name));
const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const inside = (p: { x: number; y: number }, b: Box) => p.x >= b.x && p.x <= b.x + b.width && p.y >= b.y && p.y <= b.y + b.height;
const round = (v: number) => v.toFixed(1);

function describeFindings(name: string, f: FrameFindings): string {
  const faces = f.faces.map((face) => `${face.score.toFixed(2)} at ${[face.box.x, face.box.y, face.box.width, face.box.height].map(Math.round).join(',')}`);
  const pose = f.headPose ? `yaw ${round(f.headPose.yaw)} pitch ${round(f.headPose.pitch)} roll ${round(f.headPose.roll)}` : 'none';
  const gaze = f.gaze ? `${f.gaze.direction} (${round(f.gaze.yaw)}, ${round(f.gaze.pitch)})` : 'none';
  const objects = f.objectsChecked ? f.objects.map((o) => `${o.label} ${o.score.toFixed(2)}`).join(', ') || 'nothing' : 'not checked';
  const ms = INTEGRITY_STAGES.map((s) => `${s} ${f.timings[s].toFixed(0)}`).join(', ');
  return `${name} (${f.width}x${f.height}): faces ${faces.join('; ') || 'none'}; pose ${pose}; gaze ${gaze}; objects ${objects}; ms ${ms}`;
}

describe('analyzeFrameIntegrity on real photographs', () => {
  let models: LoadedIntegrityModels;

  beforeAll(async () => {
    models = await loadIntegrityModels(path.join(REPO, 'models'));
  });
  afterAll(() => models.release());

  async function analyze(name: string, objects = true, image?: RgbImage): Promise<FrameFindings> {
    const findings = await analyzeFrameIntegrity(models, image ?? (await decodeFrame(photo(name))), { objects });
    console.log(describeFindings(name, findings));
    return findings;
  }

  it('finds the astronaut’s one face, her head nearly straight, her gaze on the screen, and her as a person', async () => {
    const f = await analyze('faces/astronaut.png');
    expect([f.width, f.height]).toEqual([512, 512]);
    expect(f.faces).toHaveLength(1);
    const face = f.faces[0];
    expect(face.score).toBeGreaterThanOrEqual(MIN_FULL_RANGE_SCORE);
    // Her face is about x 170..290, y 60..190 (people-in-view test).
    expect(inside(centre(face.box), { x: 170, y: 60, width: 120, height: 130 })).toBe(true);
    expect(f.headPose).toBeDefined();
    expect(Math.abs(f.headPose!.yaw)).toBeLessThan(10);
    expect(Math.abs(f.headPose!.pitch)).toBeLessThan(15);
    expect(Math.abs(f.headPose!.roll)).toBeLessThan(10);
    expect(f.gaze?.direction).toBe('screen');
    expect(f.objectsChecked).toBe(true);
    const persons = f.objects.filter((o) => o.label === 'person');
    expect(persons).toHaveLength(1);
    expect(inside(centre(face.box), persons[0].box)).toBe(true);
    for (const stage of INTEGRITY_STAGES) expect(f.timings[stage]).toBeGreaterThan(0);
  });

  it('without objects: the same faces, pose and gaze, objects not checked and not timed', async () => {
    const image = await decodeFrame(photo('faces/astronaut.png'));
    const [withObjects, without] = [await analyze('astronaut', true, image), await analyze('astronaut, no objects', false, image)];
    expect(without.objectsChecked).toBe(false);
    expect(without.objects).toEqual([]);
    expect(without.timings.objects).toBe(0);
    expect(without.faces).toEqual(withObjects.faces);
    expect(without.headPose?.yaw).toBe(withObjects.headPose?.yaw);
    expect(without.gaze).toEqual(withObjects.gaze);
  });

  it('reads the astronaut’s closed eyes as closed: no gaze direction invented', async () => {
    const f = await analyze('faces/astronaut-eyes-closed.png', false);
    expect(f.faces).toHaveLength(1);
    expect(f.headPose).toBeDefined();
    expect(f.gaze?.direction).toBe('closed');
  });

  it('counts two persons in basketball1.png and one face, the far man’s, inside the left person', async () => {
    const f = await analyze('people/basketball1.png');
    const persons = f.objects.filter((o) => o.label === 'person');
    expect(persons).toHaveLength(2);
    // The right-hand man is close but turned away: no face of his is in view.
    expect(f.faces).toHaveLength(1);
    const left = persons.reduce((a, b) => (centre(a.box).x < centre(b.box).x ? a : b));
    expect(inside(centre(f.faces[0].box), left.box)).toBe(true);
    expect(f.faces[0].box.width).toBeLessThan(40);
  });

  it('finds the footballer’s small far face in messi5.jpg where it is, and reads a pose off it', async () => {
    const f = await analyze('people/messi5.jpg', false);
    expect(f.faces).toHaveLength(1);
    // SOURCES.md: his face is about x 221..258, y 96..133.
    expect(inside(centre(f.faces[0].box), { x: 221, y: 96, width: 37, height: 37 })).toBe(true);
    expect(f.headPose).toBeDefined();
    expect(f.gaze).toBeDefined();
  });

  it.each(['faces/coffee.png', 'faces/chelsea.png'])('finds no face in %s: no pose, no gaze, the face stages not run', async (name) => {
    const f = await analyze(name);
    expect(f.faces).toEqual([]);
    expect(f.headPose).toBeUndefined();
    expect(f.gaze).toBeUndefined();
    expect([f.timings.mesh, f.timings.pose, f.timings.gaze]).toEqual([0, 0, 0]);
    expect(f.objects.some((o) => o.label === 'person')).toBe(false);
  });

  it('with two faces in view, lists both most confident first and takes the pose from the first', async () => {
    // The astronaut and her mirror image side by side: mirroring flips the roll's sign (head-pose
    // test: +2.8° and -2.5°), so the roll says whose face the pose was read from.
    const astronaut = photo('faces/astronaut.png');
    const mirrored = await sharp(astronaut).flop().png().toBuffer();
    const frame = await sharp({ create: { width: 1024, height: 512, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite([
        { input: astronaut, left: 0, top: 0 },
        { input: mirrored, left: 512, top: 0 },
      ])
      .png()
      .toBuffer();
    const f = await analyze('astronaut and mirrored astronaut', false, await decodeFrame(frame));
    expect(f.faces).toHaveLength(2);
    expect(f.faces[0].score).toBeGreaterThanOrEqual(f.faces[1].score);
    const firstIsMirrored = centre(f.faces[0].box).x > 512;
    expect(centre(f.faces[1].box).x > 512).toBe(!firstIsMirrored);
    expect(Math.sign(f.headPose!.roll)).toBe(firstIsMirrored ? -1 : 1);
  });

  it('reads no pose or gaze off a face the mesh does not confirm (face flag under 0.5)', async () => {
    // The real detector, iris and objects; a mesh whose presence flag says no face.
    const unconvinced: InferenceModel = {
      inputNames: ['input'],
      outputNames: ['landmarks', 'face_flag'],
      run: (feeds: Readonly<Record<string, FloatTensor>>) => {
        const n = feeds.input.dims[0];
        return Promise.resolve({
          landmarks: { dims: [n, 1404], data: new Float32Array(n * 1404) },
          face_flag: { dims: [n, 1], data: new Float32Array(n).fill(0.2) },
        });
      },
    };
    const f = await analyzeFrameIntegrity({ ...models, mesh: new FaceMeshModel(unconvinced) }, await decodeFrame(photo('faces/astronaut.png')), {
      objects: false,
    });
    expect(f.faces).toHaveLength(1);
    expect(f.timings.mesh).toBeGreaterThan(0);
    expect(f.headPose).toBeUndefined();
    expect(f.gaze).toBeUndefined();
  });

  it('refuses a malformed image', async () => {
    await expect(analyzeFrameIntegrity(models, { data: new Uint8Array(5), width: 2, height: 2 }, { objects: true })).rejects.toThrow(RangeError);
  });
});
