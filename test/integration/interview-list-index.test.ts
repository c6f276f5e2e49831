/**
 * ListInterviews' two queries (every interview; one candidate's), as the store builds them, on real
 * PostgreSQL with the interview service's migrations and 20,000 sessions of 200 candidates,
 * ANALYZEd: EXPLAIN shows each page, first and next, read from migration 0010's index in the ORDER
 * BY's order, stopping at the page's size, with no Sort node; and the pages are the right rows (the
 * same as sorting every row in the test). Without the migration's indexes the plan sorts instead
 * (the check can fail).
 */
import { Kysely, sql } from 'kysely';
import { DatabaseHandle, openDatabase } from '../../src/platform/db/database';
import { migrateSchema } from '../../src/platform/db/migrate';
import { silentLogger } from '../../src/platform/log/logger';
import { interviewMigrations } from '../../src/services/interview/migrations';
import { InterviewTables, listSessionIdsQuery } from '../../src/services/interview/store';
import { createTestDatabase, Disposable } from '../support/infrastructure';

jest.setTimeout(120_000);

const CANDIDATES = 200;
const SESSIONS_PER_CANDIDATE = 100;
const PAGE = 21;

/** A plan node of EXPLAIN (FORMAT JSON), the fields read here. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Scan Direction'?: string;
  readonly 'Actual Rows'?: number;
  readonly Plans?: readonly PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe("ListInterviews' queries on migration 0010's indexes", () => {
  let database: Disposable<string>;
  let handle: DatabaseHandle;
  let db: Kysely<InterviewTables>;

  /** The plan of `query` as PostgreSQL runs it (EXPLAIN ANALYZE, so rows are the ones read). */
  async function planOf(query: ReturnType<typeof listSessionIdsQuery>): Promise<PlanNode> {
    const compiled = query.compile();
    const explained = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({
      ...compiled,
      sql: `explain (analyze, format json) ${compiled.sql}`,
    });
    return explained.rows[0]['QUERY PLAN'][0].Plan;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    handle = await openDatabase({ url: database.value, dataDir: 'unused', log: silentLogger(), maxConnections: 2 });
    db = handle.forService<InterviewTables>('interview');
    await migrateSchema(handle.forService('interview'), 'interview', interviewMigrations, silentLogger());
    // 200 candidates with 100 sessions each, started a minute apart and interleaved; some start at the same instant (ties broken by id).
    await sql`
      insert into interview.users (id, external_id)
      select gen_random_uuid(), 'candidate-' || c from generate_series(1, ${CANDIDATES}) c`.execute(db);
    await sql`
      insert into interview.interview_sessions (id, user_id, status, started_at)
      select gen_random_uuid(), u.id, 'completed', timestamptz '2026-01-01' + ((n / 3) * interval '1 minute')
      from interview.users u, generate_series(1, ${SESSIONS_PER_CANDIDATE}) n`.execute(db);
    await sql`analyze interview.interview_sessions`.execute(db);
    await sql`analyze interview.users`.execute(db);
  });

  afterAll(async () => {
    await handle.close();
    await database.dispose();
  });

  /** Every session, or one candidate's, sorted here: what the pages must be. */
  async function expected(candidateId?: string): Promise<{ id: string; started_at: Date }[]> {
    let query = db.selectFrom('interview_sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(['s.id', 's.started_at']);
    if (candidateId) query = query.where('u.external_id', '=', candidateId);
    const rows = await query.execute();
    return rows.sort((a, b) => b.started_at.getTime() - a.started_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  it.each([
    { what: 'every interview', candidateId: undefined, index: 'idx_sessions_started_id' },
    { what: "one candidate's", candidateId: 'candidate-42', index: 'idx_sessions_user_started_id' },
  ])('reads $what a page at a time from $index, in order, without a sort', async ({ candidateId, index }) => {
    const all = await expected(candidateId);
    const first = listSessionIdsQuery(db, PAGE, candidateId, undefined);
    const last = all[PAGE - 1];
    const next = listSessionIdsQuery(db, PAGE, candidateId, { startedAt: last.started_at, id: last.id });

    expect(await first.execute()).toEqual(all.slice(0, PAGE));
    expect(await next.execute()).toEqual(all.slice(PAGE, 2 * PAGE));

    for (const query of [first, next]) {
      const plan = nodes(await planOf(query));
      const types = plan.map((n) => n['Node Type']);
      expect(types).not.toContain('Sort');
      expect(plan.filter((n) => n['Relation Name'] === 'interview_sessions').map((n) => n['Node Type'])).toEqual([
        expect.stringMatching(/^Index (Only )?Scan$/) as string,
      ]);
      const scan = plan.find((n) => n['Index Name'] === index);
      expect(scan).toBeDefined();
      // The index's own order (DESC, DESC) is the query's: read forward, and no further than the page.
      expect(scan?.['Scan Direction']).toBe('Forward');
      expect(scan?.['Actual Rows']).toBeLessThanOrEqual(PAGE);
      // The next page's key is a condition of the index, not a filter over the rows before it.
      expect(scan?.['Rows Removed by Filter'] ?? 0).toBe(0);
    }
  });

  it('sorts instead once the indexes are gone (so the check above can fail)', async () => {
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`drop index interview.idx_sessions_started_id`.execute(trx);
        const compiled = listSessionIdsQuery(trx, PAGE, undefined, undefined).compile();
        const explained = await trx.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({ ...compiled, sql: `explain (format json) ${compiled.sql}` });
        expect(nodes(explained.rows[0]['QUERY PLAN'][0].Plan).map((n) => n['Node Type'])).toContain('Sort');
        // Undone: the index stays for the other tests.
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    expect((await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'idx_sessions_started_id'`.execute(db)).rows[0].n).toBe(1);
  });
});

/** Thrown to roll a transaction back on purpose. */
class RolledBack extends Error {}
