/**
 * Objects in view on real photographs of the things an interview watches for: a phone, a book, a
 * screen (a laptop; a monitor, COCO's tv). Photographs from registry packages, test/fixtures/objects/SOURCES.md; every expected box
 * below was read off the photograph by eye (pixels of the fixture), not copied from a detection.
 *
 * Known misses are pinned as they are, with the scores the detector gave, rather than loosened
 * into passing: if the detector improves, these tests fail and the notes here must be updated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { OnnxModel } from '../../../src/platform/vision/models/onnx-model';
import { Box, iou } from '../../../src/services/integrity/domain/image/rgb-image';
import { DetectedObject, ObjectDetector } from '../../../src/services/integrity/domain/objects/object-detector';

const REPO = path.resolve(__dirname, '../../..');
/** Low enough to see what the detector thinks of an object it does not report at its threshold. */
const PROBE_SCORE = 0.02;

const centreIn = (b: Box, area: Box) =>
  b.x + b.width / 2 >= area.x && b.x + b.width / 2 <= area.x + area.width && b.y + b.height / 2 >= area.y && b.y + b.height / 2 <= area.y + area.height;
const show = (found: readonly DetectedObject[]) =>
  found
    .slice(0, 12)
    .map((o) => `${o.label} ${o.score.toFixed(2)} [${[o.box.x, o.box.y, o.box.width, o.box.height].map(Math.round).join(',')}]`)
    .join('; ') || 'nothing';

