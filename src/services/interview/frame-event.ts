import { EmotionResponse } from '../../gen/emotion';
import { FrameCaptured } from '../../gen/events';

/**
 * The interview.frame.captured event of a recorded frame, as it travels. A frame analysed already
 * (`analysis` set) goes without its image (`image_data` empty: its consumer stores the analysis and
 * never looks at the image) and without the face's landmarks (the mesh's contours, which nothing
 * downstream reads); the rest of the analysis stays as the emotion service answered it (emotion,
 * confidence, face box and detection confidence, blink metrics). A frame still to be analysed is
 * returned as it is, image included.
 */
export function leanFrameCaptured(frame: FrameCaptured): FrameCaptured {
  if (!frame.analysis) return frame;
  return { ...frame, imageData: Buffer.alloc(0), analysis: withoutLandmarks(frame.analysis) };
}

/** A copy of `analysis` whose face metrics have no landmarks; `analysis` itself is left as it is (its caller shows it). */
function withoutLandmarks(analysis: EmotionResponse): EmotionResponse {
  return analysis.faceMetrics ? { ...analysis, faceMetrics: { ...analysis.faceMetrics, landmarks: [] } } : analysis;
}
