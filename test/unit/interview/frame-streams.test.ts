import { EventEmitter } from 'node:events';
import { ClientDuplexStream, status } from '@grpc/grpc-js';
import { EmotionResponse, FrameRequest } from '../../../src/gen/emotion';
import { CancelledError, TimeoutError, UnavailableError } from '../../../src/platform/errors/domain-errors';
import { ServiceError } from '../../../src/platform/grpc/errors';
import { FrameStreams } from '../../../src/services/interview/frame-streams';

/** An AnalyzeStream call the test answers by hand. */
class FakeCall extends EventEmitter {
  readonly written: FrameRequest[] = [];
  ended = false;
  cancelled = false;
  write(request: FrameRequest): boolean {
    this.written.push(request);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
  }
  /** The emotion service's answer to the oldest frame it has not answered. */
  answer(emotion = 'happy', error?: { code: status; message: string }): void {
    const request = this.written[this.answered++];
    this.emit('data', { sessionId: request.sessionId, timestamp: request.timestamp, emotion, confidence: 0.9, error } satisfies Partial<EmotionResponse>);
  }
  private answered = 0;
}

const frame = (sessionId: string, timestamp: number): FrameRequest => ({ sessionId, timestamp, imageData: Buffer.from([1]), format: 'jpeg', traceContext: {} });
const inSeconds = (s: number) => new Date(Date.now() + s * 1_000);

describe('FrameStreams (the interview side of AnalyzeStream)', () => {
  let calls: FakeCall[];
  let streams: FrameStreams;
  beforeEach(() => {
    calls = [];
    streams = new FrameStreams(() => {
      const call = new FakeCall();
      calls.push(call);
      return call as unknown as ClientDuplexStream<FrameRequest, EmotionResponse>;
    }, 60_000);
  });
  afterEach(() => {
    streams.close();
  });

  it('keeps one stream per interview and gives each frame the answer to it, in order', async () => {
    const a1 = streams.analyze(frame('a', 1), inSeconds(5));
    const a2 = streams.analyze(frame('a', 2), inSeconds(5));
    const b1 = streams.analyze(frame('b', 1), inSeconds(5));
    expect(calls).toHaveLength(2);
    calls[0].answer('happy');
    calls[0].answer('sad');
    calls[1].answer('neutral');
    expect(await Promise.all([a1, a2, b1])).toMatchObject([
      { timestamp: 1, emotion: 'happy' },
      { timestamp: 2, emotion: 'sad' },
      { sessionId: 'b', emotion: 'neutral' },
    ]);
    expect(streams.size).toBe(2);
  });

  it('rejects a frame the service answered with an error with that status; the stream goes on', async () => {
    const bad = streams.analyze(frame('a', 1), inSeconds(5));
    calls[0].answer('', { code: status.INVALID_ARGUMENT, message: 'image_data is empty' });
    await expect(bad).rejects.toEqual(new ServiceError(status.INVALID_ARGUMENT, 'image_data is empty'));
    await expect(bad).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: 'image_data is empty' });
    const good = streams.analyze(frame('a', 2), inSeconds(5));
    calls[0].answer();
    await expect(good).resolves.toMatchObject({ timestamp: 2 });
    expect(calls).toHaveLength(1);
  });

  it('fails every waiting frame when the stream fails, and opens another for the next frame', async () => {
    const waiting = [streams.analyze(frame('a', 1), inSeconds(5)), streams.analyze(frame('a', 2), inSeconds(5))];
    const failure = Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: status.UNAVAILABLE, details: 'Connection dropped' });
    calls[0].emit('error', failure);
    for (const frameWaiting of waiting) await expect(frameWaiting).rejects.toBe(failure);
    const next = streams.analyze(frame('a', 3), inSeconds(5));
    expect(calls).toHaveLength(2);
    calls[1].answer();
    await expect(next).resolves.toMatchObject({ timestamp: 3 });
  });

  it('treats a stream the service ended as unavailable, and opens another', async () => {
    const waiting = streams.analyze(frame('a', 1), inSeconds(5));
    calls[0].emit('end');
    await expect(waiting).rejects.toThrow(UnavailableError);
    void streams.analyze(frame('a', 2), inSeconds(5)).catch(() => undefined);
    expect(calls).toHaveLength(2);
  });

  it('abandons a stream that left a frame unanswered past its deadline', async () => {
    const late = streams.analyze(frame('a', 1), new Date(Date.now() + 20));
    await expect(late).rejects.toThrow(TimeoutError);
    expect(calls[0].cancelled).toBe(true);
    void streams.analyze(frame('a', 2), inSeconds(5)).catch(() => undefined);
    expect(calls).toHaveLength(2);
  });

  it('drops a frame whose caller gave up, and still matches the next frame to its own answer', async () => {
    const controller = new AbortController();
    const abandoned = streams.analyze(frame('a', 1), inSeconds(5), controller.signal);
    const next = streams.analyze(frame('a', 2), inSeconds(5));
    controller.abort();
    await expect(abandoned).rejects.toThrow(CancelledError);
    calls[0].answer('for frame 1');
    calls[0].answer('for frame 2');
    await expect(next).resolves.toMatchObject({ timestamp: 2, emotion: 'for frame 2' });
  });

  it('ends an idle stream, and every stream on close; refuses frames once closed', async () => {
    const idle = new FrameStreams(() => {
      const call = new FakeCall();
      calls.push(call);
      return call as unknown as ClientDuplexStream<FrameRequest, EmotionResponse>;
    }, 30);
    const answered = idle.analyze(frame('a', 1), inSeconds(5));
    calls[0].answer();
    await answered;
    await new Promise((r) => setTimeout(r, 80));
    expect(calls[0].ended).toBe(true);
    expect(idle.size).toBe(0);

    const open = streams.analyze(frame('b', 1), inSeconds(5));
    streams.close();
    expect(calls[1].ended).toBe(true);
    await expect(open).rejects.toThrow(UnavailableError);
    await expect(streams.analyze(frame('b', 2), inSeconds(5))).rejects.toThrow(UnavailableError);
    idle.close();
  });
});
