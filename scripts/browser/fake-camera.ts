/**
 * Makes the browser tests' fake camera: a Y4M video (YUV4MPEG2, 4:2:0) that Chromium plays as its
 * camera with `--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file>`, looping.
 * It shows the fixture photographs in segments, by default the astronaut (a face), then the cat (no
 * human face), then the astronaut again, each fitted whole (its shape kept) on mid grey at 640x480.
 *
 * sharp decodes, resizes and letterboxes the photographs (to full size for luma and half size for
 * chroma, averaging the 2x2 blocks as 4:2:0 wants); the conversion from sRGB to Y'CbCr is BT.601's
 * studio-range matrix (what Chromium assumes of a Y4M file without a colour tag). The container is
 * a header line and, per frame, `FRAME\n` and the three planes. Deterministic: same photographs,
 * same bytes. Written to .cache/browser/fake-camera.y4m unless told otherwise; remade only when the
 * photographs, the segments or this recipe change (a hash of them sits beside the file).
 *
 * ### Examples
 * ```sh
 * npx tsx scripts/browser/fake-camera.ts                 # prints the file's path
 * npx tsx scripts/browser/fake-camera.ts /tmp/cam.y4m     # elsewhere
 * ```
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import sharp from 'sharp';

const REPO = path.resolve(__dirname, '../..');
const FACES = path.join(REPO, 'test/fixtures/faces');

export interface Segment {
  /** A photograph in test/fixtures/faces/, e.g. `astronaut.png`. */
  readonly photo: string;
  readonly seconds: number;
}

export interface FakeCameraOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly segments: readonly Segment[];
}

/** Astronaut 4 s, cat 4 s, astronaut 4 s: 12 s at 5 frames a second, 640x480 (about 28 MB). */
export const DEFAULT_CAMERA: FakeCameraOptions = Object.freeze({
  width: 640,
  height: 480,
  fps: 5,
  segments: Object.freeze([
    { photo: 'astronaut.png', seconds: 4 },
    { photo: 'chelsea.png', seconds: 4 },
    { photo: 'astronaut.png', seconds: 4 },
  ]),
});

export const DEFAULT_CAMERA_FILE = path.join(REPO, '.cache/browser/fake-camera.y4m');

const RECIPE_VERSION = '1';
const BACKGROUND = { r: 128, g: 128, b: 128 };

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

async function rgb(file: string, width: number, height: number): Promise<Buffer> {
  return sharp(file).removeAlpha().resize(width, height, { fit: 'contain', background: BACKGROUND, kernel: 'lanczos3' }).toColourspace('srgb').raw().toBuffer();
}

/** One photograph as an I420 frame: the Y' plane at full size, then Cb and Cr at half size (BT.601, studio range). */
export async function i420Frame(file: string, width: number, height: number): Promise<Buffer> {
  const [full, half] = await Promise.all([rgb(file, width, height), rgb(file, width / 2, height / 2)]);
  const frame = Buffer.alloc((width * height * 3) / 2);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [full[i * 3], full[i * 3 + 1], full[i * 3 + 2]];
    frame[i] = clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
  }
  const quarter = (width * height) / 4;
  for (let i = 0; i < quarter; i++) {
    const [r, g, b] = [half[i * 3], half[i * 3 + 1], half[i * 3 + 2]];
    frame[width * height + i] = clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
    frame[width * height + quarter + i] = clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
  }
  return frame;
}

function recipeHash(options: FakeCameraOptions): string {
  const hash = createHash('sha256').update(RECIPE_VERSION).update(JSON.stringify(options));
  for (const photo of new Set(options.segments.map((s) => s.photo))) hash.update(readFileSync(path.join(FACES, photo)));
  return hash.digest('hex');
}

/**
 * Writes the fake camera's Y4M file at `file` (its folder made) unless one made from the same
 * photographs and options is there already, and resolves with its path.
 */
export async function ensureFakeCamera(file = DEFAULT_CAMERA_FILE, options: FakeCameraOptions = DEFAULT_CAMERA): Promise<string> {
  const { width, height, fps, segments } = options;
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error(`the fake camera's size must be even for 4:2:0, not ${width}x${height}`);
  const hash = recipeHash(options);
  const stamp = `${file}.sha256`;
  if (existsSync(file) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return file;

  mkdirSync(path.dirname(file), { recursive: true });
  const frames = new Map<string, Buffer>();
  for (const photo of new Set(segments.map((s) => s.photo))) frames.set(photo, await i420Frame(path.join(FACES, photo), width, height));
  // Written beside and renamed, so that a browser never reads half a file.
  const draft = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(draft);
  // C420jpeg: chroma sited between the luma samples, as a 2x2 average puts it; A1:1 square pixels.
  out.write(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  for (const { photo, seconds } of segments) {
    const frame = frames.get(photo) ?? Buffer.alloc(0);
    for (let n = 0; n < Math.round(seconds * fps); n++) {
      out.write('FRAME\n');
      out.write(frame);
    }
  }
  out.end();
  await finished(out);
  renameSync(draft, file);
  writeFileSync(stamp, `${hash}\n`);
  return file;
}

if (require.main === module) {
  ensureFakeCamera(process.argv[2] ?? DEFAULT_CAMERA_FILE).then(
    (file) => {
      console.log(file);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
