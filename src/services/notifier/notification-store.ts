import { Generated, Kysely } from 'kysely';
import { MessagingTables } from '../../platform/messaging/messaging-tables';

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
