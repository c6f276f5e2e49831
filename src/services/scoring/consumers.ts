import { Transaction } from 'kysely';
import { InterviewCompleted } from '../../gen/events';
import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { scoreInterview } from './score-interview';
import { ScoringStore, ScoringTables } from './store';

/** The scoring service's queues, which are also its consumers' inbox names. */
export const SCORING_QUEUES = {
  /** interview.completed: score the interview. */
  completed: 'scoring.process',
  /** interview.emotion.analyzed: its own copy of every frame's emotion, so as not to read the emotion service's tables. */
  emotionAnalyzed: 'scoring.emotions',
} as const;

interface ConsumerDeps {
  store: ScoringStore;
  outbox: Outbox<ScoringTables>;
  log: Logger;
}

/**
 * An interview is scored once its completion has arrived and every frame it sent has been
 * analyzed, whichever comes last: both consumers take the interview's advisory lock, so exactly
 * one of them sees both facts and scores it. The scores and the interview.scored event commit in
 * the same transaction as the message's inbox entry.
 */
async function scoreAndAnnounce(deps: ConsumerDeps, trx: Transaction<ScoringTables>, completed: InterviewCompleted): Promise<void> {
  const scored = await scoreInterview(deps.store, trx, completed, new Date());
  await deps.outbox.add(trx, EVENTS.scored, scored, scored.sessionId);
  deps.log.info({ sessionId: scored.sessionId, overall: scored.overallScore }, 'interview scored');
}

/** Consumer of `scoring.process` (interview.completed). */
export function completedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const completed = decodeEvent(EVENTS.completed, delivery);
    await processOnce(deps.outbox, SCORING_QUEUES.completed, delivery, async (trx) => {
      await deps.store.lockSession(trx, completed.sessionId);
      if (await deps.store.isScored(trx, completed.sessionId)) return;
      const analyzed = await deps.store.countSamples(trx, completed.sessionId);
      if (analyzed >= completed.framesSent) return scoreAndAnnounce(deps, trx, completed);
      await deps.store.addPendingCompletion(trx, completed);
      deps.log.info({ sessionId: completed.sessionId, analyzed, framesSent: completed.framesSent }, 'completion waits for its frames');
    });
  };
}

/** Consumer of `scoring.emotions` (interview.emotion.analyzed). */
export function emotionAnalyzedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.emotionAnalyzed, delivery);
    await processOnce(deps.outbox, SCORING_QUEUES.emotionAnalyzed, delivery, async (trx) => {
      await deps.store.lockSession(trx, event.sessionId);
      await deps.store.insertSample(trx, event.sessionId, event.frameNumber, {
        timestampMs: event.timestamp?.getTime() ?? delivery.properties.timestamp,
        faceDetected: event.faceDetected,
        emotion: event.emotion || null,
        confidence: event.confidence,
        blinkCount: null,
      });
      const pending = await deps.store.pendingCompletion(trx, event.sessionId);
      if (!pending || (await deps.store.countSamples(trx, event.sessionId)) < pending.framesSent) return;
      await scoreAndAnnounce(deps, trx, pending.completed);
    });
  };
}
