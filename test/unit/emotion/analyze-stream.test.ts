import { status } from '@grpc/grpc-js';
import { EmotionResponse, FrameRequest } from '../../../src/gen/emotion';
import { UnavailableError } from '../../../src/platform/errors/domain-errors';
import { FrameAnalysisService } from '../../../src/services/emotion/analysis-pool';
import { analyzeStream } from '../../../src/services/emotion/analyze-stream';
import { SessionBlinks } from '../../../src/services/emotion/session-blinks';
import { EmotionStore } from '../../../src/services/emotion/store';
import { NO_FACE } from '../../support/emotion-fakes';
import { testCallContext } from '../../support/call-context';

/** The requests a test pushes, as the async iterable grpc-js gives a bidirectional handler. */
function requestQueue(): { requests: AsyncIterable<FrameRequest>; push: (r: FrameRequest) => void; end: () => void } {
  const buffered: (FrameRequest | undefined)[] = [];
  let wake: (() => void) | undefined;
  const put = (r: FrameRequest | undefined) => {
    buffered.push(r);
    wake?.();
  };
  return {
    push: put,
    end: () => {
      put(undefined);
    },
    requests: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (buffered.length === 0) await new Promise<void>((r) => (wake = r));
          const next = buffered.shift();
          if (!next) return;
          yield next;
        }
      },
    },
  };
}

const frame = (timestamp: number, first = 1): FrameRequest => ({ sessionId: '', imageData: Buffer.from([first]), timestamp, format: '', traceContext: {} });

describe('analyzeStream (emotion.EmotionService/AnalyzeStream)', () => {
  const stopping = new AbortController();
  // Frames without a session id: SessionBlinks never reaches its store.
  const blinks = new SessionBlinks(undefined as unknown as EmotionStore);
  const analyzer: FrameAnalysisService = {
    analyze: (imageData) => (imageData[0] === 0 ? Promise.reject(new UnavailableError('the workers are full')) : Promise.resolve(NO_FACE)),
    analyzeBatch: () => Promise.reject(new Error('not used')),
    detectFace: () => Promise.reject(new Error('not used')),
  };
  const ctx = testCallContext('/emotion.EmotionService/AnalyzeStream');

  it('answers each frame in order, a refused one with its status, and ends when the service begins to stop', async () => {
    const answered: number[] = [];
    const { requests, push } = requestQueue();
    const responses: EmotionResponse[] = [];
    const stream = analyzeStream(
      { analyzer: { get: () => analyzer, ready: true }, blinks, stopping: stopping.signal, answered: (code) => answered.push(code) },
      requests,
      ctx,
    );
    const reading = (async () => {
      for await (const response of stream) {
        responses.push(response);
        if (responses.length === 2) stopping.abort();
      }
    })();
    push(frame(1));
    push(frame(2, 0));
    // Ends without a half-close from the client: the service is stopping.
    await reading;
    expect(responses.map((r) => [r.timestamp, r.error && `${status[r.error.code]}: ${r.error.message}`])).toEqual([
      [1, undefined],
      [2, 'UNAVAILABLE: the workers are full'],
    ]);
    expect(answered).toEqual([status.OK, status.UNAVAILABLE]);
  });
});
