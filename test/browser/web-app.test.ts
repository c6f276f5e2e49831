/**
 * The web app (dist/web, built by the global set-up) in Debian's Chromium with the fake camera,
 * against a TEST DOUBLE of the gateway (support/mock-gateway.ts, kept in the real gateway's shapes),
 * for the states a real mesh cannot be made to show on demand; mesh-interview.test.ts runs the
 * same page against a mesh of real processes, the real analysis included. The double analyses
 * nothing: its feedback is scripted, so these tests prove the page's flows and states (sign-up,
 * the interview, live feedback shown, no face, limits hit, connection lost and resumed, completion,
 * the report and its PDF, the interviewer's list, camera refused) and what the page sends (a JPEG
 * frame every ~500 ms over the WebSocket, for the path's interview), never an analysis.
 * Screenshots of each step in .cache/browser/screenshots/web-app/; axe-core on every page. */
import { readFile } from 'node:fs/promises';
import { Browser, BrowserContext, Page } from 'playwright-core';

import { WEB_DIST } from '../../scripts/build-web';
import { expectNoSeriousAxeViolations } from './support/axe';
import { launchBrowser, newContext } from './support/browser';
import { MockGateway } from './support/mock-gateway';
import { Screenshots } from './support/screenshots';
import { serveStatic, StaticServer } from './support/static-server';

