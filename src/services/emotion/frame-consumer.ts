import { EmotionResponse } from '../../gen/emotion';
import { EmotionAnalyzed, FrameCaptured } from '../../gen/events';
import { Delivery, EventBus } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS, publishEvent } from '../../platform/bus/event-catalog';
import { ServiceError } from '../../platform/grpc/errors';
import { Logger } from '../../platform/log/logger';
import { AnalysisStore, StoredAnalysis } from './analysis-store';
import { SessionBlinks } from './blink/session-blinks';
import { FrameAnalyzer } from './frame-analyzer';
import { toEmotionResponse } from './to-proto';

/**
 * Consumer of `emotion.analysis` (interview.frame.captured): stores each frame's analysis and
 * announces it as interview.emotion.analyzed. A frame that arrives with its synchronous analysis is
 * stored as is, not analysed again; a frame the models reject (not an image) is stored as analysed
 * with no face and the reason, so that every frame sent yields exactly one analysis.
 */
export function frameCapturedHandler(deps: { getAnalyzer: () => FrameAnalyzer; blinks: SessionBlinks; store: AnalysisStore; bus: EventBus; log: Logger }) {
  return async (delivery: Delivery): Promise<void> => {
    const frame = decodeEvent(EVENTS.frameCaptured, delivery);
    const timestampMs = frame.timestamp?.getTime() ?? delivery.properties.timestamp;
    const { response, error } = frame.analysis ? { response: frame.analysis, error: undefined } : await analyse(deps.getAnalyzer(), deps.blinks, frame, timestampMs);
    const face = response?.faceMetrics;
    const analysis: StoredAnalysis = {
      sessionId: frame.sessionId,
      frameNumber: frame.frameNumber,
      timestamp: new Date(timestampMs),
      emotion: response?.emotion || null,
      confidence: response?.emotion ? response.confidence : null,
      faceDetected: face?.detected ?? false,
      faceBox: face?.detected && face.boundingBox ? face.boundingBox : null,
      metadata: {
        source: frame.analysis ? 'synchronous' : 'queue',
        detection_confidence: face?.detectionConfidence ?? 0,
        ...(error ? { error } : {}),
      },
    };
    const stored = await deps.store.insert(analysis);
    if (!stored) deps.log.info({ sessionId: frame.sessionId, frame: frame.frameNumber }, 'frame already analysed; announcing again');
    const event: EmotionAnalyzed = {
      sessionId: frame.sessionId,
      timestamp: analysis.timestamp,
      emotion: analysis.emotion ?? '',
      confidence: analysis.confidence ?? 0,
      blinkCount: 0,
      metadata: analysis.metadata,
      frameNumber: frame.frameNumber,
      faceDetected: analysis.faceDetected,
    };
    await publishEvent(deps.bus, EVENTS.emotionAnalyzed, event, frame.sessionId);
  };
}

async function analyse(analyzer: FrameAnalyzer, blinks: SessionBlinks, frame: FrameCaptured, timestampMs: number): Promise<{ response?: EmotionResponse; error?: string }> {
  try {
    const analysis = await analyzer.analyze(frame.imageData, frame.format);
    // A queued frame counts towards its session's blinks as a synchronous one did in AnalyzeFrame.
    return { response: toEmotionResponse(frame.sessionId, timestampMs, analysis, await blinks.update(frame.sessionId, timestampMs, analysis.eyes)) };
  } catch (error) {
    // A bad image is the frame's fault, not a reason to retry: record why and move on.
    if (error instanceof ServiceError) return { error: error.message };
    throw error;
  }
}
