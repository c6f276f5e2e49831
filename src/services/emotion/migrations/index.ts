import { Migration } from 'kysely';
import { outboxContentTypeMigration } from '../../../platform/messaging/content-type-migration';
import { messagingTablesMigration } from '../../../platform/messaging/messaging-migration';
import { outboxTraceContextMigration } from '../../../platform/messaging/trace-context-migration';
import * as initial from './0001_initial';
import * as blinkTracks from './0002_blink_tracks';

/** The emotion service's migrations, applied in name order. */
export const emotionMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_blink_tracks': blinkTracks,
  '0003_outbox_inbox': messagingTablesMigration,
  '0004_outbox_trace_context': outboxTraceContextMigration,
  '0005_outbox_content_type': outboxContentTypeMigration,
};
