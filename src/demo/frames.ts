import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from '../platform/paths';

/** A video frame the demo sends, from the fixture photographs (test/fixtures/faces/SOURCES.md). */
export interface DemoFrame {
  label: string;
  bytes: Buffer;
  format: 'png' | 'jpeg';
}

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'faces');

/**
 * The demo's frames: the astronaut's face as PNG and as a 640x480 JPEG (what a webcam sends), and
 * two photographs with no human face (a cat, a coffee cup).
 */
export async function loadDemoFrames(): Promise<DemoFrame[]> {
  const read = (name: string) => fs.readFile(path.join(FIXTURES, name));
  const astronaut = await read('astronaut.png');
  const webcam = await sharp(astronaut)
    .resize(640, 480, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  return [
    { label: 'astronaut.png', bytes: astronaut, format: 'png' },
    { label: 'astronaut 640x480.jpg', bytes: webcam, format: 'jpeg' },
    { label: 'chelsea.png (a cat)', bytes: await read('chelsea.png'), format: 'png' },
    { label: 'coffee.png (a cup)', bytes: await read('coffee.png'), format: 'png' },
  ];
}
