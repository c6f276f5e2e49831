import { BlinkMetrics, BlinkResponse, BoundingBox, EmotionResponse, FaceMetrics, Landmark } from '../../gen/emotion';
import { EyeAspectRatio } from './domain/blink/eye-aspect-ratio';
import { BlinkSummary } from './domain/blink/blink-tracker';
import { FaceDetection } from '../../platform/vision/face/face-detection';
import { FaceMesh } from '../../platform/vision/face/face-mesh';
import { MESH_REGIONS, MeshRegion } from '../../platform/vision/face/mesh-topology';
import { FrameAnalysis } from './domain/frame-analyzer';
import { FrameRejection } from '../../platform/vision/frame-errors';
import { toStatus } from '../../platform/grpc/errors';

export function toBoundingBox(face: FaceDetection): BoundingBox {
  return {
    x: Math.round(face.box.x),
    y: Math.round(face.box.y),
    width: Math.round(face.box.width),
    height: Math.round(face.box.height),
  };
}

/**
 * The mesh's landmarks of each region of MESH_REGIONS (right_eye, left_eye, right_eyebrow,
 * left_eyebrow, nose, mouth, jaw: the subject's right and left), in the frame's pixels, grouped by
 * region in that order and in each region's contour order; `type` names the region.
 */
export function toLandmarks(mesh: FaceMesh): Landmark[] {
  const landmarks: Landmark[] = [];
  for (const [type, indices] of Object.entries(MESH_REGIONS) as [MeshRegion, readonly number[]][]) {
    for (const i of indices) landmarks.push({ x: Math.round(mesh.points[i * 3]), y: Math.round(mesh.points[i * 3 + 1]), type });
  }
  return landmarks;
}

export function toFaceMetrics(face: FaceDetection | undefined, mesh: FaceMesh | undefined): FaceMetrics {
  if (!face) return { detected: false, detectionConfidence: 0, boundingBox: undefined, landmarks: [] };
  return { detected: true, detectionConfidence: face.score, boundingBox: toBoundingBox(face), landmarks: mesh ? toLandmarks(mesh) : [] };
}

export function toBlinkMetrics(blinks: BlinkSummary, eyes: EyeAspectRatio | undefined): BlinkMetrics {
  return { count: blinks.count, rate: blinks.ratePerMinute, avgDuration: blinks.averageDurationMs, eyeAspectRatio: eyes?.mean ?? 0 };
}

export function toBlinkResponse(blinks: BlinkSummary | undefined, eyes: EyeAspectRatio | undefined): BlinkResponse {
  return {
    blinkCount: blinks?.count ?? 0,
    blinkRate: blinks?.ratePerMinute ?? 0,
    blinkTimestamps: [...(blinks?.timestamps ?? [])],
    eyeAspectRatio: eyes?.mean ?? 0,
    faceDetected: eyes !== undefined,
  };
}

/**
 * An analysis as the EmotionResponse of emotion.proto. No face: `emotion` empty and confidence 0.
 * Blink metrics are the session's so far, unset when the frame could not be tracked (no session
 * or timestamp) or the session has shown no face yet.
 */
export function toEmotionResponse(sessionId: string, timestamp: number, analysis: FrameAnalysis, blinks?: BlinkSummary): EmotionResponse {
  return {
    sessionId,
    timestamp,
    emotion: analysis.emotion?.label ?? '',
    confidence: analysis.emotion?.confidence ?? 0,
    faceMetrics: toFaceMetrics(analysis.face, analysis.mesh),
    blinkMetrics: blinks ? toBlinkMetrics(blinks, analysis.eyes) : undefined,
    error: undefined,
  };
}

/** The response at a batch position whose frame could not be analyzed: the status AnalyzeFrame would have answered. */
export function toErrorResponse(sessionId: string, timestamp: number, error: FrameRejection): EmotionResponse {
  return toFrameErrorResponse(sessionId, timestamp, toStatus(error));
}

/** A frame's response carrying its failure's status code and message (AnalyzeBatch, AnalyzeStream); the other fields empty. */
export function toFrameErrorResponse(sessionId: string, timestamp: number, { code, details }: { code: number; details: string }): EmotionResponse {
  return { sessionId, timestamp, emotion: '', confidence: 0, faceMetrics: undefined, blinkMetrics: undefined, error: { code, message: details } };
}
