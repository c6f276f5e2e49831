/**
 * The web app end to end, through the page only: Debian's Chromium with the fake camera (the
 * astronaut, then the cat, then the astronaut: scripts/browser/fake-camera.ts) against a mesh of
 * real processes (`npm start`'s services, startMeshProcess), its gateway serving dist/web over
 * HTTPS with a certificate of the tests' CA (Chromium trusts the gateway's key by
 * --ignore-certificate-errors-spki-list, so the page is a secure context and the camera works). A
 * candidate signs up, starts an interview and sees the expression and blink rate the real emotion
 * service reads on the astronaut's face and "no face" on the cat, answers the questions, completes
 * and finds the scored report; an interviewer signs up with the tests' invitation code, lists the
 * interviews, opens this one (scores, answers, expression chart, insights) and downloads the PDF
 * (GET .../report?format=pdf through the page's button). Screenshots of each step in
 * .cache/browser/screenshots/mesh/; axe-core on every page. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Browser, BrowserContext, Download, Locator, Page } from 'playwright-core';

import { EMOTION_LABELS } from '../../src/services/emotion/domain/expression/emotion-classifier';
import { tlsFiles } from '../../src/platform/tls/certificate-files';
import { freePort, request } from '../support/gateway-client';
import { TEST_INVITATION_CODE } from '../support/identity';
import { MeshProcess, startMeshProcess } from '../support/mesh-process';
import { TEST_TLS_DIR } from '../support/tls';
import { waitFor } from '../support/wait';
import { expectNoSeriousAxeViolations } from './support/axe';
import { CameraView, cameraView } from './support/camera-view';
import { launchBrowser, newContext } from './support/browser';
import { Screenshots } from './support/screenshots';

jest.setTimeout(240_000);

/** The page's expression line for an analysed face: one of the emotion service's labels and its confidence. */
const EXPRESSION = new RegExp(`^(${EMOTION_LABELS.join('|')}) \\(\\d{1,3}%\\)$`);

