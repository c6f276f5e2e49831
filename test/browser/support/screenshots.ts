import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../../../.cache/browser/screenshots');

/**
 * Screenshots of a test's steps, numbered in the order taken, under
 * .cache/browser/screenshots/<suite>/ (emptied when the suite starts), e.g.
 * `01-login.png`, `02-camera-allowed.png`: the pictures the closing note describes.
 *
 * ### Examples
 * ```ts
 * const shots = new Screenshots('web-app');
 * await shots.take(page, 'login');
 * ```
 */
export class Screenshots {
  readonly dir: string;
  private count = 0;

  constructor(suite: string) {
    this.dir = path.join(ROOT, suite);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** Saves the whole page as `<NN>-<step>.png` and returns the file's path. */
  async take(page: Page, step: string): Promise<string> {
    this.count += 1;
    const file = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${step.replace(/[^a-z0-9-]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
