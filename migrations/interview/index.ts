import { Migration } from 'kysely';
import { messagingTablesMigration } from '../messaging-tables';
import * as initial from './0001_initial';
import * as questionBank from './0002_question_bank';

/** The interview service's migrations, applied in name order. */
export const interviewMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_question_bank': questionBank,
  '0003_outbox_inbox': messagingTablesMigration,
};
