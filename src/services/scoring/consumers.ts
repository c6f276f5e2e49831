import { sql } from 'kysely';
import { InterviewCompleted, ScoreCalculated } from '../../gen/events';
import { Delivery, EventBus } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS, publishEvent } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { scoreInterview } from './score-interview';
import { insertSample, isScored, lockSession, ScoringDb } from './scoring-store';

interface ConsumerDeps {
  db: ScoringDb;
  bus: EventBus;
  log: Logger;
}

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
 * one of them sees both facts and scores it.
 */
async function publishScored(deps: ConsumerDeps, scored: ScoreCalculated | undefined): Promise<void> {
  if (!scored) return;
  await publishEvent(deps.bus, EVENTS.scored, scored, scored.sessionId);
  deps.log.info({ sessionId: scored.sessionId, overall: scored.overallScore }, 'interview scored');
}

/** Consumer of `scoring.process` (interview.completed). */
export function completedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const completed = decodeEvent(EVENTS.completed, delivery);
    const scored = await deps.db.transaction().execute(async (trx) => {
      await lockSession(trx, completed.sessionId);
      if (await isScored(trx, completed.sessionId)) return undefined;
      const analysed = await countSamples(trx, completed.sessionId);
      if (analysed >= completed.framesSent) return scoreInterview(trx, completed, new Date());
      await trx
        .insertInto('pending_completions')
        .values({ session_id: completed.sessionId, frames_sent: completed.framesSent, completed_event: JSON.stringify(InterviewCompleted.toJSON(completed)) })
        .onConflict((oc) => oc.column('session_id').doNothing())
        .execute();
      deps.log.info({ sessionId: completed.sessionId, analysed, framesSent: completed.framesSent }, 'completion waits for its frames');
      return undefined;
    });
    await publishScored(deps, scored);
  };
}

/** Consumer of `scoring.emotions` (interview.emotion.analyzed). */
export function emotionAnalyzedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.emotionAnalyzed, delivery);
    const scored = await deps.db.transaction().execute(async (trx) => {
      await lockSession(trx, event.sessionId);
      await insertSample(trx, event.sessionId, event.frameNumber, {
        timestampMs: event.timestamp?.getTime() ?? delivery.properties.timestamp,
        faceDetected: event.faceDetected,
        emotion: event.emotion || null,
        confidence: event.confidence,
        blinkCount: null,
      });
      const pending = await trx.selectFrom('pending_completions').selectAll().where('session_id', '=', event.sessionId).executeTakeFirst();
      if (!pending || (await countSamples(trx, event.sessionId)) < Number(pending.frames_sent)) return undefined;
      const json = typeof pending.completed_event === 'string' ? JSON.parse(pending.completed_event) : pending.completed_event;
      return scoreInterview(trx, InterviewCompleted.fromJSON(json), new Date());
    });
    await publishScored(deps, scored);
  };
}
