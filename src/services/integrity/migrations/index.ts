import { Migration } from 'kysely';
import { outboxContentTypeMigration } from '../../../platform/messaging/content-type-migration';
import { messagingTablesMigration } from '../../../platform/messaging/messaging-migration';
import { outboxTraceContextMigration } from '../../../platform/messaging/trace-context-migration';
import * as initial from './0001_initial';

/** The integrity service's migrations, applied in name order. */
export const integrityMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_outbox_inbox': messagingTablesMigration,
  '0003_outbox_trace_context': outboxTraceContextMigration,
  '0004_outbox_content_type': outboxContentTypeMigration,
};
