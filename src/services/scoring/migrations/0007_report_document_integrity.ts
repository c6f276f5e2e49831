import { Kysely } from 'kysely';

/** The table as queries see it (through the migrator's schema, which raw SQL would not get). */
const documents = (db: Kysely<unknown>) => db as Kysely<{ report_documents: { session_id: string } }>;

/**
 * A report document shows the integrity section as it was read when the document was made (the
 * integrity service's assessment, or that there was none): documents are kept per section, by
 * `integrity_digest` (SHA-256 of the section's binary encoding, hex), so that a document is remade
 * when the section changes (the assessment grew, the integrity service answered again) and read
 * back, the same bytes, while it does not. The documents kept before have no section and would
 * never be read again: they are deleted (the next request makes each again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await documents(db).deleteFrom('report_documents').execute();
  await db.schema.alterTable('report_documents').dropConstraint('report_documents_pk').execute();
  await db.schema
    .alterTable('report_documents')
    .addColumn('integrity_digest', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('report_documents')
    .addPrimaryKeyConstraint('report_documents_pk', ['session_id', 'format', 'include_emotions', 'integrity_digest'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await documents(db).deleteFrom('report_documents').execute();
  await db.schema.alterTable('report_documents').dropConstraint('report_documents_pk').execute();
  await db.schema.alterTable('report_documents').dropColumn('integrity_digest').execute();
  await db.schema.alterTable('report_documents').addPrimaryKeyConstraint('report_documents_pk', ['session_id', 'format', 'include_emotions']).execute();
}
