import { Migration } from 'kysely';
import { rateLimitsMigration } from '../../../platform/limits/rate-limits-migration';
import { outboxContentTypeMigration } from '../../../platform/messaging/content-type-migration';
import { messagingTablesMigration } from '../../../platform/messaging/messaging-migration';
import { outboxTraceContextMigration } from '../../../platform/messaging/trace-context-migration';
import * as initial from './0001_initial';
import * as questionBank from './0002_question_bank';
import * as analyzedSpelling from './0004_analyzed_spelling';
import * as failedState from './0005_failed_state';
import * as deletedUsers from './0007_deleted_users';
import * as listOrderIndexes from './0010_list_order_indexes';

/** The interview service's migrations, applied in name order. */
export const interviewMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_question_bank': questionBank,
  '0003_outbox_inbox': messagingTablesMigration,
  '0004_analyzed_spelling': analyzedSpelling,
  '0005_failed_state': failedState,
  '0006_rate_limits': rateLimitsMigration,
  '0007_deleted_users': deletedUsers,
  '0008_outbox_trace_context': outboxTraceContextMigration,
  '0009_outbox_content_type': outboxContentTypeMigration,
  '0010_list_order_indexes': listOrderIndexes,
};