describe('ObjectDetector on photographs of a phone, a book and a laptop', () => {
  let model: OnnxModel;
  let detector: ObjectDetector;
  let probe: ObjectDetector;

  beforeAll(async () => {
    model = await OnnxModel.load(path.join(REPO, 'models/centernet-coco-512.onnx'));
    detector = new ObjectDetector(model);
    probe = new ObjectDetector(model, PROBE_SCORE);
  });
  afterAll(() => model.release());

  const seen = new Map<string, Promise<DetectedObject[]>>();
  /** Detections in a fixture (logged once, the best 12), by the service's detector or the probe. */
  function detect(name: string, by = detector): Promise<DetectedObject[]> {
    const key = `${name} ${by === probe ? PROBE_SCORE : 'service'}`;
    if (!seen.has(key))
      seen.set(
        key,
        decodeFrame(fs.readFileSync(path.join(REPO, 'test/fixtures', name)))
          .then((image) => by.detect(image))
          .then((found) => {
            console.log(`${name}${by === probe ? ` (from ${PROBE_SCORE})` : ''}: ${show(found)}`);
            return found;
          }),
      );
    return seen.get(key)!;
  }

  describe('objects/phone-on-sofa.jpg: a smartphone in a pink case lying on a sofa, screen up', () => {
    // By eye: the phone lies at x 24..100, y 416..446 (76x30 px of the 640x455 frame).
    const phone: Box = { x: 24, y: 416, width: 76, height: 30 };

    it('finds a cell phone where the phone lies', async () => {
      const phones = (await detect('objects/phone-on-sofa.jpg')).filter((o) => o.label === 'cell phone');
      const atPhone = phones.filter((p) => iou(p.box, phone) > 0.6);
      expect(atPhone).toHaveLength(1);
      expect(atPhone[0].score).toBeGreaterThan(0.4); // 0.43 on this machine
    });

    it('known: scores the same box higher as a remote (0.50 against 0.43), so a phone check must read both', async () => {
      const found = await detect('objects/phone-on-sofa.jpg');
      const at = (label: string) => found.find((o) => o.label === label && iou(o.box, phone) > 0.6);
      expect(at('remote')).toBeDefined();
      expect(at('remote')!.score).toBeGreaterThan(at('cell phone')!.score);
    });

    it('known: also calls the fingers the woman on the left holds to her lips a cell phone, at the threshold (0.30)', async () => {
      // By eye: her fingertips at the mouth, x 100..140, y 100..125; no phone there.
      const fingers: Box = { x: 100, y: 100, width: 40, height: 25 };
      const phones = (await detect('objects/phone-on-sofa.jpg')).filter((o) => o.label === 'cell phone' && centreIn(o.box, fingers));
      expect(phones).toHaveLength(1);
      expect(phones[0].score).toBeLessThan(0.31);
    });
  });

  it('known miss: a white phone held in a hand, its back to the camera (people/four-close.jpg), is no cell phone at any score from 0.02', async () => {
    // By eye: the phone in the third woman's right hand, x 280..318, y 272..297.
    const held: Box = { x: 276, y: 268, width: 46, height: 33 };
    const found = await detect('people/four-close.jpg', probe);
    expect(found.filter((o) => o.label === 'cell phone' && centreIn(o.box, held))).toHaveLength(0);
  });

  it('finds a book standing cover on where it stands (objects/books-on-floor.jpg), just over the threshold; the second book scores under it', async () => {
    // By eye: "Let Us C" at x 86..272, y 128..380, "Basic Electronics" at x 262..405, y 100..330.
    const [letUsC, electronics]: Box[] = [
      { x: 86, y: 128, width: 186, height: 252 },
      { x: 262, y: 100, width: 143, height: 230 },
    ];
    const books = (await detect('objects/books-on-floor.jpg')).filter((o) => o.label === 'book');
    expect(books).toHaveLength(1);
    expect(iou(books[0].box, letUsC)).toBeGreaterThan(0.7);
    expect(books[0].score).toBeLessThan(0.35); // 0.31 on this machine: a book is a weak class here
    const second = (await detect('objects/books-on-floor.jpg', probe)).filter((o) => o.label === 'book' && iou(o.box, electronics) > 0.7);
    expect(second).toHaveLength(1);
    expect(second[0].score).toBeGreaterThan(0.2); // 0.27
    expect(second[0].score).toBeLessThan(0.3);
  });

  it('known miss: a book held up to the camera, cover on (objects/book-held-up.png), is no book at any score from 0.02', async () => {
    // By eye: the book fills x 97..220, y 33..212 of the 320x240 webcam frame; the detector sees the
    // eyes printed on its cover as clocks and donuts (best: clock 0.31) and the whole cover as a
    // laptop at 0.04. COCO's books are mostly spines on shelves; a cover held to a webcam is not
    // what it learnt, so a candidate showing a book this way is not flagged by this detector.
    const book: Box = { x: 97, y: 33, width: 123, height: 179 };
    const found = await detect('objects/book-held-up.png', probe);
    expect(found.filter((o) => o.label === 'book')).toHaveLength(0);
    const reported = found.filter((o) => o.score >= 0.3);
    expect(reported.map((o) => o.label)).toEqual(['clock']);
    expect(centreIn(reported[0].box, book)).toBe(true);
  });

  it('finds the computer monitor of objects/monitor-and-keyboard.jpg as a tv (a screen in view) where it stands, weakly, and its keyboard', async () => {
    // By eye: a CRT monitor at x 0..160, y 140..430 (its base behind the keyboard), the keyboard at
    // x 40..225, y 360..480. The monitor's 0.38 is near the 0.3 threshold: on the 13 other frames
    // of this series (opencv-doc's left*.jpg) it scores 0.24..0.35, under 0.3 on most.
    const found = await detect('objects/monitor-and-keyboard.jpg');
    const screens = found.filter((o) => o.label === 'tv' || o.label === 'laptop');
    expect(screens).toHaveLength(1);
    expect(screens[0].label).toBe('tv');
    expect(iou(screens[0].box, { x: 0, y: 140, width: 160, height: 290 })).toBeGreaterThan(0.7);
    const keyboards = found.filter((o) => o.label === 'keyboard');
    expect(keyboards).toHaveLength(1);
    expect(iou(keyboards[0].box, { x: 40, y: 360, width: 185, height: 120 })).toBeGreaterThan(0.7);
  });

  it.todo('finds a laptop: no photograph with a laptop was found in the registry packages searched (SOURCES.md)');
});
