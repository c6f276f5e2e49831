import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from '../../src/platform/paths';

/**
 * The benchmarks' frame (`npm run bench:emotion`, `npm run bench:mesh`): a 640x480 JPEG with one
 * face, test/fixtures/faces/astronaut.png letterboxed in black, quality 85.
 */
export async function benchFrame(): Promise<Buffer> {
  const astronaut = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/faces/astronaut.png'));
  return sharp(astronaut).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg({ quality: 85 }).toBuffer();
}
