import { Kysely, sql } from 'kysely';

/**
 * The report's documents, made once and kept: a PDF for each way it is asked for (with or without
 * the emotion timeline), made on the first GenerateReport that asks for it. The typed report itself
 * stays in `reports.report` (its proto3 JSON, schema 2; schema 1 before, which reads the same way).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_documents')
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('reports.session_id').onDelete('cascade'))
    .addColumn('format', 'varchar(8)', (c) => c.notNull())
    .addColumn('include_emotions', 'boolean', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('report_documents_pk', ['session_id', 'format', 'include_emotions'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('report_documents').execute();
}
