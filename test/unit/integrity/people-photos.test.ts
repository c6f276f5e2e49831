/**
 * Several people in view, on real group photographs: the full-range face detector counts the faces
 * (MULTIPLE_FACES) and finds each where it is; the object detector counts the persons
 * (ANOTHER_PERSON). Photographs from registry packages, test/fixtures/people/SOURCES.md. Each face
 * below (centre and rough side, pixels of the fixture) was checked by eye on the photograph: the
 * detections were drawn over it and every box sat on a face, none on anything else.
 *
 * Known misses are pinned with the scores the detectors gave, rather than loosened into passing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { RgbImage } from '../../../src/services/integrity/domain/image/rgb-image';
import { OnnxModel } from '../../../src/platform/vision/models/onnx-model';
import { ObjectDetector } from '../../../src/services/integrity/domain/objects/object-detector';
import { DetectedFace, FullRangeFaceDetector, MIN_FULL_RANGE_SCORE } from '../../../src/services/integrity/domain/people/full-range-face-detector';

const REPO = path.resolve(__dirname, '../../..');
const load = async (name: string): Promise<RgbImage> => decodeFrame(fs.readFileSync(path.join(REPO, 'test/fixtures', name)));
const show = (faces: readonly DetectedFace[]) =>
  faces.map((f) => `${f.score.toFixed(2)} at ${[f.box.x, f.box.y, f.box.width, f.box.height].map(Math.round).join(',')}`).join('; ') || 'none';

/** A face seen by eye: its centre and roughly its side, fixture pixels. */
type Face = readonly [cx: number, cy: number, side: number];

/** Pairs each face seen by eye with a distinct detection whose centre is within half its side. */
function matched(faces: readonly Face[], found: readonly DetectedFace[]): DetectedFace[] {
  const left = [...found];
  return faces.flatMap(([cx, cy, side]) => {
    const at = left.findIndex((f) => Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy) < side / 2);
    return at < 0 ? [] : left.splice(at, 1);
  });
}

