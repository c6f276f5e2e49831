/**
 * The integrity models as the service runs them (SerialFrameAnalyzer): the real models, loaded and
 * verified, one frame at a time. A live frame (AnalyzeFrame) that would wait past
 * INTEGRITY_MAX_WAITING_FRAMES is refused with UNAVAILABLE at once, while the consumer's frames
 * always wait their turn; a bad image is refused before it waits; each analysed frame's stage
 * times, decoding included, reach the observers; once closed, no frame is taken.
 */
import fs from 'node:fs';
import { status } from '@grpc/grpc-js';
import path from 'node:path';
import { classifyError } from '../../../src/platform/errors/classify';
import { toStatus } from '../../../src/platform/grpc/errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { FrameTimings, SerialFrameAnalyzer } from '../../../src/services/integrity/frame-analyzer';
import { waitFor } from '../../support/wait';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');
const ASTRONAUT = fs.readFileSync(path.join(REPO, 'test/fixtures/faces/astronaut.png'));

describe('SerialFrameAnalyzer on the integrity models', () => {
  let analyzer: SerialFrameAnalyzer;

  beforeAll(async () => {
    // No live frame may wait: one is taken only when the models are free.
    analyzer = await SerialFrameAnalyzer.load(path.join(REPO, 'models'), 0, silentLogger());
  });
  afterAll(() => analyzer.close());

  it('refuses a live frame that would wait (UNAVAILABLE), lets the consumer’s frames wait, and takes a live frame when free', async () => {
    const timings: FrameTimings[] = [];
    const stop = analyzer.observe((t) => timings.push(t));
    const first = analyzer.analyze(ASTRONAUT, 'png', { objects: true, background: true });
    await waitFor('the first frame to reach the models', () => analyzer.busy, 30_000, 1);
    const live = analyzer.analyze(ASTRONAUT, 'png', { objects: false });
    const queued = analyzer.analyze(ASTRONAUT, 'png', { objects: false, background: true });
    const refusal = await live.catch((error: unknown) => error);
    expect(classifyError(refusal)).toBe('transient');
    expect(toStatus(refusal).details).toMatch(/^the integrity service is overloaded: /);
    const [a, b] = await Promise.all([first, queued]);
    expect(a.faces).toHaveLength(1);
    expect([a.objectsChecked, b.objectsChecked]).toEqual([true, false]);
    // Free again: a live frame goes straight in.
    expect((await analyzer.analyze(ASTRONAUT, 'png', { objects: false })).faces).toHaveLength(1);
    stop();
    expect(timings).toHaveLength(3);
    expect(timings[0].decode).toBeGreaterThan(0);
    expect(timings[0].objects).toBeGreaterThan(0);
    expect(timings[1].objects).toBe(0);
  });

  it('refuses a bad image before it waits: INVALID_ARGUMENT, RESOURCE_EXHAUSTED past the bounds', async () => {
    const notImage = await analyzer.analyze(Buffer.from('not an image'), '', { objects: false }).catch((error: unknown) => error);
    expect(toStatus(notImage)).toMatchObject({ code: status.INVALID_ARGUMENT });
    const tooLarge = await analyzer.analyze(Buffer.alloc(8 * 1024 * 1024 + 1, 0xff), '', { objects: false }).catch((error: unknown) => error);
    expect(toStatus(tooLarge)).toMatchObject({ code: status.RESOURCE_EXHAUSTED });
  });

  it('takes no frame once closed', async () => {
    const closing = await SerialFrameAnalyzer.load(path.join(REPO, 'models'), 4, silentLogger());
    await closing.close();
    const error = await closing.analyze(ASTRONAUT, 'png', { objects: false }).catch((e: unknown) => e);
    expect(toStatus(error).details).toBe('the integrity service is shutting down');
  });
});
