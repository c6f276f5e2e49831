import path from 'node:path';
import { Page } from 'playwright-core';

import { DEFAULT_CAMERA, i420Frame } from '../../../scripts/browser/fake-camera';

/** Block means of a picture's luma, COLS x ROWS: enough to tell the fixture photographs apart. */
export const COLS = 16;
export const ROWS = 12;

/** One frame of a page's <video> as the tests compare it: its size, its luma's mean and spread, its 16x12 thumbnail. */
export interface FrameSample {
  readonly width: number;
  readonly height: number;
  readonly mean: number;
  readonly std: number;
  readonly thumbnail: number[];
}

/** The Y' plane's 16x12 block means of a photograph's frame in the fake camera's video (scripts/browser/fake-camera.ts). */
export async function referenceThumbnail(photo: string): Promise<number[]> {
  const { width, height } = DEFAULT_CAMERA;
  const frame = await i420Frame(path.resolve(__dirname, '../../fixtures/faces', photo), width, height);
  const thumbnail = new Array<number>(COLS * ROWS).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) thumbnail[Math.floor((y * ROWS) / height) * COLS + Math.floor((x * COLS) / width)] += frame[y * width + x];
  }
  return thumbnail.map((v) => v / ((width * height) / (COLS * ROWS)));
}

/** Pearson's correlation: 1 for the same picture whatever the luma's range (studio in the file, full on the canvas). */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((x, i) => {
    const y = b[i];
    ab += (x - ma) * (y - mb);
    aa += (x - ma) ** 2;
    bb += (y - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

/**
 * The page's first <video> drawn now to a canvas of the test's own (not in the document), sampled
 * as FrameSample. Run through the DevTools protocol, so a page's Content-Security-Policy does not
 * stop it; the page's own code is not touched.
 */
export function sampleVideo(page: Page): Promise<FrameSample> {
  return page.evaluate(
    ({ cols, rows }) => {
      // This file is compiled without the DOM's types: the few members used, typed here.
      interface Video {
        videoWidth: number;
        videoHeight: number;
      }
      interface Context2d {
        drawImage(image: Video, x: number, y: number, w: number, h: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number };
      }
      const doc = (globalThis as unknown as { document: { querySelector(s: string): Video | null; createElement(t: string): unknown } }).document;
      const video = doc.querySelector('video');
      if (!video || video.videoWidth === 0) return { width: 0, height: 0, mean: 0, std: 0, thumbnail: [] };
      const canvas = doc.createElement('canvas') as { width: number; height: number; getContext(k: string, o: object): Context2d };
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d', { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
      const thumbnail = new Array<number>(cols * rows).fill(0);
      let sum = 0;
      let squares = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          const luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
          sum += luma;
          squares += luma * luma;
          thumbnail[Math.floor((y * rows) / height) * cols + Math.floor((x * cols) / width)] += luma;
        }
      }
      const n = width * height;
      const mean = sum / n;
      return { width, height, mean, std: Math.sqrt(squares / n - mean * mean), thumbnail: thumbnail.map((v) => v / (n / (cols * rows))) };
    },
    { cols: COLS, rows: ROWS },
  );
}

/** Which fixture photograph a page's camera shows now. */
export interface CameraView {
  /** 'astronaut' or 'cat' when the frame is clearly one of them (correlation above 0.95, 0.2 clear of the other); 'unclear' otherwise. */
  shows(): Promise<'astronaut' | 'cat' | 'unclear'>;
}

/** A CameraView of `page`'s <video>, against the default fake camera's photographs. */
export async function cameraView(page: Page): Promise<CameraView> {
  const references = { astronaut: await referenceThumbnail('astronaut.png'), cat: await referenceThumbnail('chelsea.png') };
  return {
    shows: async () => {
      const sample = await sampleVideo(page);
      if (sample.thumbnail.length === 0) return 'unclear';
      const astronaut = correlation(sample.thumbnail, references.astronaut);
      const cat = correlation(sample.thumbnail, references.cat);
      if (Math.max(astronaut, cat) < 0.95 || Math.abs(astronaut - cat) < 0.2) return 'unclear';
      return astronaut > cat ? 'astronaut' : 'cat';
    },
  };
}
