import { EmotionResponse } from '../../gen/emotion';
import { AnalyzeOptions, FrameAnalysisService } from './analysis-pool';
import { BlinkCounter } from './blink-counter';
import { toEmotionResponse } from './to-proto';

/** A session's frame: its encoded image and capture time (milliseconds since the epoch). */
export interface SessionFrame {
  sessionId: string;
  timestamp: number;
  imageData: Uint8Array;
  format: string;
}

/**
 * One frame through the models (its face tracked from the session's previous frame) and counted
 * towards its session's blinks: AnalyzeFrame's answer, and what the frame consumer stores for a
 * frame that was queued instead. Throws what FrameAnalysisService.analyze throws.
 */
export async function analyzeSessionFrame(
  analyzer: FrameAnalysisService,
  blinks: BlinkCounter,
  frame: SessionFrame,
  options?: AnalyzeOptions,
): Promise<EmotionResponse> {
  const analysis = await analyzer.analyze(frame.imageData, frame.format, frame.sessionId || undefined, options);
  const summary = await blinks.update(frame.sessionId, frame.timestamp, analysis.eyes);
  return toEmotionResponse(frame.sessionId, frame.timestamp, analysis, summary);
}
