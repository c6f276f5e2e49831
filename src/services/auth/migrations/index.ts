import { Migration } from 'kysely';
import { rateLimitsMigration } from '../../../platform/limits/rate-limits-migration';
import { outboxContentTypeMigration } from '../../../platform/messaging/content-type-migration';
import { messagingTablesMigration } from '../../../platform/messaging/messaging-migration';
import { outboxTraceContextMigration } from '../../../platform/messaging/trace-context-migration';
import * as initial from './0001_initial';

/** The auth service's migrations, applied in name order. */
export const authMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  // For auth.user.deleted.
  '0002_outbox_inbox': messagingTablesMigration,
  '0003_rate_limits': rateLimitsMigration,
  '0004_outbox_trace_context': outboxTraceContextMigration,
  '0005_outbox_content_type': outboxContentTypeMigration,
};
