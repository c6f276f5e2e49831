/**
 * The integrity models as the service runs them (IntegrityAnalysisPool): the real models, loaded and
 * verified in a worker thread, a frame at a time per worker. A frame analysed there is found the same
 * as in this process (analyzeFrameIntegrity), a closed eye's NaN gaze included; a live frame
 * (AnalyzeFrame) that would wait past INTEGRITY_MAX_WAITING_FRAMES is refused with UNAVAILABLE at
 * once, while the consumer's frames always wait their turn; a bad image is refused with its own
 * error class, whether before it waits or by the worker's decoder; each analysed frame's stage
 * times, decoding included, reach the observers; once closing, no frame is taken and those accepted
 * are analysed.
 */
import fs from 'node:fs';
import os from 'node:os';
import { status } from '@grpc/grpc-js';
import path from 'node:path';
import { CancelledError } from '../../../src/platform/errors/domain-errors';
import { classifyError } from '../../../src/platform/errors/classify';
import { toStatus } from '../../../src/platform/grpc/errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { FrameTooLargeError, InvalidFrameError } from '../../../src/platform/vision/frame-errors';
import { decodeFrame } from '../../../src/platform/vision/image/decode-frame';
import { IntegrityAnalysisPool } from '../../../src/services/integrity/analysis-pool';
import { analyzeFrameIntegrity, FrameFindings } from '../../../src/services/integrity/domain/frame-integrity';
import { FrameTimings } from '../../../src/services/integrity/frame-analyzer';
import { LoadedIntegrityModels, loadIntegrityModels } from '../../../src/services/integrity/models/load-models';
import { waitFor } from '../../support/wait';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../..');
const MODELS = path.join(REPO, 'models');
const fixture = (name: string) => fs.readFileSync(path.join(REPO, 'test/fixtures', name));
const ASTRONAUT = fixture('faces/astronaut.png');
const EYES_CLOSED = fixture('faces/astronaut-eyes-closed.png');

/** The findings without their timings, which differ from run to run. */
const withoutTimings = (findings: FrameFindings) => ({ ...findings, timings: undefined });

