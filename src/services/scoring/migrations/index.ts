import { Migration } from 'kysely';
import { outboxContentTypeMigration } from '../../../platform/messaging/content-type-migration';
import { messagingTablesMigration } from '../../../platform/messaging/messaging-migration';
import { outboxTraceContextMigration } from '../../../platform/messaging/trace-context-migration';
import * as initial from './0001_initial';
import * as reportDocuments from './0005_report_documents';
import * as sampleStoredAt from './0006_sample_stored_at';
import * as reportDocumentIntegrity from './0007_report_document_integrity';

/** The scoring service's migrations, applied in name order. */
export const scoringMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_outbox_inbox': messagingTablesMigration,
  '0003_outbox_trace_context': outboxTraceContextMigration,
  '0004_outbox_content_type': outboxContentTypeMigration,
  '0005_report_documents': reportDocuments,
  '0006_sample_stored_at': sampleStoredAt,
  '0007_report_document_integrity': reportDocumentIntegrity,
};
