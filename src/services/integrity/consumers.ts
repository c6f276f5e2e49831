import { FrameCaptured } from '../../gen/events';
import { Delivery, DeliveryHandler } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { isSampleDue } from '../../platform/contracts/integrity-sampling';
import { InvalidInputError } from '../../platform/errors/domain-errors';
import { Logger } from '../../platform/log/logger';
import { applyOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { Provisioned } from '../../platform/service/provisioned';
import { advance, freshSession, observationOf } from './assessment';
import { RiskPolicy } from './domain/risk';
import { IntegrityFrameAnalyzer } from './frame-analyzer';
import { MAX_SESSION_ID_CHARS } from './handlers';
import { IntegrityStore, IntegrityTables } from './store';
import { toIntegrityFlagged } from './to-proto';

/** The integrity service's queue of interview.frame.captured, and its consumer's name. */
export const FRAMES_QUEUE = 'integrity.frames';

/** What became of a frame the consumer received (`integrity_frames_total{outcome}`). */
export type FrameOutcome = 'analyzed' | 'skipped_no_image' | 'skipped_interval' | 'duplicate';

export const FRAME_OUTCOMES: readonly FrameOutcome[] = ['analyzed', 'skipped_no_image', 'skipped_interval', 'duplicate'];

export interface FramesConsumerDeps {
  readonly analyzer: Provisioned<IntegrityFrameAnalyzer>;
  readonly store: IntegrityStore;
  readonly outbox: Outbox<IntegrityTables>;
  readonly policy: RiskPolicy;
  /** INTEGRITY_SAMPLE_INTERVAL_MS (0: no frame is analysed). */
  readonly sampleIntervalMs: number;
  /** INTEGRITY_OBJECTS_EVERY: the object detector runs on the session's 1st, (1+N)th, (1+2N)th ... analysed frame. */
  readonly objectsEvery: number;
  readonly log: Logger;
  /** Told each frame's outcome (metrics). */
  readonly counted?: (outcome: FrameOutcome) => void;
}

/**
 * Consumer of `integrity.frames` (interview.frame.captured). A frame without its image (analysed
 * by the emotion service and not sampled for integrity), or within the sampling interval of its
 * session's last analysed frame (or earlier than it), is acked and counted as skipped. Any other
 * goes through the models, then, in ONE transaction under its session's row lock: the frame's
 * idempotency key (session, frame number) checked and written, the risk engine's `observe` on the
 * session's state, the new state and events stored, and an interview.integrity.flagged per event
 * written to the outbox. A frame whose effect is stored already (a redelivery, the same frame under
 * another message id) changes nothing and counts as a duplicate. A malformed event or an image the
 * decoder refuses (not JPEG or PNG, over 8 MiB or 4096 x 4096) is rejected: the platform
 * dead-letters it at once; the models still loading or the database away are retried.
 */
export function framesHandler(deps: FramesConsumerDeps): DeliveryHandler {
  return async (delivery) => {
    await consumeFrame(deps, delivery);
  };
}

/** framesHandler's work on one delivery, resolving with what became of the frame (also told to `deps.counted`). */
export async function consumeFrame(deps: FramesConsumerDeps, delivery: Delivery): Promise<FrameOutcome> {
  const outcome = await handle(deps, delivery);
  deps.counted?.(outcome);
  return outcome;
}

async function handle(deps: FramesConsumerDeps, delivery: Delivery): Promise<FrameOutcome> {
  const frame = decodeEvent(EVENTS.frameCaptured, delivery);
  const { sessionId, frameNumber } = checkFrame(frame);
  if (frame.imageData.length === 0) return 'skipped_no_image';
  const timestampMs = frame.timestamp?.getTime() ?? delivery.properties.timestamp;
  if (!Number.isFinite(timestampMs) || timestampMs <= 0) {
    throw new InvalidInputError(`frame ${frameNumber} of session ${sessionId} has no capture time`);
  }

  // Hints before the models run (the transaction decides): a frame stored already, or not due.
  const known = await deps.store.session(sessionId);
  if (known && known.framesAnalyzed > 0) {
    if (await deps.store.isAnalyzed(deps.store.db, sessionId, frameNumber)) return duplicate(deps, delivery);
    if (!isSampleDue(timestampMs, known.lastFrameAt.getTime(), deps.sampleIntervalMs)) return 'skipped_interval';
  } else if (deps.sampleIntervalMs <= 0) {
    return 'skipped_interval';
  }
  const analysed = known?.framesAnalyzed ?? 0;
  const objects = analysed % deps.objectsEvery === 0;
  const findings = await deps.analyzer.get().analyze(frame.imageData, frame.format, { objects, background: true });
  const observation = observationOf(findings, timestampMs, frameNumber);

  let outcome: FrameOutcome = 'analyzed';
  await applyOnce(deps.outbox, FRAMES_QUEUE, delivery, async (trx) => {
    const session = await deps.store.lockSession(trx, freshSession(sessionId, timestampMs, frameNumber));
    if (session.framesAnalyzed > 0) {
      if (await deps.store.isAnalyzed(trx, sessionId, frameNumber)) return false;
      // Another replica analysed a frame of the session meanwhile: this one may no longer be due.
      if (!isSampleDue(timestampMs, session.lastFrameAt.getTime(), deps.sampleIntervalMs)) {
        outcome = 'skipped_interval';
        return true;
      }
    }
    const next = advance(session, observation, deps.policy);
    // Not after the session's latest frame (the engine's own guard; the interval check makes it rare).
    if (next.skipped) {
      outcome = 'skipped_interval';
      return true;
    }
    await deps.store.markAnalyzed(trx, sessionId, frameNumber, new Date(timestampMs));
    await deps.store.saveSession(trx, next.record);
    await deps.store.insertEvents(trx, sessionId, next.events);
    for (const event of next.events) {
      await deps.outbox.add(trx, EVENTS.integrityFlagged, toIntegrityFlagged(sessionId, event, next.verdict, new Date()), sessionId);
    }
    if (next.events.length > 0) {
      deps.log.info({ sessionId, frame: frameNumber, events: next.events.map((e) => e.kind), risk: next.risk }, 'integrity events confirmed');
    }
    return true;
  }).then((applied) => {
    if (!applied) outcome = 'duplicate';
  });
  return outcome;
}

/** The frame's session id and number, or InvalidInputError (a malformed event: dead-lettered). */
function checkFrame(frame: FrameCaptured): { sessionId: string; frameNumber: number } {
  const sessionId = frame.sessionId.trim();
  if (sessionId === '' || sessionId.length > MAX_SESSION_ID_CHARS) {
    throw new InvalidInputError(`a frame event's session_id must be 1 to ${MAX_SESSION_ID_CHARS} characters, got ${sessionId.length}`);
  }
  if (!Number.isSafeInteger(frame.frameNumber) || frame.frameNumber < 0) {
    throw new InvalidInputError(`frame_number must be a non-negative integer, got ${frame.frameNumber}`);
  }
  return { sessionId, frameNumber: frame.frameNumber };
}

function duplicate(deps: FramesConsumerDeps, delivery: Delivery): FrameOutcome {
  deps.outbox.log.info({ consumer: FRAMES_QUEUE, messageId: delivery.properties.messageId, redelivered: delivery.redelivered }, 'duplicate message ignored');
  deps.outbox.onDuplicate(FRAMES_QUEUE);
  return 'duplicate';
}
