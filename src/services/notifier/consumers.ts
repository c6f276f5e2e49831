import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { scoredNotification } from './domain/scored-notification';
import { NotifierStore, NotifierTables } from './store';

/** The queue of interview.scored for the notifier, and its inbox name. */
export const NOTIFICATION_QUEUE = 'notification.email';

/**
 * Consumer of `notification.email` (interview.scored): records the e-mail to send, once per message
 * (inbox) and once per interview (keyed `scored:<session>`, should scoring ever announce twice).
 * Delivery through a mail transport is not configured yet, so the record's status stays `recorded`.
 */
export function scoredHandler(deps: { store: NotifierStore; outbox: Outbox<NotifierTables>; log: Logger }) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scored, delivery);
    const content = scoredNotification(event);
    await processOnce(deps.outbox, NOTIFICATION_QUEUE, delivery, async (trx) => {
      const recorded = await deps.store.record(trx, {
        sessionId: event.sessionId,
        userId: event.userId,
        channel: 'email',
        content,
        dedupKey: `scored:${event.sessionId}`,
      });
      if (recorded) deps.log.info({ sessionId: event.sessionId, userId: event.userId }, 'notification recorded');
    });
  };
}
