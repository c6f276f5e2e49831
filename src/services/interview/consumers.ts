import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS, MalformedEventError } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { InterviewStore, InterviewTables } from './store';

/** The interview service's queue of interview.scored, and its consumer's inbox name. */
export const SCORED_QUEUE = 'interview.scored';

/** The interview service's queue of interview.scoring.failed, and its consumer's inbox name. */
export const SCORING_FAILED_QUEUE = 'interview.scoring-failed';

/** The interview service's queue of auth.user.deleted, and its consumer's inbox name. */
export const USER_DELETED_QUEUE = 'interview.user-deleted';

interface ConsumerDeps {
  store: InterviewStore;
  outbox: Outbox<InterviewTables>;
  log: Logger;
}

/** Consumer of `interview.scored`: the interview learns its scores exist (state SCORED), once per message. */
export function scoredHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scored, delivery);
    await processOnce(deps.outbox, SCORED_QUEUE, delivery, async (trx) => {
      if (await deps.store.markScored(trx, event.sessionId, new Date())) deps.log.info({ sessionId: event.sessionId }, 'interview marked scored');
    });
  };
}

/**
 * Consumer of `interview.scoring-failed` (interview.scoring.failed): a completed interview the
 * scoring service could not score becomes FAILED with the reason, once per message. An interview
 * that is unknown or not completed is left as it is.
 */
export function scoringFailedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scoringFailed, delivery);
    await processOnce(deps.outbox, SCORING_FAILED_QUEUE, delivery, async (trx) => {
      if (await deps.store.markFailed(trx, event.sessionId, event.reason, new Date())) {
        deps.log.warn({ sessionId: event.sessionId, reason: event.reason }, 'interview marked failed: it could not be scored');
      } else {
        deps.log.info({ sessionId: event.sessionId }, 'scoring failure ignored: the interview is not awaiting its scores');
      }
    });
  };
}

/**
 * Consumer of `interview.user-deleted` (auth.user.deleted): the account's access tokens are
 * refused from then on (the authentication interceptor asks isDeletedUser), once per message.
 */
export function userDeletedHandler(deps: ConsumerDeps) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.userDeleted, delivery);
    if (event.userId === '') throw new MalformedEventError('UserDeleted without a user_id');
    await processOnce(deps.outbox, USER_DELETED_QUEUE, delivery, async (trx) => {
      if (await deps.store.recordDeletedUser(trx, event.userId, event.deletedAt ?? new Date())) {
        deps.log.info({ audit: 'user-deleted', subject: event.userId }, 'deleted account: its access tokens are refused from now on');
      }
    });
  };
}