describe('people in view on group photographs', () => {
  let faceModel: OnnxModel;
  let objectModel: OnnxModel;
  let faces: FullRangeFaceDetector;
  let lenientFaces: FullRangeFaceDetector;
  let objects: ObjectDetector;

  beforeAll(async () => {
    faceModel = await OnnxModel.load(path.join(REPO, 'models/blazeface-back-256.onnx'));
    objectModel = await OnnxModel.load(path.join(REPO, 'models/centernet-coco-512.onnx'));
    faces = new FullRangeFaceDetector(faceModel);
    lenientFaces = new FullRangeFaceDetector(faceModel, 0.5);
    objects = new ObjectDetector(objectModel);
  });
  afterAll(async () => {
    await faceModel.release();
    await objectModel.release();
  });

  async function facesIn(name: string, detector = faces): Promise<DetectedFace[]> {
    const found = await detector.detect(await load(name));
    console.log(`${name}: faces from ${detector === faces ? MIN_FULL_RANGE_SCORE : 0.5}: ${show(found)}`);
    return found;
  }

  it.each<[string, string, Face[]]>([
    [
      'people/three-in-costume.jpg',
      'three women in costume at a bar, all facing the camera',
      [
        [172, 168, 60],
        [312, 186, 56],
        [523, 114, 48],
      ],
    ],
    [
      'people/four-standing.jpg',
      'four women standing side by side',
      [
        [115, 217, 76],
        [258, 165, 72],
        [421, 156, 72],
        [529, 146, 76],
      ],
    ],
    [
      'people/four-close.jpg',
      'four women in an embrace, heads close together, two turned',
      [
        [109, 111, 58],
        [253, 70, 52],
        [358, 110, 62],
        [456, 98, 56],
      ],
    ],
    [
      'people/five-on-stairs.jpg',
      'five women on a staircase, one in front and four behind her',
      [
        [287, 80, 52],
        [222, 185, 62],
        [401, 116, 58],
        [508, 181, 66],
        [153, 347, 66],
      ],
    ],
    [
      'people/three-on-couch-voc.jpg',
      'three young women on a couch across a room, faces 28..34 px',
      [
        [210, 145, 34],
        [261, 141, 30],
        [321, 147, 30],
      ],
    ],
  ])('counts every face of %s (%s), each where it is', async (name, _what, expected) => {
    const found = await facesIn(name);
    expect(found).toHaveLength(expected.length);
    expect(matched(expected, found)).toHaveLength(expected.length);
  });

  it('known miss: three-on-sofa.jpg, the smiling woman on the right scores 0.75, under the 0.78 threshold: 2 faces of 3', async () => {
    const expected: Face[] = [
      [231, 161, 66],
      [396, 127, 80],
      [523, 153, 64],
    ];
    const found = await facesIn('people/three-on-sofa.jpg');
    expect(found).toHaveLength(2);
    expect(matched(expected.slice(0, 2), found)).toHaveLength(2);
    const [right] = matched(expected.slice(2), await facesIn('people/three-on-sofa.jpg', lenientFaces));
    expect(right.score).toBeGreaterThan(0.7);
    expect(right.score).toBeLessThan(MIN_FULL_RANGE_SCORE);
  });

  it('known miss: phone-on-sofa.jpg, a face in profile (0.76) and one looking down (0.58) are under the threshold: 1 face of 3', async () => {
    // By eye: the woman on the left in profile facing left, the middle one looking down at her lap,
    // the one on the right looking down towards the camera.
    const [profile, down, right]: Face[] = [
      [151, 97, 66],
      [325, 116, 66],
      [519, 99, 64],
    ];
    const found = await facesIn('objects/phone-on-sofa.jpg');
    expect(found).toHaveLength(1);
    expect(matched([right], found)).toHaveLength(1);
    const lenient = await facesIn('objects/phone-on-sofa.jpg', lenientFaces);
    const [p, d] = [matched([profile], lenient)[0], matched([down], lenient)[0]];
    expect(p.score).toBeGreaterThan(0.7);
    expect(p.score).toBeLessThan(MIN_FULL_RANGE_SCORE);
    expect(d.score).toBeGreaterThan(0.5);
    expect(d.score).toBeLessThan(0.7);
  });

  it.each<[string, number]>([
    ['people/three-in-costume.jpg', 3],
    ['people/four-standing.jpg', 4],
    ['people/five-on-stairs.jpg', 5],
    ['people/three-on-sofa.jpg', 3],
    ['objects/phone-on-sofa.jpg', 3],
  ])('counts the persons of %s: %i', async (name, count) => {
    const persons = (await objects.detect(await load(name))).filter((o) => o.label === 'person');
    console.log(`${name}: persons ${persons.map((p) => p.score.toFixed(2)).join(', ')}`);
    expect(persons).toHaveLength(count);
  });

  it('known miss: four-close.jpg, four women in an embrace are 3 persons (the fourth, overlapped, scores 0.11)', async () => {
    const persons = (await objects.detect(await load('people/four-close.jpg'))).filter((o) => o.label === 'person');
    expect(persons).toHaveLength(3);
  });

  it('three-on-couch-voc.jpg: the two women at the couch ends and the two heads behind a partition at the back are persons; the middle woman (0.28) is not', async () => {
    // By eye: left woman x 95..250, right woman x 265..375, two heads at the back x 403..475, y 84..115.
    const persons = (await objects.detect(await load('people/three-on-couch-voc.jpg'))).filter((o) => o.label === 'person');
    const centres = persons.map((p) => p.box.x + p.box.width / 2).sort((a, b) => a - b);
    expect(centres).toHaveLength(3);
    expect(centres[0]).toBeGreaterThan(95);
    expect(centres[0]).toBeLessThan(250);
    expect(centres[1]).toBeGreaterThan(265);
    expect(centres[1]).toBeLessThan(375);
    expect(centres[2]).toBeGreaterThan(403);
    expect(centres[2]).toBeLessThan(475);
  });
});
