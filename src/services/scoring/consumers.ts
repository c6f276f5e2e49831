import { sql, Transaction } from 'kysely';
import { InterviewCompleted, ScoreCalculated } from '../../gen/events';
import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { classifyError } from '../../platform/errors/classify';
import { Logger } from '../../platform/log/logger';
import { alreadyProcessed, applyOnce, processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { AnswerAnalyzer, answerInput } from './answer-analyzer';
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
  analyzer: AnswerAnalyzer;
  outbox: Outbox<ScoringTables>;
  log: Logger;
}

/** Longest reason an interview.scoring.failed event carries, characters. */
export const MAX_FAILURE_REASON_CHARS = 500;

/**
 * An interview is scored once its completion has arrived and every frame it sent has been
 * analyzed, whichever comes last: both consumers take the interview's advisory lock, so exactly
 * one of them sees both facts and scores it. The scores and the interview.scored event commit in
 * the same transaction as the message's inbox entry.
 *
 * An interview scoring rejects (classifyError: `rejected`, e.g. an answer longer than the analysis
 * takes) can never be scored: rather than fail the message, which would be dead-lettered with
 * nobody told, its pending completion is dropped and interview.scoring.failed announces it, in the
 * same transaction. Any other error is thrown (the message is retried, then dead-lettered).
 */
async function scoreAndAnnounce(deps: ConsumerDeps, trx: Transaction<ScoringTables>, completed: InterviewCompleted): Promise<void> {
  // Whatever a rejected attempt wrote is undone, and the transaction stays usable for the verdict.
  await sql`savepoint scoring_attempt`.execute(trx);
  let scored: ScoreCalculated;
  try {
    scored = await scoreInterview(deps.store, deps.analyzer, trx, completed, new Date());
  } catch (error) {
    if (classifyError(error) !== 'rejected') throw error;
    await sql`rollback to savepoint scoring_attempt`.execute(trx);
    return announceFailure(deps, trx, completed, error);
  }
  await sql`release savepoint scoring_attempt`.execute(trx);
  await deps.outbox.add(trx, EVENTS.scored, scored, scored.sessionId);
  deps.log.info({ sessionId: scored.sessionId, overall: scored.overallScore }, 'interview scored');
}

/** Drops the interview's pending completion and writes interview.scoring.failed with the reason. */
async function announceFailure(deps: ConsumerDeps, trx: Transaction<ScoringTables>, completed: InterviewCompleted, error: unknown): Promise<void> {
  const reason = failureReason(error);
  await deps.store.deletePendingCompletion(trx, completed.sessionId);
  await deps.outbox.add(
    trx,
    EVENTS.scoringFailed,
    { sessionId: completed.sessionId, userId: completed.userId, reason, failedAt: new Date() },
    completed.sessionId,
  );
  deps.log.warn({ sessionId: completed.sessionId, reason }, 'interview cannot be scored: scoring failed');
}

/** The error's message, at most MAX_FAILURE_REASON_CHARS characters (code points, so none is split). */
function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const chars = Array.from(message);
  return chars.length <= MAX_FAILURE_REASON_CHARS ? message : chars.slice(0, MAX_FAILURE_REASON_CHARS).join('');
}

/** Consumer of `scoring.process` (interview.completed). */
export function completedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const completed = decodeEvent(EVENTS.completed, delivery);
    // The analyses (model inference, perhaps an LLM judge's calls) before the transaction, not while
    // it holds a connection and the interview's lock: the analyzer keeps them for scoreInterview. Not
    // for a redelivery already processed (processOnce deduplicates and logs it).
    if (!(await alreadyProcessed(deps.outbox, SCORING_QUEUES.completed, delivery))) {
      await deps.analyzer.prepare(completed.answers.map(answerInput));
    }
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

/**
 * Consumer of `scoring.emotions` (interview.emotion.analyzed). Idempotent by the sample's key
 * (interview, frame number) rather than the inbox: a frame sampled already (a redelivery, or the
 * same frame announced twice) changes nothing, and saves each frame an inbox row. Its advisory lock
 * orders it with the completion's consumer, so the interview is scored once, by whichever of them
 * finds every frame sampled.
 */
export function emotionAnalyzedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.emotionAnalyzed, delivery);
    await applyOnce(deps.outbox, SCORING_QUEUES.emotionAnalyzed, delivery, async (trx) => {
      await deps.store.lockSession(trx, event.sessionId);
      const inserted = await deps.store.insertSample(trx, event.sessionId, event.frameNumber, {
        timestampMs: event.timestamp?.getTime() ?? delivery.properties.timestamp,
        faceDetected: event.faceDetected,
        emotion: event.emotion || null,
        confidence: event.confidence,
        // The interview's blinks so far, when the emotion service tracked them for this frame.
        blinkCount: event.blinksTracked ? event.blinkCount : null,
      });
      // Sampled before: whatever that sample made happen has happened.
      if (!inserted) return false;
      const pending = await deps.store.pendingCompletion(trx, event.sessionId);
      if (!pending || (await deps.store.countSamples(trx, event.sessionId)) < pending.framesSent) return true;
      await scoreAndAnnounce(deps, trx, pending.completed);
      return true;
    });
  };
}
