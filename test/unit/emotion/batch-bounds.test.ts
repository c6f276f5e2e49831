/**
 * AnalyzeBatch's batch-level bounds, on emotionHandlers with a fake analyzer and real PNGs made
 * with sharp: more than BOUNDS.batchFrames frames, or more than BOUNDS.batchPixels pixels together
 * (read from the frames' headers), is RESOURCE_EXHAUSTED naming the bound before anything is
 * analysed or answered; a batch at both bounds is analysed; a frame whose header cannot be read
 * counts nothing and stays its own bad frame.
 */
import { status } from '@grpc/grpc-js';
import sharp from 'sharp';
import { BatchRequest, EmotionResponse, FrameRequest } from '../../../src/gen/emotion';
import { BOUNDS } from '../../../src/platform/contracts/bounds';
import { LimitExceededError } from '../../../src/platform/errors/domain-errors';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { toStatus } from '../../../src/platform/grpc/errors';
import { provided } from '../../../src/platform/service/provisioned';
import { FrameAnalysisService } from '../../../src/services/emotion/analysis-pool';
import { InvalidFrameError } from '../../../src/platform/vision/frame-errors';
import { emotionHandlers } from '../../../src/services/emotion/handlers';
import { SessionBlinks } from '../../../src/services/emotion/session-blinks';
import { EmotionStore } from '../../../src/services/emotion/store';
import { NO_FACE } from '../../support/emotion-fakes';
import { testCallContext } from '../../support/call-context';

jest.setTimeout(30_000);

/** The blinks' store: untracked frames (no session, no timestamp) never reach it. */
const UNTOUCHED_STORE = {
  currentBlinks: () => Promise.reject(new Error('the store was touched')),
  recordBlinkSample: () => Promise.reject(new Error('the store was touched')),
} as unknown as EmotionStore;

/** A white PNG of `width` x `height`. */
function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: 'white' } })
    .png()
    .toBuffer();
}

/** `images` as a batch's frames (no session, no timestamp: nothing is tracked, so the store is never touched). */
function batch(images: readonly Buffer[]): BatchRequest {
  return BatchRequest.fromPartial({ frames: images.map((imageData) => FrameRequest.fromPartial({ imageData, format: 'png' })) });
}

function context(): CallContext {
  return testCallContext('/emotion.EmotionService/AnalyzeBatch');
}

describe('AnalyzeBatch bounds', () => {
  let small: Buffer;
  let fullHd: Buffer;
  let largest: Buffer;
  const analyzed: number[] = [];
  /** One call per chunk: records its size; a frame that is not a PNG is rejected as the models would. */
  const analyzer: FrameAnalysisService = {
    analyze: () => Promise.reject(new Error('not used by AnalyzeBatch')),
    detectFace: () => Promise.reject(new Error('not used by AnalyzeBatch')),
    analyzeBatch: (frames) => {
      analyzed.push(frames.length);
      return Promise.resolve(frames.map((f) => (f.imageData[0] === 0x89 ? NO_FACE : new InvalidFrameError('image_data is not an image'))));
    },
  };
  const handlers = emotionHandlers(provided(analyzer), new SessionBlinks(UNTOUCHED_STORE), { stopping: new AbortController().signal });

  /** The responses to `request` and the error it ended with, if any. */
  async function analyzeBatch(request: BatchRequest): Promise<{ responses: EmotionResponse[]; error: unknown }> {
    const responses: EmotionResponse[] = [];
    try {
      for await (const response of handlers.analyzeBatch(request, context())) responses.push(response);
    } catch (error) {
      return { responses, error };
    }
    return { responses, error: undefined };
  }

  beforeAll(async () => {
    [small, fullHd, largest] = await Promise.all([png(2, 2), png(1920, 1080), png(4096, 4096)]);
  });

  beforeEach(() => {
    analyzed.length = 0;
  });

  it('refuses more than BOUNDS.batchFrames frames with RESOURCE_EXHAUSTED before analysing any', async () => {
    const { responses, error } = await analyzeBatch(batch(Array.from({ length: BOUNDS.batchFrames + 1 }, () => small)));

    expect(error).toBeInstanceOf(LimitExceededError);
    expect(toStatus(error)).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      details: `the batch has ${BOUNDS.batchFrames + 1} frames; the limit is ${BOUNDS.batchFrames} frames`,
    });
    expect(responses).toEqual([]);
    expect(analyzed).toEqual([]);
  });

  it('refuses frames of more than BOUNDS.batchPixels pixels together, each within its own bound, before analysing any', async () => {
    // 4 x 4096 x 4096 = 67,108,864 > 32 x 1920 x 1080 = 66,355,200.
    const { responses, error } = await analyzeBatch(batch([largest, largest, largest, largest]));

    expect(error).toBeInstanceOf(LimitExceededError);
    expect(toStatus(error)).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      details: `the batch's frames have ${4 * 4096 * 4096} pixels together; the limit is ${BOUNDS.batchPixels} pixels`,
    });
    expect(responses).toEqual([]);
    expect(analyzed).toEqual([]);
  });

  it('analyses a batch at both bounds: BOUNDS.batchFrames frames of BOUNDS.batchPixels pixels together', async () => {
    expect(BOUNDS.batchFrames * 1920 * 1080).toBe(BOUNDS.batchPixels);
    const { responses, error } = await analyzeBatch(batch(Array.from({ length: BOUNDS.batchFrames }, () => fullHd)));

    expect(error).toBeUndefined();
    expect(analyzed.reduce((sum, n) => sum + n, 0)).toBe(BOUNDS.batchFrames);
    expect(responses).toHaveLength(BOUNDS.batchFrames);
    expect(responses.every((r) => r.error === undefined)).toBe(true);
  });

  it('counts nothing for a frame whose header cannot be read: the batch goes on, with that frame its own error', async () => {
    const unreadable = Buffer.from('not an image at all');
    const { responses, error } = await analyzeBatch(batch([largest, largest, unreadable, largest]));

    expect(error).toBeUndefined();
    expect(analyzed).toEqual([4]);
    expect(responses).toHaveLength(4);
    expect(responses.map((r) => r.error === undefined)).toEqual([true, true, false, true]);
  });
});
