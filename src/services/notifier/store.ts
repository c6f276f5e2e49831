import { randomUUID } from 'node:crypto';
import { Generated, Kysely, Transaction } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';
import { NotificationContent } from './domain/scored-notification';

/** The notifier's tables (schema `notifier`), with its inbox (and an outbox it does not use yet). */
export interface NotifierTables extends MessagingTables {
  notifications: {
    id: string;
    session_id: string;
    user_id: string;
    channel: string;
    subject: string;
    body: string;
    status: 'recorded' | 'sent';
    dedup_key: string;
    created_at: Generated<Date>;
  };
}

export type NotifierDb = Kysely<NotifierTables>;

/** A notification to record: about whom, by which channel, what it says, and what makes it unique. */
export interface NotificationRecord {
  sessionId: string;
  userId: string;
  channel: 'email';
  content: NotificationContent;
  /** What it is about, e.g. `scored:<session>`: a second one with the same key is not recorded. */
  dedupKey: string;
}

/** All of the notifier's SQL. */
export class NotifierStore {
  /**
   * Records the notification in `trx`, status `recorded` (no mail transport is configured yet);
   * returns false when one with its dedup key exists already.
   */
  async record(trx: Transaction<NotifierTables>, notification: NotificationRecord): Promise<boolean> {
    const result = await trx
      .insertInto('notifications')
      .values({
        id: randomUUID(),
        session_id: notification.sessionId,
        user_id: notification.userId,
        channel: notification.channel,
        subject: notification.content.subject,
        body: notification.content.body,
        status: 'recorded',
        dedup_key: notification.dedupKey,
      })
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
