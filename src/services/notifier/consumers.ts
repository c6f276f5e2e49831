import { randomUUID } from 'node:crypto';
import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { NotifierTables } from './notification-store';
import { scoredNotification } from './scored-notification';

/**
 * Consumer of `notification.email` (interview.scored): records the e-mail to send, once per message
 * (inbox) and once per interview (keyed `scored:<session>`, should scoring ever announce twice). Delivery through a mail transport is not configured yet, so
 * the record's status stays `recorded`.
 */
export function scoredHandler(deps: { outbox: Outbox<NotifierTables>; log: Logger }) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scored, delivery);
    const content = scoredNotification(event);
    await processOnce(deps.outbox, 'notification.email', delivery, async (trx) => {
      const result = await trx
        .insertInto('notifications')
        .values({
          id: randomUUID(),
          session_id: event.sessionId,
          user_id: event.userId,
          channel: 'email',
          subject: content.subject,
          body: content.body,
          status: 'recorded',
          dedup_key: `scored:${event.sessionId}`,
        })
        .onConflict((oc) => oc.column('dedup_key').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) deps.log.info({ sessionId: event.sessionId, userId: event.userId }, 'notification recorded');
    });
  };
}