describe('IntegrityAnalysisPool on the integrity models', () => {
  let pool: IntegrityAnalysisPool;
  let local: LoadedIntegrityModels;

  beforeAll(async () => {
    // No live frame may wait: one is taken only when the worker is free.
    pool = await IntegrityAnalysisPool.start({ modelsDir: MODELS, threads: 1, maxWaitingFrames: 0 }, silentLogger());
    local = await loadIntegrityModels(MODELS);
  });
  afterAll(async () => {
    await pool.close();
    await local.release();
  });

  it('finds in a worker what analyzeFrameIntegrity finds in this process, objects and a closed eye’s NaN gaze included', async () => {
    const timings: FrameTimings[] = [];
    const stop = pool.observe((t) => timings.push(t));
    for (const [bytes, objects] of [
      [ASTRONAUT, true],
      [EYES_CLOSED, false],
    ] as const) {
      const pooled = await pool.analyze(bytes, 'png', { objects });
      const here = await analyzeFrameIntegrity(local, await decodeFrame(bytes, 'png'), { objects });
      expect(withoutTimings(pooled)).toEqual(withoutTimings(here));
    }
    stop();
    const closed = await pool.analyze(EYES_CLOSED, 'png', { objects: false });
    expect(closed.gaze?.direction).toBe('closed');
    expect(Number.isNaN(closed.gaze?.yaw) && Number.isNaN(closed.gaze?.pitch)).toBe(true);
    expect(closed.headPose?.rotation).toBeInstanceOf(Float64Array);
    // The worker's timings reach the observers on this thread, decoding included.
    expect(timings).toHaveLength(2);
    expect(timings[0].decode).toBeGreaterThan(0);
    expect(timings[0].faces).toBeGreaterThan(0);
    expect(timings[0].objects).toBeGreaterThan(0);
    expect(timings[1].objects).toBe(0);
  });

  it('refuses a live frame that would wait (UNAVAILABLE), lets the consumer’s frames wait, drops a cancelled one, and takes a live frame when free', async () => {
    const first = pool.analyze(ASTRONAUT, 'png', { objects: true, background: true });
    await waitFor('the first frame to reach the worker', () => pool.busy, 30_000, 1);
    const live = pool.analyze(ASTRONAUT, 'png', { objects: false });
    const queued = pool.analyze(ASTRONAUT, 'png', { objects: false, background: true });
    const ended = new AbortController();
    const cancelled = pool.analyze(ASTRONAUT, 'png', { objects: false, background: true, signal: ended.signal });
    ended.abort();
    const refusal = await live.catch((error: unknown) => error);
    expect(classifyError(refusal)).toBe('transient');
    expect(toStatus(refusal).details).toMatch(/^the integrity service is overloaded: /);
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    const [a, b] = await Promise.all([first, queued]);
    expect(a.faces).toHaveLength(1);
    expect([a.objectsChecked, b.objectsChecked]).toEqual([true, false]);
    expect(pool.waitingFrames).toBe(0);
    // Free again: a live frame goes straight in.
    expect((await pool.analyze(ASTRONAUT, 'png', { objects: false })).faces).toHaveLength(1);
  });

  it('refuses a bad image with its own class: before it waits (not an image, past the bounds) and from the worker’s decoder (truncated)', async () => {
    const notImage = await pool.analyze(Buffer.from('not an image'), '', { objects: false }).catch((error: unknown) => error);
    expect(notImage).toBeInstanceOf(InvalidFrameError);
    expect(toStatus(notImage)).toMatchObject({ code: status.INVALID_ARGUMENT });
    const tooLarge = await pool.analyze(Buffer.alloc(8 * 1024 * 1024 + 1, 0xff), '', { objects: false }).catch((error: unknown) => error);
    expect(tooLarge).toBeInstanceOf(FrameTooLargeError);
    expect(toStatus(tooLarge)).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    // A PNG cut in half passes the header checks; only decoding, in the worker, finds it truncated.
    const truncated = await pool.analyze(ASTRONAUT.subarray(0, ASTRONAUT.length >> 1), 'png', { objects: false }).catch((error: unknown) => error);
    expect(truncated).toBeInstanceOf(InvalidFrameError);
    expect(toStatus(truncated)).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/could not be decoded as png/) as unknown });
    // The worker is unharmed.
    expect((await pool.analyze(ASTRONAUT, 'png', { objects: false })).faces).toHaveLength(1);
  });

  it('once closing, refuses new frames and analyses those it accepted', async () => {
    const closing = await IntegrityAnalysisPool.start({ modelsDir: MODELS, maxWaitingFrames: 4 }, silentLogger());
    const accepted = closing.analyze(ASTRONAUT, 'png', { objects: false, background: true });
    await waitFor('the frame to reach the worker', () => closing.busy, 30_000, 1);
    const closed = closing.close();
    const error = await closing.analyze(ASTRONAUT, 'png', { objects: false }).catch((e: unknown) => e);
    expect(toStatus(error)).toMatchObject({ code: status.UNAVAILABLE, details: 'the integrity service is shutting down' });
    expect((await accepted).faces).toHaveLength(1);
    await closed;
  });

  it('with two workers, takes two live frames at once and refuses a third that would wait', async () => {
    const two = await IntegrityAnalysisPool.start({ modelsDir: MODELS, threads: 2, maxWaitingFrames: 0 }, silentLogger());
    try {
      const outcomes = await Promise.all(
        [0, 1, 2].map((k) =>
          two.analyze(ASTRONAUT, 'png', { objects: k === 0 }).then(
            (findings) => findings.faces.length,
            (error: unknown) => toStatus(error).code,
          ),
        ),
      );
      expect(outcomes).toEqual([1, 1, status.UNAVAILABLE]);
    } finally {
      await two.close();
    }
  });

  it('fails to start, naming the file, when a model differs from MANIFEST.json', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'integrity-pool-'));
    try {
      fs.copyFileSync(path.join(MODELS, 'MANIFEST.json'), path.join(dir, 'MANIFEST.json'));
      for (const file of fs.readdirSync(MODELS).filter((f) => f.endsWith('.onnx')))
        fs.symlinkSync(fs.realpathSync(path.join(MODELS, file)), path.join(dir, file));
      fs.rmSync(path.join(dir, 'iris-landmark-64.onnx'));
      fs.writeFileSync(path.join(dir, 'iris-landmark-64.onnx'), 'not the model');
      await expect(IntegrityAnalysisPool.start({ modelsDir: dir, threads: 2, maxWaitingFrames: 0 }, silentLogger())).rejects.toThrow(
        /iris-landmark-64\.onnx has sha256/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
