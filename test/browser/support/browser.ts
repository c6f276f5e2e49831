import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Browser, BrowserContext, chromium } from 'playwright-core';

import { runScript } from '../../support/tools';

/**
 * Debian's Chromium (scripts/infra/ensure-chromium.sh installs it when missing and prints its path;
 * the browser suite's global set-up puts it in BROWSER_EXECUTABLE): playwright-core drives it by
 * `executablePath`, never a browser of its own download.
 */
export function browserExecutable(): string {
  return (process.env.BROWSER_EXECUTABLE ??= runScript('scripts/infra/ensure-chromium.sh', [], { timeoutMs: 600_000 }));
}

export interface LaunchOptions {
  /** A Y4M file Chromium plays, looping, as the camera (scripts/browser/fake-camera.ts); none: Chromium's own test pattern. */
  readonly cameraFile?: string;
  /** false: the camera prompt is answered "block" (the page sees NotAllowedError), for the camera-refused state. Default true. */
  readonly allowCamera?: boolean;
  /**
   * PEM certificate files (a server's leaf certificate, e.g. the tests' gateway.crt) whose public
   * keys Chromium accepts though their CA is not in its store: HTTPS pages of those servers are then
   * secure contexts (the camera works) with every other check of TLS kept. Default none.
   */
  readonly trustCertificates?: readonly string[];
}

/** base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate: the hash --ignore-certificate-errors-spki-list takes. */
export function spkiHash(pemFile: string): string {
  const spki = new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Launches headless Chromium with a fake camera and the camera prompt answered without a person:
 * `--use-fake-device-for-media-stream` replaces the devices, `--use-file-for-fake-video-capture`
 * feeds the video from `cameraFile`, `--use-fake-ui-for-media-stream` accepts the prompt (or, with
 * `allowCamera: false`, `--deny-permission-prompts` refuses it); `--ignore-certificate-errors-spki-list`
 * trusts the keys of `trustCertificates` (Chromium honours it with a --user-data-dir of its own,
 * which playwright-core always gives it).
 */
export async function launchBrowser({
  cameraFile = process.env.FAKE_CAMERA_FILE,
  allowCamera = true,
  trustCertificates = [],
}: LaunchOptions = {}): Promise<Browser> {
  const args = ['--use-fake-device-for-media-stream', allowCamera ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts'];
  if (cameraFile !== undefined) args.push(`--use-file-for-fake-video-capture=${cameraFile}`);
  if (trustCertificates.length > 0) args.push(`--ignore-certificate-errors-spki-list=${trustCertificates.map(spkiHash).join(',')}`);
  return chromium.launch({ executablePath: browserExecutable(), headless: true, args, timeout: 60_000 });
}

/** A context whose pages' console errors and uncaught exceptions are collected in `errors`, for a test to assert none happened. */
export async function newContext(browser: Browser): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  context.on('page', (page) => {
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
  });
  return { context, errors };
}
