/**
 * The browser harness itself, proven on a page of its own: Debian's Chromium driven by
 * playwright-core plays the fake camera (the astronaut, then the cat, then the astronaut, from
 * scripts/browser/fake-camera.ts) into getUserMedia; the frames the page draws to a canvas are not
 * blank and are told apart, astronaut from cat, by their 16x12 luma thumbnails set against the
 * video's own; axe-core finds no serious or critical violation on the page.
 */
import path from 'node:path';
import { Browser, Page } from 'playwright-core';

import { DEFAULT_CAMERA } from '../../scripts/browser/fake-camera';
import { expectNoSeriousAxeViolations } from './support/axe';
import { launchBrowser, newContext } from './support/browser';
import { correlation, referenceThumbnail, sampleVideo } from './support/camera-view';
import { Screenshots } from './support/screenshots';
import { serveStatic, StaticServer } from './support/static-server';

jest.setTimeout(120_000);

describe('browser harness: Chromium, the fake camera, screenshots and axe', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  let errors: string[];
  const shots = new Screenshots('harness');

  beforeAll(async () => {
    server = await serveStatic(path.join(__dirname, 'fixtures/camera-page'));
    browser = await launchBrowser();
    const made = await newContext(browser);
    errors = made.errors;
    page = await made.context.newPage();
  });

  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it('sees the astronaut and the cat from the fake camera, in frames that are not blank', async () => {
    await page.goto(`${server.origin}/`);
    expect(await page.evaluate(() => (globalThis as unknown as { cameraReady: Promise<unknown> }).cameraReady)).toBe(true);
    expect(await page.getByRole('status').textContent()).toBe('Camera on');

    const references = { astronaut: await referenceThumbnail('astronaut.png'), cat: await referenceThumbnail('chelsea.png') };
    const seen: { at: number; photo: 'astronaut' | 'cat'; score: number; mean: number }[] = [];
    const started = Date.now();
    const shot = new Set<string>();
    // The video loops every 12 s (4 s astronaut, 4 s cat, 4 s astronaut): 13 s of samples cover it.
    while (Date.now() - started < 13_000) {
      const sample = await sampleVideo(page);
      expect({ width: sample.width, height: sample.height }).toEqual({ width: DEFAULT_CAMERA.width, height: DEFAULT_CAMERA.height });
      // Not blank (black, white or one flat colour): a photograph's luma spreads widely.
      expect(sample.mean).toBeGreaterThan(30);
      expect(sample.mean).toBeLessThan(225);
      expect(sample.std).toBeGreaterThan(20);
      const astronaut = correlation(sample.thumbnail, references.astronaut);
      const cat = correlation(sample.thumbnail, references.cat);
      const photo = astronaut > cat ? 'astronaut' : 'cat';
      // Clearly one or the other (a frame caught mid-change could be neither: none is, at 5 fps held 4 s).
      expect(Math.max(astronaut, cat)).toBeGreaterThan(0.95);
      expect(Math.abs(astronaut - cat)).toBeGreaterThan(0.2);
      seen.push({ at: Date.now() - started, photo, score: Math.max(astronaut, cat), mean: sample.mean });
      if (!shot.has(photo)) {
        shot.add(photo);
        await shots.take(page, `camera-${photo}`);
      }
      await page.waitForTimeout(250);
    }
    const count = (photo: string) => seen.filter((s) => s.photo === photo).length;
    console.log(
      `harness: ${seen.length} frames sampled over 13 s: ${count('astronaut')} astronaut, ${count('cat')} cat; ` +
        `segments in order: ${seen
          .map((s) => s.photo)
          .filter((p, i, all) => p !== all[i - 1])
          .join(' -> ')}`,
    );
    // About a third of the loop is the cat, two thirds the astronaut.
    expect(count('cat')).toBeGreaterThanOrEqual(8);
    expect(count('astronaut')).toBeGreaterThanOrEqual(16);
    expect(errors).toEqual([]);
  });

  it('finds no serious or critical accessibility violation on the page (axe-core)', async () => {
    const minor = await expectNoSeriousAxeViolations(page, 'the camera check page');
    expect(minor.map((v) => v.id)).toEqual([]);
  });
});
