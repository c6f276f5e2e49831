import { Kysely } from 'kysely';

/**
 * The `failed` state: a completed interview the scoring service could not score
 * (interview.scoring.failed), with when and why. `status` is a plain varchar(50) with no CHECK
 * constraint (0001_initial), so the new value needs no change to it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('interview_sessions').addColumn('failed_at', 'timestamptz').addColumn('failure_reason', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('interview_sessions').dropColumn('failure_reason').dropColumn('failed_at').execute();
}