jest.setTimeout(180_000);

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('web app against a test double of the gateway (UI flows only: the double analyses nothing)', () => {
  let browser: Browser;
  let server: StaticServer;
  let mock: MockGateway;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const shots = new Screenshots('web-app');
  const axeMinor: string[] = [];
  let interviewId = '';

  const axe = async (where: string) => {
    const minor = await expectNoSeriousAxeViolations(page, where);
    axeMinor.push(...minor.map((v) => `${where}: ${v.impact ?? ''} ${v.id}`));
  };

  beforeAll(async () => {
    mock = new MockGateway();
    server = await serveStatic(WEB_DIST, { handler: mock.handler });
    server.server.on('upgrade', mock.upgrade);
    browser = await launchBrowser();
    ({ context, errors } = await newContext(browser));
    page = await context.newPage();
  });

  afterAll(async () => {
    console.log(`web app: axe's minor and moderate findings: ${axeMinor.length ? axeMinor.join('; ') : 'none'}`);
    await browser.close();
    mock.close();
    await server.close();
  });

  it('signs a candidate up and opens the interview page with the camera on', async () => {
    await page.goto(`${server.origin}/`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await shots.take(page, 'login');
    await axe('the login page');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill('candidate@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await shots.take(page, 'sign-up');
    await axe('the sign-up form');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Your interview' }).waitFor();
    await page.getByRole('button', { name: 'Start the interview' }).waitFor();
    await until(() => page.locator('video').evaluate((v: { videoWidth: number }) => v.videoWidth > 0), 'the camera preview');
    await shots.take(page, 'interview-ready');
    await axe('the interview page before the start');
  });

  it('sends a JPEG frame every ~500 ms over the WebSocket and shows the live feedback it gets back', async () => {
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await page.getByText('Tell me about yourself.').waitFor();
    expect(await page.getByText('about 2 min (90 s)').count()).toBe(1);
    interviewId = [...mock.interviews.keys()][0]!;
    await until(() => mock.frames.length >= 12, '12 frames', 20_000);
    const frames = mock.frames.slice(0, 12);
    const gaps = frames.slice(1).map((f, i) => f.at - frames[i].at);
    console.log(`web app: frame gaps (ms): ${gaps.join(' ')}; median ${median(gaps)}; sizes ${frames.map((f) => f.bytes).join(' ')} bytes`);
    expect(median(gaps)).toBeGreaterThanOrEqual(400);
    expect(median(gaps)).toBeLessThanOrEqual(650);
    for (const frame of frames) {
      expect(frame).toMatchObject({ interviewId, sessionId: interviewId, format: 'jpeg', magic: 'ffd8ff' });
      expect(frame.bytes).toBeGreaterThan(5_000);
      expect(typeof frame.timestamp).toBe('number');
    }
    const feedback = page.getByTestId('live-feedback');
    await feedback.getByText('found', { exact: true }).waitFor();
    await feedback.getByText('neutral (80%)').waitFor();
    expect(await feedback.getByTestId('blink-count').textContent()).toBe('14 so far');
    expect(await feedback.getByTestId('blink-rate').textContent()).toBe('14.0 a minute over the last 60 s (within the usual 10.5–32.5 in conversation)');
    await shots.take(page, 'live-feedback-face');
    await axe('the interview page with live feedback');
  });

  it('shows "no face" when the server says so, and the limits-hit state, holding frames meanwhile', async () => {
    mock.feedback = { face_detected: false, emotion: '', confidence: 0 };
    await page.getByText('No face found: please face the camera, in good light.').waitFor();
    await shots.take(page, 'no-face');
    await axe('the interview page with no face');
    // The server's rate needs 15 s of frames on a socket: until then the count alone, and the page says it is measuring.
    mock.feedback = { face_detected: true, emotion: 'happy', confidence: 0.9, blink_count: 3, blink_rate_per_minute: null, blink_rate_window_seconds: null };
    const feedback = page.getByTestId('live-feedback');
    await feedback.getByText('happy (90%)').waitFor();
    await feedback.getByTestId('blink-count').getByText('3 so far').waitFor();
    expect(await feedback.getByTestId('blink-rate').textContent()).toBe('measuring… (needs 15 s of your face)');
    // A queued frame (analysed later) says nothing of the face or the blinks: the last measured stay, and no "no face".
    mock.feedback = { face_detected: false, emotion: '', confidence: 0, queued: true };
    const queuedFrom = mock.frames.length;
    await until(() => mock.frames.length >= queuedFrom + 3, 'three queued frames answered');
    await feedback.getByText('analysis delayed: the frame was queued').waitFor();
    expect(await page.getByText('No face found').count()).toBe(0);
    expect(await feedback.getByTestId('blink-count').textContent()).toBe('3 so far');
    mock.feedback = { face_detected: true, emotion: 'happy', confidence: 0.9, blink_count: 9, blink_rate_per_minute: 8.5, blink_rate_window_seconds: 42 };
    await feedback.getByTestId('blink-rate').getByText('8.5 a minute over the last 42 s (below the usual 10.5–32.5 in conversation)').waitFor();

    mock.limit(3000);
    await page.getByText(/Slow down: the server's limit was reached/).waitFor();
    const held = mock.frames.length;
    await page.waitForTimeout(2000);
    expect(mock.frames.length - held).toBeLessThanOrEqual(1);
    await shots.take(page, 'limit-hit');
    await axe('the interview page with the limit hit');
    await until(() => mock.frames.length >= held + 3, 'frames after the limit', 10_000);
    await page.getByText(/Slow down/).waitFor({ state: 'detached' });
  });

  it('says the connection was lost, reconnects by itself and resumes sending frames', async () => {
    await until(() => mock.openSockets === 1, 'one open socket');
    mock.dropSockets();
    await page.getByText(/Connection lost: reconnecting/).waitFor();
    await shots.take(page, 'connection-lost');
    await axe('the interview page with the connection lost');
    await until(() => mock.openSockets === 1, 'the page to reconnect', 40_000);
    await page.getByText(/Connection lost/).waitFor({ state: 'detached' });
    const after = mock.frames.length;
    await until(() => mock.frames.length >= after + 3, 'frames after the reconnect');
  });

  it('takes the three answers one at a time, completes, and shows the report', async () => {
    for (const [n, text] of ['Tell me about yourself.', 'Describe a hard bug you fixed.', 'Why this role?'].entries()) {
      await page.getByText(text).waitFor();
      await page.getByRole('heading', { name: `Question ${n + 1} of 3` }).waitFor();
      await page.getByLabel('Your answer').fill(`My answer to question ${n + 1}: I led a team that shipped a service.`);
      if (n === 1) await shots.take(page, 'answering');
      await page.getByRole('button', { name: 'Submit answer' }).click();
    }
    await page.getByText('All questions answered.').waitFor();
    expect(mock.answers.map((a) => a.via)).toEqual(['ws', 'ws', 'ws']);
    expect(mock.answers.every((a) => typeof a.data.duration === 'number' && String(a.data.transcript).startsWith('My answer'))).toBe(true);
    await shots.take(page, 'all-answered');
    await page.getByRole('button', { name: 'Complete the interview' }).click();
    await page.getByRole('heading', { name: 'Your report' }).waitFor();
    // Not scored yet: the gateway's 400 FAILED_PRECONDITION is "not ready", asked again until it is.
    const notReady = page.getByTestId('report-not-ready');
    await notReady.getByText('The report is not ready yet: the interview is being scored.', { exact: false }).waitFor();
    await until(() => mock.reportRequests.filter((r) => r.status === 400).length >= 2, 'the page to ask again by itself');
    await shots.take(page, 'report-not-ready');
    await axe('the report page before scoring');
    const asked = mock.reportRequests.length;
    await notReady.getByRole('button', { name: 'Check now' }).click();
    await until(() => mock.reportRequests.length > asked, '"Check now" to ask at once');
    expect(mock.reportRequests.every((r) => r.interviewId === interviewId && r.status === 400)).toBe(true);
    mock.score(interviewId);
    await page.getByTestId('expression-chart').locator('svg').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('scores').textContent()).toBe('68627180');
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the report (PDF)' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`interview-${interviewId}.pdf`);
    expect((await readFile(await download.path())).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(mock.pdfDownloads).toBe(1);
    expect(await page.getByRole('link', { name: /this report's data \(JSON\)/ }).getAttribute('href')).toBe(`/mock-report/${interviewId}.json`);
    // The integrity section: the verdict, the peak, and the event that raised the risk, times from the start.
    expect(await page.getByRole('heading', { name: 'Integrity' }).count()).toBe(1);
    expect(await page.getByTestId('integrity-verdict').textContent()).toBe('Verdict: review');
    await page.getByText('Risk peaked at 0.40 at 0:06 into the interview, and was 0.38 at the last of 20 analysed frames.').waitFor();
    expect(await page.getByTestId('integrity-events').locator('tbody tr').allTextContents()).toEqual([
      '0:06no face in view110.400.40no face for 1.5 s (began 0:04)',
    ]);
    await shots.take(page, 'candidate-report');
    await axe('the candidate report');
  });

  it('says so, and stops asking, when scoring failed', async () => {
    const failed = mock.addCompleted('someone');
    mock.failScoring(failed, 'the transcript could not be analysed');
    await page.goto(`${server.origin}/interview/${failed}/report`);
    await page.getByText('This interview could not be scored, so it has no report: the transcript could not be analysed').waitFor();
    const asked = mock.reportRequests.length;
    await page.waitForTimeout(2500);
    expect(mock.reportRequests.length).toBe(asked);
    expect(await page.getByTestId('report-not-ready').count()).toBe(0);
    await axe('the report page of a failed interview');
  });

  it("lists the interviews for an interviewer, who opens this one's report", async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByLabel('Email').fill('interviewer@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('I am an interviewer').check();
    await page.getByLabel('Invitation code').fill('mock-invitation');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Interviews' }).waitFor();
    await shots.take(page, 'interviewer-list');
    await axe('the interviewer list');
    await page.getByRole('link', { name: `Open interview ${interviewId.slice(0, 8)}` }).click();
    await page.getByRole('heading', { name: 'Interview report' }).waitFor();
    await page.getByTestId('expression-chart').locator('svg').first().waitFor({ timeout: 20_000 });
    await page.getByText('Face out of view for 4 s.').waitFor();
    await shots.take(page, 'interviewer-report');
    await axe('the interviewer report');
    // Chromium logs every 4xx response as a console error: the only ones expected are the report's 400s before scoring, one each.
    const refused = mock.reportRequests.filter((r) => r.status === 400).length;
    expect(errors.filter((e) => e.includes('status of 400 (Bad Request)'))).toHaveLength(refused);
    expect(errors.filter((e) => !e.includes('status of 400 (Bad Request)'))).toEqual([]);
  });

  it('says the camera was refused when the browser refuses it', async () => {
    const refusing = await launchBrowser({ allowCamera: false });
    try {
      const made = await newContext(refusing);
      const other = await made.context.newPage();
      await other.goto(`${server.origin}/login`);
      await other.getByLabel('Email').fill('candidate@example.com');
      await other.getByLabel('Password').fill('correct horse battery');
      await other.getByRole('button', { name: 'Log in' }).click();
      await other.getByText(/Camera access was refused/).waitFor();
      await shots.take(other, 'camera-refused');
      const minor = await expectNoSeriousAxeViolations(other, 'the interview page with the camera refused');
      axeMinor.push(...minor.map((v) => `camera refused: ${v.id}`));
    } finally {
      await refusing.close();
    }
  });
});
