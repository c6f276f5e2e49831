import { ClientDuplexStream, status } from '@grpc/grpc-js';
import { EmotionResponse, FrameRequest } from '../../gen/emotion';
import { CancelledError, TimeoutError, UnavailableError } from '../../platform/errors/domain-errors';
import { carriesStatus } from '../../platform/errors/classify';
import { ServiceError, statusOfCode, toStatus } from '../../platform/grpc/errors';
import { StreamMessageClient } from '../../platform/telemetry/stream-telemetry';

/** A session's stream is ended after this long without a frame, milliseconds (an interview sends one every 500 ms). */
export const FRAME_STREAM_IDLE_MS = 30_000;

/** Opens one emotion.EmotionService/AnalyzeStream call (DownstreamClient.openDuplex). */
type OpenFrameStream = () => ClientDuplexStream<FrameRequest, EmotionResponse>;

/**
 * The interview service's live frames on the emotion service's AnalyzeStream: one bidirectional
 * stream per interview, opened at its first frame and kept while frames come (ended after
 * FRAME_STREAM_IDLE_MS without one, or by `close`). A stream keeps the interview on one emotion
 * replica (where its face track lives) and saves each frame the cost of a call. Responses come in
 * the order of the frames, so each answers the oldest frame waiting.
 */
export class FrameStreams {
  private readonly streams = new Map<string, SessionFrameStream>();
  private closed = false;

  /**
   * `telemetry`, when given, gives each frame a span of its own (its trace context sent in the
   * frame's `trace_context`) and records it in `mesh_stream_message_duration_seconds`.
   */
  constructor(
    private readonly open: OpenFrameStream,
    private readonly idleMs = FRAME_STREAM_IDLE_MS,
    private readonly telemetry?: StreamMessageClient,
  ) {}

  /** Interviews with a stream open now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Sends `request` on its interview's stream and resolves with the emotion service's analysis.
   * Rejects with a ServiceError carrying the frame's status when the service answered it with
   * an error (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNAVAILABLE when its workers are full); with
   * the stream's own error when the stream fails (every frame waiting on it too; the next frame
   * opens a new stream); with TimeoutError at `deadline` (the stream is then abandoned: a frame
   * unanswered that long says the stream is stuck); with CancelledError when `signal` aborts (the
   * frame's analysis then goes unread); with UnavailableError once closed.
   */
  analyze(request: FrameRequest, deadline: Date, signal?: AbortSignal): Promise<EmotionResponse> {
    if (this.closed) return Promise.reject(new UnavailableError('the interview service is stopping'));
    let stream = this.streams.get(request.sessionId);
    if (!stream?.usable) {
      stream = new SessionFrameStream(this.open(), this.idleMs, (ended) => {
        if (this.streams.get(request.sessionId) === ended) this.streams.delete(request.sessionId);
      });
      this.streams.set(request.sessionId, stream);
    }
    if (!this.telemetry) return stream.send(request, deadline, signal);
    const traceContext: Record<string, string> = {};
    const finish = this.telemetry.start(traceContext);
    return stream.send({ ...request, traceContext }, deadline, signal).then(
      (response) => {
        finish(status.OK);
        return response;
      },
      (error: unknown) => {
        // The status as it came (the frame's, the stream's); toStatus only for errors of this side (deadline, cancel).
        finish(carriesStatus(error) ? error.code : toStatus(error).code);
        throw error;
      },
    );
  }

  /** Ends every stream (the emotion service finishes the frames it holds; their answers go unread) and refuses new frames. */
  close(): void {
    this.closed = true;
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
  }
}

interface Waiting {
  settled: boolean;
  readonly resolve: (response: EmotionResponse) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
  readonly signal?: AbortSignal;
  readonly onAbort: () => void;
}

/** One interview's AnalyzeStream call and the frames waiting for their answers, oldest first. */
class SessionFrameStream {
  private readonly waiting: Waiting[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly call: ClientDuplexStream<FrameRequest, EmotionResponse>,
    private readonly idleMs: number,
    private readonly onEnded: (stream: SessionFrameStream) => void,
  ) {
    call.on('data', (response: EmotionResponse) => {
      const next = this.waiting.shift();
      if (next) this.settle(next, response);
      this.armIdle();
    });
    call.on('error', (error: Error) => {
      this.finish(error);
    });
    call.on('end', () => {
      this.finish(new UnavailableError('the emotion service ended the frame stream; retry shortly'));
    });
    this.armIdle();
  }

  /** False once the stream failed or ended: the interview's next frame opens another. */
  get usable(): boolean {
    return !this.done;
  }

  send(request: FrameRequest, deadline: Date, signal?: AbortSignal): Promise<EmotionResponse> {
    if (signal?.aborted) return Promise.reject(new CancelledError('the call ended before its frame was sent'));
    return new Promise<EmotionResponse>((resolve, reject) => {
      const entry: Waiting = {
        settled: false,
        resolve,
        reject,
        signal,
        timer: setTimeout(
          () => {
            this.abandon(new TimeoutError('the emotion service did not answer a frame in time'));
          },
          Math.max(0, deadline.getTime() - Date.now()),
        ),
        onAbort: () => {
          // The frame stays in line (its answer will come, in order) but nobody waits for it any more.
          this.settle(entry, new CancelledError('the call ended before its frame was analysed'));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.armIdle();
      this.call.write(request);
    });
  }

  /** Half-closes the stream: the service answers what it holds, then ends it. */
  end(): void {
    if (this.done) return;
    this.call.end();
    this.finish(new UnavailableError('the interview service is stopping'));
  }

  /** Cancels the call: a stream that left a frame unanswered past its deadline is not trusted with more. */
  private abandon(reason: Error): void {
    if (this.done) return;
    this.finish(reason);
    this.call.cancel();
  }

  /** Fails every frame still waiting with `reason`; the stream is not used again. */
  private finish(reason: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const entry of this.waiting.splice(0)) this.settle(entry, reason);
    this.onEnded(this);
  }

  private settle(entry: Waiting, outcome: EmotionResponse | Error): void {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    entry.signal?.removeEventListener('abort', entry.onAbort);
    if (outcome instanceof Error) entry.reject(outcome);
    else if (outcome.error) entry.reject(new ServiceError(statusOfCode(outcome.error.code), outcome.error.message));
    else entry.resolve(outcome);
  }

  /**
   * Ends the stream after idleMs with no frame waiting; restarted by each frame and answer (one
   * timer per stream, refreshed rather than made anew).
   */
  private armIdle(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      if (this.waiting.length === 0) this.end();
      else this.armIdle();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}
