import sharp from 'sharp';
import { BatchRequest, BlinkResponse, EmotionResponse, EmotionServiceService, FaceResponse, FrameRequest } from '../../gen/emotion';
import { BOUNDS } from '../../platform/contracts/bounds';
import { LimitExceededError } from '../../platform/errors/domain-errors';
import { AsyncService } from '../../platform/grpc/async-service';
import { CallContext } from '../../platform/grpc/call-context';
import { ServiceError } from '../../platform/grpc/errors';
import { Provisioned } from '../../platform/service/provisioned';
import { isTrackableFrame } from './domain/blink/blink-tracker';
import { isFrameRejection } from '../../platform/vision/frame-errors';
import { requireBytes, requireString } from '../../platform/grpc/validate';
import { SessionBlinks } from './session-blinks';
import { FrameAnalysisService } from './analysis-pool';
import { analyzeSessionFrame } from './analyze-session-frame';
import { analyzeStream, AnalyzeStreamDeps } from './analyze-stream';
import { toBlinkResponse, toBoundingBox, toEmotionResponse, toErrorResponse, toLandmarks } from './to-proto';

/** Frames analyzed together in one AnalyzeBatch step: bounds the memory of decoded frames. */
export const BATCH_CHUNK_FRAMES = 16;

/**
 * emotion.EmotionService. Frame analyses are not stored here (the emotion.analysis consumer stores
 * the interview's frames); blink state is, per session, in PostgreSQL (see SessionBlinks), so
 * AnalyzeFrame, AnalyzeStream, AnalyzeBatch and DetectBlink count a session's blinks on whichever
 * replica they run. `stream` is AnalyzeStream's: when the service stops (its streams end), and
 * where each of its frames is reported.
 */
export function emotionHandlers(
  analyzer: Provisioned<FrameAnalysisService>,
  blinks: SessionBlinks,
  stream: Pick<AnalyzeStreamDeps, 'stopping' | 'answered'>,
): AsyncService<typeof EmotionServiceService> {
  return {
    async analyzeFrame(request: FrameRequest, ctx: CallContext): Promise<EmotionResponse> {
      const imageData = requireBytes(request.imageData, 'image_data');
      return analyzeSessionFrame(analyzer.get(), blinks, { ...request, imageData }, { signal: ctx.signal });
    },

    async detectFace(request: FrameRequest): Promise<FaceResponse> {
      const image = requireBytes(request.imageData, 'image_data');
      const found = await analyzer.get().detectFace(image, request.format);
      if (!found) return { detected: false, box: undefined, landmarks: [] };
      return { detected: true, box: toBoundingBox(found.face), landmarks: toLandmarks(found.mesh) };
    },

    async detectBlink(request: FrameRequest): Promise<BlinkResponse> {
      const sessionId = requireString(request.sessionId, 'session_id');
      if (!isTrackableFrame(sessionId, request.timestamp)) {
        throw ServiceError.invalidArgument(`timestamp must be the frame's capture time in milliseconds since the epoch (> 0), got ${request.timestamp}`);
      }
      const image = requireBytes(request.imageData, 'image_data');
      const found = await analyzer.get().detectFace(image, request.format);
      const summary = await blinks.update(sessionId, request.timestamp, found?.eyes);
      return toBlinkResponse(summary, found?.eyes);
    },

    analyzeStream(requests: AsyncIterable<FrameRequest>, ctx: CallContext): AsyncIterable<EmotionResponse> {
      return analyzeStream({ analyzer, blinks, ...stream }, requests, ctx);
    },

    async *analyzeBatch(request: BatchRequest, ctx: CallContext): AsyncIterable<EmotionResponse> {
      await checkBatchBounds(request.frames);
      for (let start = 0; start < request.frames.length; start += BATCH_CHUNK_FRAMES) {
        if (ctx.signal.aborted) return;
        const chunk = request.frames.slice(start, start + BATCH_CHUNK_FRAMES);
        const results = await analyzer
          .get()
          .analyzeBatch(chunk.map((f) => ({ imageData: f.imageData, format: f.format, sessionId: f.sessionId || request.sessionId || undefined })));
        for (const [k, frame] of chunk.entries()) {
          const sessionId = frame.sessionId || request.sessionId;
          const result = results[k];
          if (isFrameRejection(result)) {
            yield toErrorResponse(sessionId, frame.timestamp, result);
            continue;
          }
          // In order, so that a session's blinks are counted in its frames' order.
          const summary = await blinks.update(sessionId, frame.timestamp, result.eyes);
          yield toEmotionResponse(sessionId, frame.timestamp, result, summary);
        }
      }
    },
  };
}

/**
 * Refuses, before anything is analysed, a batch of more than BOUNDS.batchFrames frames or of more
 * than BOUNDS.batchPixels pixels together (LimitExceededError: RESOURCE_EXHAUSTED, naming the
 * bound). The pixels come from each frame's header (libvips reads no pixels). A frame whose header
 * cannot be read, or that is over BOUNDS.frameBytes (whose header is not read), counts nothing
 * here: it is its own bad frame, an error response at its position, as every frame's own error is.
 */
async function checkBatchBounds(frames: readonly FrameRequest[]): Promise<void> {
  if (frames.length > BOUNDS.batchFrames) {
    throw new LimitExceededError(`the batch has ${frames.length} frames; the limit is ${BOUNDS.batchFrames} frames`);
  }
  const sizes = await Promise.all(frames.map((frame) => framePixels(frame.imageData)));
  const pixels = sizes.reduce((sum, n) => sum + n, 0);
  if (pixels > BOUNDS.batchPixels) {
    throw new LimitExceededError(`the batch's frames have ${pixels} pixels together; the limit is ${BOUNDS.batchPixels} pixels`);
  }
}

/** Width x height from the frame's header; 0 when there is none to read. */
async function framePixels(imageData: Uint8Array): Promise<number> {
  if (imageData.length === 0 || imageData.length > BOUNDS.frameBytes) return 0;
  try {
    const { width, height } = await sharp(imageData, { limitInputPixels: false }).metadata();
    return width * height;
  } catch {
    return 0;
  }
}
