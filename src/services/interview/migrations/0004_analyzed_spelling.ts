import { Kysely } from 'kysely';

/** The code spells "analyze" as the contracts do (AnalyzeFrame); the one column spelled otherwise follows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('frames').renameColumn('analysed_synchronously', 'analyzed_synchronously').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('frames').renameColumn('analyzed_synchronously', 'analysed_synchronously').execute();
}
