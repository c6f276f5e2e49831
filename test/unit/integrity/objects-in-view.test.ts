/**
 * Objects in view: CenterNet (COCO 80) on real photographs. Each photograph's main object is found
 * with its class and where it is; the two men of basketball1.png are two persons. Photographs:
 * test/fixtures/faces and test/fixtures/people (SOURCES.md). No photograph with a phone, a book or a
 * laptop ships in the packages used so far: those classes are not yet tested on a real image.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { OnnxModel } from '../../../src/platform/vision/models/onnx-model';
import { Box, iou } from '../../../src/services/integrity/domain/image/rgb-image';
import { COCO_LABELS } from '../../../src/services/integrity/domain/objects/coco-labels';
import { decodeCenterNet, DetectedObject, ObjectDetector } from '../../../src/services/integrity/domain/objects/object-detector';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');

describe('ObjectDetector (CenterNet, COCO 80) on real photographs', () => {
  let model: OnnxModel;
  let detector: ObjectDetector;

  beforeAll(async () => {
    model = await OnnxModel.load(path.join(REPO, 'models/centernet-coco-512.onnx'));
    detector = new ObjectDetector(model);
  });
  afterAll(() => model.release());

  async function detect(name: string): Promise<DetectedObject[]> {
    const found = await detector.detect(await decodeFrame(fs.readFileSync(path.join(REPO, 'test/fixtures', name))));
    console.log(
      `${name}: ${found.map((o) => `${o.label} ${o.score.toFixed(2)} [${[o.box.x, o.box.y, o.box.width, o.box.height].map(Math.round).join(',')}]`).join('; ') || 'nothing'}`,
    );
    return found;
  }

  it.each<[string, string, Box]>([
    // photograph, its main object, and where it is (by eye)
    ['faces/astronaut.png', 'person', { x: 0, y: 0, width: 380, height: 512 }],
    ['faces/coffee.png', 'cup', { x: 160, y: 20, width: 260, height: 240 }],
    ['faces/chelsea.png', 'cat', { x: 0, y: 0, width: 420, height: 300 }],
    ['people/camera.png', 'person', { x: 0, y: 60, width: 290, height: 452 }],
  ])('finds the main object of %s: a %s where it is, as the best detection', async (name, label, where) => {
    const found = await detect(name);
    const [best] = found;
    expect(best.label).toBe(label);
    expect(found.filter((o) => o.label === label)).toHaveLength(1);
    expect(iou(best.box, where)).toBeGreaterThan(0.6);
  });

  it('counts the two men of basketball1.png as two persons, apart (one box each after suppression)', async () => {
    const persons = (await detect('people/basketball1.png')).filter((o) => o.label === 'person');
    expect(persons).toHaveLength(2);
    const left = persons.find((p) => p.box.x + p.box.width / 2 < 320);
    const right = persons.find((p) => p.box.x + p.box.width / 2 > 320);
    expect(left).toBeDefined();
    expect(right).toBeDefined();
    expect(iou(left!.box, right!.box)).toBe(0);
  });

  it('knows the 80 COCO labels, with cell phone at 67 and book at 73', () => {
    expect(COCO_LABELS).toHaveLength(80);
    expect(COCO_LABELS[67]).toBe('cell phone');
    expect(COCO_LABELS[73]).toBe('book');
    expect(COCO_LABELS[63]).toBe('laptop');
  });

  it('refuses a threshold outside (0, 1)', () => {
    expect(() => new ObjectDetector(model, 0)).toThrow(RangeError);
  });
});

describe("decodeCenterNet (the original graph's decoding)", () => {
  const GRID = 128;
  const at = (x: number, y: number, c: number) => (y * GRID + x) * 80 + c;

  it('keeps 3x3 peaks by score, decodes class, cell and box, and fills with zero-score rows by lowest index', () => {
    const heatmap = new Float32Array(GRID * GRID * 80);
    const sizes = new Float32Array(GRID * GRID * 4);
    heatmap[at(10, 20, 67)] = 0.9; // a cell phone
    heatmap[at(11, 20, 67)] = 0.5; // its neighbour: not a peak
    heatmap[at(100, 5, 0)] = 0.7; // a person
    sizes.set([8, 12, 8, 12], (20 * GRID + 10) * 4);
    const rows = decodeCenterNet(heatmap, sizes);
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual({ x1: 32, y1: 68, x2: 48, y2: 92, score: expect.closeTo(0.9, 6) as number, classIndex: 67 });
    expect(rows[1]).toMatchObject({ classIndex: 0, x1: 400, y1: 20, score: expect.closeTo(0.7, 6) as number });
    // Then zeros, as the graph's masked TopKV2 gives them: index 0, 1, 2... (cell 0, classes 0, 1, 2...).
    expect(rows[2]).toMatchObject({ score: 0, classIndex: 0, x1: 0, y1: 0 });
    expect(rows[3]).toMatchObject({ score: 0, classIndex: 1 });
    expect(rows.some((r) => r.score === 0.5)).toBe(false);
  });

  it('orders equal scores by lower index first, as TopKV2 does', () => {
    const heatmap = new Float32Array(GRID * GRID * 80);
    heatmap[at(50, 50, 3)] = 0.6;
    heatmap[at(5, 5, 7)] = 0.6;
    const rows = decodeCenterNet(heatmap, new Float32Array(GRID * GRID * 4));
    expect(rows[0].classIndex).toBe(7);
    expect(rows[1].classIndex).toBe(3);
  });
});
