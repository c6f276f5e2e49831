import { BlinkResponse, EmotionResponse, EmotionServiceService, FaceResponse, FrameRequest } from '../../gen/emotion';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';
import { requireBytes } from '../../platform/grpc/validate';
import { FrameAnalyzer } from './frame-analyzer';
import { toBoundingBox, toEmotionResponse, toLandmarks } from './to-proto';

/**
 * emotion.EmotionService. AnalyzeFrame and DetectFace are pure computations (nothing stored: the
 * emotion.analysis consumer stores the interview's frames). DetectBlink and AnalyzeBatch answer
 * UNIMPLEMENTED until blink detection and batching exist.
 */
export function emotionHandlers(getAnalyzer: () => FrameAnalyzer): AsyncService<typeof EmotionServiceService> {
  return {
    async analyzeFrame(request: FrameRequest): Promise<EmotionResponse> {
      const image = requireBytes(request.imageData, 'image_data');
      const analysis = await getAnalyzer().analyze(image, request.format);
      return toEmotionResponse(request.sessionId, request.timestamp, analysis);
    },

    async detectFace(request: FrameRequest): Promise<FaceResponse> {
      const image = requireBytes(request.imageData, 'image_data');
      const [face] = await getAnalyzer().detectFaces(image, request.format);
      if (!face) return { detected: false, box: undefined, landmarks: [] };
      return { detected: true, box: toBoundingBox(face), landmarks: toLandmarks(face) };
    },

    async detectBlink(): Promise<BlinkResponse> {
      throw ServiceError.unimplemented('DetectBlink');
    },

    async *analyzeBatch(): AsyncIterable<EmotionResponse> {
      throw ServiceError.unimplemented('AnalyzeBatch');
    },
  };
}
