import { Generated, Kysely } from 'kysely';

/** The notifier's tables (schema `notifier`). */
export interface NotifierTables {
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
