import { BoundingBox, EmotionResponse, FaceMetrics, Landmark } from '../../gen/emotion';
import { FaceDetection } from './face/face-detection';
import { FrameAnalysis } from './frame-analyzer';

/** Landmark `type` of each BlazeFace keypoint, as emotion.proto names them (eye, nose, mouth, ...). */
const LANDMARK_TYPES: Record<FaceDetection['keypoints'][number]['name'], string> = {
  right_eye: 'right_eye',
  left_eye: 'left_eye',
  nose_tip: 'nose',
  mouth_center: 'mouth',
  right_ear_tragion: 'right_ear',
  left_ear_tragion: 'left_ear',
};

export function toBoundingBox(face: FaceDetection): BoundingBox {
  return {
    x: Math.round(face.box.x),
    y: Math.round(face.box.y),
    width: Math.round(face.box.width),
    height: Math.round(face.box.height),
  };
}

export function toLandmarks(face: FaceDetection): Landmark[] {
  return face.keypoints.map((k) => ({ x: Math.round(k.x), y: Math.round(k.y), type: LANDMARK_TYPES[k.name] }));
}

export function toFaceMetrics(face: FaceDetection | undefined): FaceMetrics {
  if (!face) return { detected: false, detectionConfidence: 0, boundingBox: undefined, landmarks: [] };
  return { detected: true, detectionConfidence: face.score, boundingBox: toBoundingBox(face), landmarks: toLandmarks(face) };
}

/**
 * An analysis as the EmotionResponse of emotion.proto. No face: `emotion` empty and confidence 0.
 * Blink metrics are left unset until blink detection exists (never invented).
 */
export function toEmotionResponse(sessionId: string, timestamp: number, analysis: FrameAnalysis): EmotionResponse {
  return {
    sessionId,
    timestamp,
    emotion: analysis.emotion?.label ?? '',
    confidence: analysis.emotion?.confidence ?? 0,
    faceMetrics: toFaceMetrics(analysis.face),
    blinkMetrics: undefined,
  };
}
