import { Transaction } from 'kysely';
import { EmotionResponse } from '../../gen/emotion';
import { EmotionAnalyzed, FrameCaptured } from '../../gen/events';
import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { classifyError } from '../../platform/errors/classify';
import { Logger } from '../../platform/log/logger';
import { alreadyProcessed, applyOnce, processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { Provisioned } from '../../platform/service/provisioned';
import { EmotionStore, EmotionTables, StoredAnalysis } from './store';
import { SessionBlinks } from './session-blinks';
import { FrameAnalysisService } from './analysis-pool';
import { analyzeSessionFrame } from './analyze-session-frame';

/** The emotion service's queue of interview.frame.captured, and its consumer's inbox name. */
export const ANALYSIS_QUEUE = 'emotion.analysis';

/**
 * Consumer of `emotion.analysis` (interview.frame.captured): stores each frame's analysis and
 * announces it as interview.emotion.analyzed, both in one transaction (with the message's inbox
 * entry for a frame analysed here; a frame with its analysis is deduplicated by the analysis's
 * key). A frame that arrives with its synchronous analysis (and then without its image or the
 * analysis' landmarks, which it does not need) is stored as is, not analyzed again; a frame the
 * models reject (not an image) is stored as analyzed with no face and the reason, so that every
 * frame sent yields exactly one analysis.
 */
export function frameCapturedHandler(deps: {
  analyzer: Provisioned<FrameAnalysisService>;
  blinks: SessionBlinks;
  store: EmotionStore;
  outbox: Outbox<EmotionTables>;
  log: Logger;
}) {
  return async (delivery: Delivery): Promise<void> => {
    const frame = decodeEvent(EVENTS.frameCaptured, delivery);
    // A redelivery of a frame needing inference: skip the models (processOnce would discard the result
    // anyway). A frame with its analysis has nothing to skip; processOnce deduplicates and logs it.
    if (!frame.analysis && (await alreadyProcessed(deps.outbox, ANALYSIS_QUEUE, delivery))) return;
    const timestampMs = frame.timestamp?.getTime() ?? delivery.properties.timestamp;
    const { response, error } = frame.analysis
      ? { response: frame.analysis, error: undefined }
      : await analyze(deps.analyzer.get(), deps.blinks, frame, timestampMs);
    const face = response?.faceMetrics;
    const analysis: StoredAnalysis = {
      sessionId: frame.sessionId,
      frameNumber: frame.frameNumber,
      timestamp: new Date(timestampMs),
      // No emotion classified reads '' in the proto message, stored as null.
      emotion: response?.emotion === undefined || response.emotion === '' ? null : response.emotion,
      confidence: response?.emotion ? response.confidence : null,
      faceDetected: face?.detected ?? false,
      faceBox: face?.detected && face.boundingBox ? face.boundingBox : null,
      // The session's blinks so far as of this frame; null when it was not tracked (no session, timestamp or face yet).
      blinkCount: response?.blinkMetrics ? response.blinkMetrics.count : null,
      metadata: {
        source: frame.analysis ? 'synchronous' : 'queue',
        detection_confidence: face?.detectionConfidence ?? 0,
        ...(error ? { error } : {}),
      },
    };
    const event: EmotionAnalyzed = {
      sessionId: frame.sessionId,
      timestamp: analysis.timestamp,
      emotion: analysis.emotion ?? '',
      confidence: analysis.confidence ?? 0,
      blinkCount: analysis.blinkCount ?? 0,
      metadata: analysis.metadata,
      frameNumber: frame.frameNumber,
      faceDetected: analysis.faceDetected,
      // So that scoring tells "no blink yet" (0, tracked) from "not tracked" (0, meaningless).
      blinksTracked: analysis.blinkCount !== null,
    };
    const store = async (trx: Transaction<EmotionTables>): Promise<boolean> => {
      const stored = await deps.store.insertAnalysis(trx, analysis);
      if (stored) await deps.outbox.add(trx, EVENTS.emotionAnalyzed, event, frame.sessionId);
      return stored;
    };
    if (!frame.analysis) {
      // Analysed here: the inbox, which alreadyProcessed read before the models, records the message.
      await processOnce(deps.outbox, ANALYSIS_QUEUE, delivery, async (trx) => {
        if (!(await store(trx)))
          deps.log.warn({ sessionId: frame.sessionId, frame: frame.frameNumber }, 'frame analyzed already under another message id: not announced again');
      });
      return;
    }
    // Analysed already: the analysis's key (interview, frame number) makes storing it idempotent,
    // with no inbox row per frame; a frame stored before is a duplicate, announced once.
    await applyOnce(deps.outbox, ANALYSIS_QUEUE, delivery, store);
  };
}

async function analyze(
  analyzer: FrameAnalysisService,
  blinks: SessionBlinks,
  frame: FrameCaptured,
  timestampMs: number,
): Promise<{ response?: EmotionResponse; error?: string }> {
  try {
    // A queued frame is analyzed, and counts towards its session's blinks, as AnalyzeFrame would have.
    return {
      response: await analyzeSessionFrame(
        analyzer,
        blinks,
        { sessionId: frame.sessionId, timestamp: timestampMs, imageData: frame.imageData, format: frame.format },
        { background: true },
      ),
    };
  } catch (error) {
    // A bad image is the frame's fault, not a reason to retry: record why and move on. Anything
    // else (the models still loading or shutting down, the database away) is no verdict on the
    // frame: the message is retried, and never stored as a frame that could not be analyzed.
    if (classifyError(error) === 'rejected') return { error: error instanceof Error ? error.message : String(error) };
    throw error;
  }
}
