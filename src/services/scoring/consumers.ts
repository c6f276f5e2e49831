import { sql } from 'kysely';
import { InterviewCompleted, ScoreCalculated } from '../../gen/events';
import { Transaction } from 'kysely';
import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { scoreInterview } from './score-interview';
import { insertSample, isScored, lockSession, ScoringDb, ScoringTables } from './scoring-store';

interface ConsumerDeps {
  outbox: Outbox<ScoringTables>;
  log: Logger;
}

/** Inbox names of the two consumers. */
const CONSUMERS = { completed: 'scoring.process', emotionAnalyzed: 'scoring.emotions' } as const;

async function countSamples(db: ScoringDb, sessionId: string): Promise<number> {
  const row = await db
    .selectFrom('emotion_samples')
    .select(sql<string>`count(*)`.as('n'))
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * An interview is scored once its completion has arrived and every frame it sent has been
 * analysed, whichever comes last: both consumers take the interview's advisory lock, so exactly
 * one of them sees both facts and scores it. The scores and the interview.scored event commit in
 * the same transaction as the message's inbox entry.
 */
async function scoreAndAnnounce(deps: ConsumerDeps, trx: Transaction<ScoringTables>, completed: InterviewCompleted): Promise<void> {
  const scored: ScoreCalculated = await scoreInterview(trx, completed, new Date());
  await deps.outbox.add(trx, EVENTS.scored, scored, scored.sessionId);
  deps.log.info({ sessionId: scored.sessionId, overall: scored.overallScore }, 'interview scored');
}

/** Consumer of `scoring.process` (interview.completed). */
export function completedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const completed = decodeEvent(EVENTS.completed, delivery);
    await processOnce(deps.outbox, CONSUMERS.completed, delivery, async (trx) => {
      await lockSession(trx, completed.sessionId);
      if (await isScored(trx, completed.sessionId)) return;
      const analysed = await countSamples(trx, completed.sessionId);
      if (analysed >= completed.framesSent) return scoreAndAnnounce(deps, trx, completed);
      await trx
        .insertInto('pending_completions')
        .values({ session_id: completed.sessionId, frames_sent: completed.framesSent, completed_event: JSON.stringify(InterviewCompleted.toJSON(completed)) })
        .onConflict((oc) => oc.column('session_id').doNothing())
        .execute();
      deps.log.info({ sessionId: completed.sessionId, analysed, framesSent: completed.framesSent }, 'completion waits for its frames');
    });
  };
}

/** Consumer of `scoring.emotions` (interview.emotion.analyzed). */
export function emotionAnalyzedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.emotionAnalyzed, delivery);
    await processOnce(deps.outbox, CONSUMERS.emotionAnalyzed, delivery, async (trx) => {
      await lockSession(trx, event.sessionId);
      await insertSample(trx, event.sessionId, event.frameNumber, {
        timestampMs: event.timestamp?.getTime() ?? delivery.properties.timestamp,
        faceDetected: event.faceDetected,
        emotion: event.emotion || null,
        confidence: event.confidence,
        blinkCount: null,
      });
      const pending = await trx.selectFrom('pending_completions').selectAll().where('session_id', '=', event.sessionId).executeTakeFirst();
      if (!pending || (await countSamples(trx, event.sessionId)) < Number(pending.frames_sent)) return;
      const json = typeof pending.completed_event === 'string' ? JSON.parse(pending.completed_event) : pending.completed_event;
      await scoreAndAnnounce(deps, trx, InterviewCompleted.fromJSON(json));
    });
  };
}