describe('the web app against a mesh of real processes, in Chromium with the fake camera', () => {
  let mesh: MeshProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let origin = '';
  let interviewId = '';
  /** Every answer of 400 or more the page got: "<status> <method> <path and query> <google.rpc status>". */
  const refused: Promise<string>[] = [];
  const shots = new Screenshots('mesh');
  const axeMinor: string[] = [];
  const started = Date.now();

  const axe = async (where: string) => {
    const minor = await expectNoSeriousAxeViolations(page, where);
    axeMinor.push(...minor.map((v) => `${where}: ${v.impact ?? ''} ${v.id}`));
  };

  beforeAll(async () => {
    const port = await freePort();
    mesh = await startMeshProcess({ GATEWAY_HTTPS_PORT: String(port) });
    await waitFor("the gateway's HTTPS port serving", async () => (await request(port, 'GET', '/healthz').catch(() => undefined))?.status === 200, 60_000, 200);
    origin = `https://127.0.0.1:${String(port)}`;
    const files = tlsFiles(TEST_TLS_DIR);
    // Read after the mesh's start: the gateway issues its certificate when it lacks one.
    browser = await launchBrowser({ trustCertificates: [files.certificate('gateway')] });
    ({ context, errors } = await newContext(browser));
    context.on('response', (response) => {
      if (response.status() < 400) return;
      const url = new URL(response.url());
      const what = `${String(response.status())} ${response.request().method()} ${url.pathname}${url.search}`;
      refused.push(
        response.json().then(
          (body: { error?: { status?: string } }) => `${what} ${body.error?.status ?? ''}`,
          () => what,
        ),
      );
    });
    page = await context.newPage();
  }, 300_000);

  afterAll(async () => {
    console.log(`mesh web app: axe's minor and moderate findings: ${axeMinor.length ? axeMinor.join('; ') : 'none'}`);
    console.log(`mesh web app: ${String(Math.round((Date.now() - started) / 1000))} s from the mesh's start to the last step`);
    await browser?.close();
    await mesh?.stop();
  });

  it('signs a candidate up and shows the camera, served by the gateway over HTTPS', async () => {
    await page.goto(`${origin}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext)).toBe(true);
    await shots.take(page, 'login');
    await axe('the login page');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill(`candidate-${String(Date.now())}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await shots.take(page, 'sign-up');
    await axe('the sign-up form');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Your interview' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start the interview' }).waitFor();
    await waitFor('the camera preview', () => page.locator('video').evaluate((v: { videoWidth: number }) => v.videoWidth > 0), 15_000);
    await shots.take(page, 'interview-ready');
    await axe('the interview page before the start');
  });

  it("shows the expression the emotion service reads on the astronaut's face, and no face on the cat", async () => {
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await page.getByRole('heading', { name: /^Question 1 of \d+$/ }).waitFor({ timeout: 30_000 });
    const feedback = page.getByTestId('live-feedback');
    const camera: CameraView = await cameraView(page);
    // The page's feedback comes from the real analysis of a frame sent a moment before: each state is
    // waited for together with the camera showing the photograph it is about, the segments (4 s of
    // cat, 8 s of astronaut, looping) being longer than an analysis takes.
    // What an element says now, '' when it is not shown (no waiting: the conditions are polled).
    const textNow = async (locator: Locator) =>
      (await locator
        .first()
        .textContent({ timeout: 500 })
        .catch(() => '')) ?? '';
    const expression = () => textNow(feedback.getByTestId('expression'));
    // The blinks the emotion service counts on the eyes it tracks (a photograph's: none), and their
    // rate once the stream's tracked frames span 15 s (until then the page says it is measuring).
    const blinkCount = feedback.getByTestId('blink-count');
    const blinkRate = feedback.getByTestId('blink-rate');
    await waitFor(
      'an expression and a blink count of the astronaut on the page',
      async () =>
        EXPRESSION.test(await expression()) &&
        (await feedback.getByText('found', { exact: true }).count()) === 1 &&
        /^\d+ so far$/.test(await textNow(blinkCount)) &&
        (await camera.shows()) === 'astronaut',
      60_000,
      100,
    );
    console.log(`mesh web app: the astronaut's live expression: ${await expression()}; blinks: ${await textNow(blinkCount)}`);
    await shots.take(page, 'live-expression-astronaut');
    await axe('the interview page with live feedback');
    const noFace = feedback.getByText('No face found: please face the camera, in good light.');
    await waitFor(
      '"no face" on the page while the camera shows the cat',
      async () => (await noFace.count()) === 1 && (await camera.shows()) === 'cat',
      60_000,
      100,
    );
    await shots.take(page, 'no-face-cat');
    await axe('the interview page with no face');
    // And back: the astronaut again.
    await waitFor(
      'the expression again once the astronaut is back',
      async () => EXPRESSION.test(await expression()) && (await camera.shows()) === 'astronaut',
      60_000,
      100,
    );
    // By now the stream's tracked frames span 15 s or soon will: the rate the server measured.
    // (Shown with the astronaut in view, so that the screenshot's feedback is about the face on it.)
    await waitFor(
      'a measured blink rate on the page, the astronaut in view',
      async () =>
        /^\d+\.\d a minute over the last \d+ s/.test(await textNow(blinkRate)) && EXPRESSION.test(await expression()) && (await camera.shows()) === 'astronaut',
      60_000,
      100,
    );
    console.log(`mesh web app: the blink rate: ${await textNow(blinkRate)}`);
    await shots.take(page, 'blink-rate-measured');
  });

  it('takes every question typed, completes, and shows the scored report', async () => {
    const heading = page.getByRole('heading', { name: /^Question \d+ of \d+$/ });
    const total = Number(/of (\d+)/.exec((await heading.textContent()) ?? '')?.[1]);
    expect(total).toBeGreaterThan(0);
    for (let n = 1; n <= total; n++) {
      await page.getByRole('heading', { name: `Question ${String(n)} of ${String(total)}` }).waitFor({ timeout: 30_000 });
      const question = (await page.locator('p.question').textContent()) ?? '';
      // Typed key by key, as a person types (quicker: 10 ms a key).
      await page
        .getByLabel('Your answer')
        .pressSequentially(
          `About "${question}": I led a team of four that moved a payment service from a monolith to gRPC services. ` +
            'I measured latency first, wrote contract tests, and we cut the p99 from 800 ms to 120 ms without an outage.',
          { delay: 10 },
        );
      if (n === 1) await shots.take(page, 'answering');
      await page.getByRole('button', { name: 'Submit answer' }).click();
    }
    await page.getByText('All questions answered.').waitFor({ timeout: 30_000 });
    await shots.take(page, 'all-answered');
    await axe('the interview page with every question answered');
    await page.getByRole('button', { name: 'Complete the interview' }).click();
    await page.getByRole('heading', { name: 'Your report' }).waitFor({ timeout: 30_000 });
    interviewId = /\/interview\/([^/]+)\/report/.exec(page.url())?.[1] ?? '';
    expect(interviewId).toMatch(/^[0-9a-f-]{36}$/);
    // Scoring runs after completion; the page asks again until the report is there.
    const scores = page.getByTestId('scores');
    await scores.waitFor({ timeout: 120_000 });
    const cells = await scores.locator('td').allTextContents();
    console.log(`mesh web app: the candidate's scores (overall, technical, communication, expression): ${cells.join(' ')}`);
    expect(cells).toHaveLength(4);
    for (const cell of cells) expect(cell).toMatch(/^\d{1,3}$/);
    await page.getByTestId('expression-chart').locator('svg').first().waitFor({ timeout: 30_000 });
    await shots.take(page, 'candidate-report');
    await axe('the candidate report');
  });

  it('lets an interviewer list the interviews, open this one and download its PDF', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill(`interviewer-${String(Date.now())}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByLabel('I am an interviewer').check();
    await page.getByLabel('Invitation code').fill(TEST_INVITATION_CODE);
    await shots.take(page, 'interviewer-sign-up');
    await axe('the interviewer sign-up form');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Interviews' }).waitFor({ timeout: 30_000 });
    const link = page.getByRole('link', { name: `Open interview ${interviewId.slice(0, 8)}` });
    await link.waitFor({ timeout: 30_000 });
    await shots.take(page, 'interviewer-list');
    await axe('the interviewer list');
    await link.click();
    await page.getByRole('heading', { name: 'Interview report' }).waitFor();
    await page.getByTestId('scores').waitFor({ timeout: 60_000 });
    for (const cell of await page.getByTestId('scores').locator('td').allTextContents()) expect(cell).toMatch(/^\d{1,3}$/);
    // Each answer's analysis, the expression chart with the cat's frames as "no face", the insights.
    const answers = page.locator('article.answer');
    expect(await answers.count()).toBeGreaterThan(0);
    expect(await answers.first().textContent()).toMatch(/Relevance \d+ · clarity \d+ · depth \d+/);
    await page.getByTestId('expression-chart').locator('svg').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('figure.chart figcaption').textContent()).toMatch(/no face: \d+/);
    expect(await page.getByRole('heading', { name: 'Insights' }).count()).toBe(1);
    // The integrity section, from this mesh's integrity service: its verdict, or that its queue had not
    // reached the frames yet; never that it did not answer.
    expect(await page.getByRole('region', { name: 'Integrity' }).textContent()).toMatch(
      /Verdict: (clear|review|flagged)|Not assessed: the integrity service analysed no frame/,
    );
    await shots.take(page, 'interviewer-report');
    await axe('the interviewer report');

    // The PDF is rendered on demand (the scoring service's charts and layout, within the interview
    // service's 5 s for GenerateReport): on a loaded machine a first render can miss it, and the page
    // then says so and offers the button again. A person clicks once more; so does the test, once.
    const pdfAlert = page.getByRole('alert').filter({ hasText: 'The PDF could not be fetched' });
    const fetchPdf = async (): Promise<Download | string> => {
      const asked = Date.now();
      const downloading = page.waitForEvent('download', { timeout: 90_000 });
      await page.getByRole('button', { name: 'Download the report (PDF)' }).click();
      const refusal = pdfAlert.waitFor({ timeout: 90_000 }).then(
        async () => (await pdfAlert.textContent()) ?? 'an alert',
        // No alert (the download came, or the page closed): this side of the race never settles.
        () => new Promise<never>(() => undefined),
      );
      const outcome = await Promise.race([downloading, refusal]);
      console.log(
        `mesh web app: the PDF asked for, ${typeof outcome === 'string' ? `refused (${outcome})` : 'downloading'} after ${String(Date.now() - asked)} ms`,
      );
      return outcome;
    };
    let outcome = await fetchPdf();
    const pdfRetried = typeof outcome === 'string' ? 1 : 0;
    if (typeof outcome === 'string') outcome = await fetchPdf();
    if (typeof outcome === 'string') throw new Error(`the page could not fetch the PDF twice: ${outcome}`);
    const download = outcome;
    const file = await download.path();
    const pdf = await readFile(file);
    console.log(`mesh web app: the PDF ${download.suggestedFilename()}: ${String(pdf.length)} bytes`);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(path.basename(download.suggestedFilename())).toBe(`interview-${interviewId}.pdf`);

    // The only refusals: the report asked for before scoring was done (400 FAILED_PRECONDITION, google.api's
    // mapping; the page asks again), and a PDF refused before the click that fetched it (then
    // retried), each also logged by Chromium as a console error.
    const refusals = await Promise.all(refused);
    console.log(`mesh web app: refused requests: ${refusals.length ? refusals.join('; ') : 'none'}`);
    const report = '^\\d{3} GET /api/v1/interviews/[0-9a-f-]{36}/report';
    const notYetScored = refusals.filter((r) => new RegExp(`${report}\\?format=json&include_emotions=true FAILED_PRECONDITION$`).test(r));
    const pdfRefused = refusals.filter((r) => new RegExp(`${report}\\?format=pdf `).test(r));
    expect(pdfRefused).toHaveLength(pdfRetried);
    expect(refusals.filter((r) => !notYetScored.includes(r) && !pdfRefused.includes(r))).toEqual([]);
    const logged: string[] = errors.filter((e) => /^console\.error: Failed to load resource: the server responded with a status of \d{3}/.test(e));
    expect(logged).toHaveLength(notYetScored.length + pdfRefused.length);
    expect(errors.filter((e) => !logged.includes(e))).toEqual([]);
  });
});
