import { EmotionResponse, FrameRequest } from '../../gen/emotion';
import { fail } from '../../platform/grpc/async-service';
import { streamMessageServer } from '../../platform/telemetry/stream-telemetry';
import { CallContext } from '../../platform/grpc/call-context';
import { requireBytes } from '../../platform/grpc/validate';
import { Provisioned } from '../../platform/service/provisioned';
import { FrameAnalysisService } from './analysis-pool';
import { analyzeSessionFrame } from './analyze-session-frame';
import { BlinkCounter } from './blink-counter';
import { SessionBlinks } from './session-blinks';
import { toFrameErrorResponse } from './to-proto';

/** What AnalyzeStream needs besides its frames. */
export interface AnalyzeStreamDeps {
  readonly analyzer: Provisioned<FrameAnalysisService>;
  readonly blinks: SessionBlinks;
  /** Aborts when the service begins to stop: the stream ends after the frame in hand. */
  readonly stopping: AbortSignal;
  /** Told of each frame answered: its response's gRPC status code (0 when analysed) and its time from receipt, seconds. */
  readonly answered?: (code: number, seconds: number) => void;
}

/**
 * emotion.EmotionService/AnalyzeStream: each frame of the stream analysed as AnalyzeFrame would
 * (analyzeSessionFrame: the face tracked from the session's previous frame, blinks counted), one at
 * a time and answered in order. Each frame gets a span of its own, continuing the trace its
 * `trace_context` carries (stream-telemetry.ts); its blinks are counted in the stream's memory and
 * written behind (StreamBlinks: the writes are awaited before the stream ends). A frame's failure
 * is its response's `error` with the status AnalyzeFrame would have returned (INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED, UNAVAILABLE when the workers are full or the models still loading; INTERNAL,
 * logged), and the stream goes on. Ends, status OK, when the client half-closes, when the call ends
 * (its frames in hand are dropped), or when the service begins to stop, after the frame in hand:
 * the client reopens it elsewhere.
 */
export async function* analyzeStream(deps: AnalyzeStreamDeps, requests: AsyncIterable<FrameRequest>, ctx: CallContext): AsyncIterable<EmotionResponse> {
  const iterator = requests[Symbol.asyncIterator]();
  const blinks = deps.blinks.forStream(ctx.log);
  const messages = streamMessageServer(ctx.method);
  let onStop: (() => void) | undefined;
  const stopped = new Promise<IteratorResult<FrameRequest>>((resolve) => {
    onStop = () => {
      resolve({ done: true, value: undefined });
    };
    if (deps.stopping.aborted) onStop();
    else deps.stopping.addEventListener('abort', onStop, { once: true });
  });
  try {
    for (;;) {
      const nextRequest = iterator.next();
      // Handled here too: when the service stops first, nobody awaits it, and the call's end may reject it.
      nextRequest.catch(() => undefined);
      const next = await Promise.race([nextRequest, stopped]);
      if (next.done || ctx.signal.aborted) return;
      const received = performance.now();
      const request = next.value;
      const response = await messages.answer(request.traceContext, () => analyzeStreamedFrame(deps, blinks, request, ctx), statusCodeOf);
      const code = statusCodeOf(response);
      const ms = performance.now() - received;
      deps.answered?.(code, ms / 1_000);
      ctx.log.debug({ sessionId: request.sessionId, code, ms }, 'stream frame answered');
      yield response;
    }
  } finally {
    if (onStop) deps.stopping.removeEventListener('abort', onStop);
    await blinks.settled();
  }
}

/** A frame's response's gRPC status code: its error's, 0 (OK) when analysed. */
function statusCodeOf(response: EmotionResponse): number {
  return response.error?.code ?? 0;
}

/** One frame's response: its analysis, or its failure as the response's `error` (an INTERNAL one logged). */
async function analyzeStreamedFrame(deps: AnalyzeStreamDeps, blinks: BlinkCounter, request: FrameRequest, ctx: CallContext): Promise<EmotionResponse> {
  try {
    const imageData = requireBytes(request.imageData, 'image_data');
    return await analyzeSessionFrame(deps.analyzer.get(), blinks, { ...request, imageData }, { signal: ctx.signal });
  } catch (error) {
    return toFrameErrorResponse(request.sessionId, request.timestamp, fail(ctx, error, 'a frame of AnalyzeStream failed'));
  }
}
