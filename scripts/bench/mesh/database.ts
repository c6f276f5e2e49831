import { Client } from 'pg';
import { sleep } from './stats';

/** A frame's capture time (ms since the epoch) and its lags, milliseconds (BenchDatabase.lags says which). */
export interface FrameLags {
  readonly capturedAtMs: number;
  readonly receiptToSample: number;
  readonly recordedToSample: number;
  readonly receiptToAnalysis: number;
}

/**
 * What the benchmark reads from the mesh's database, as its administrator (createTestDatabase's
 * role, a member of every service's role): the tables of three services, and the cluster's WAL
 * position.
 */
export class BenchDatabase {
  private constructor(private readonly client: Client) {}

  static async connect(adminUrl: string): Promise<BenchDatabase> {
    const client = new Client({ connectionString: adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    return new BenchDatabase(client);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** The cluster's current WAL write position (pg_current_wal_lsn()), an LSN such as `0/1A2B3C4D`. */
  async walLsn(): Promise<string> {
    return (await this.client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
  }

  /** Bytes of WAL between two LSNs (pg_wal_lsn_diff). */
  async walBytes(from: string, to: string): Promise<number> {
    return Number((await this.client.query<{ bytes: string }>('select pg_wal_lsn_diff($2, $1)::bigint as bytes', [from, to])).rows[0].bytes);
  }

  /**
   * Transactions committed or rolled back in the cluster's other databases so far
   * (pg_stat_database): their work is in PostgreSQL's CPU time and WAL too.
   */
  async otherDatabasesTransactions(): Promise<number> {
    const { rows } = await this.client.query<{ n: string | null }>(
      'select sum(xact_commit + xact_rollback)::bigint as n from pg_stat_database where datname is not null and datname <> current_database()',
    );
    return Number(rows[0].n ?? 0);
  }

  /**
   * Frames of `interviews` as each service stored them: recorded by the interview service
   * (interview.frames; `queued`: recorded without a synchronous analysis, analyzed through the
   * broker), analyzed by the emotion service (emotion.emotion_analysis) and sampled by the scoring
   * service (scoring.emotion_samples).
   */
  async frameCounts(interviews: readonly string[]): Promise<{ recorded: number; queued: number; analyzed: number; sampled: number }> {
    const { rows } = await this.client.query<{ recorded: string; queued: string; analyzed: string; sampled: string }>(
      `select (select count(*) from interview.frames where session_id = any($1::uuid[])) as recorded,
              (select count(*) from interview.frames where session_id = any($1::uuid[]) and not analyzed_synchronously) as queued,
              (select count(*) from emotion.emotion_analysis where session_id = any($1::uuid[])) as analyzed,
              (select count(*) from scoring.emotion_samples where session_id = any($1::uuid[])) as sampled`,
      [interviews],
    );
    const row = rows[0];
    return { recorded: Number(row.recorded), queued: Number(row.queued), analyzed: Number(row.analyzed), sampled: Number(row.sampled) };
  }

  /**
   * Waits until the emotion and scoring services have stored `expected` frames of `interviews`
   * each, or `timeoutMs` has passed; resolves with how long it waited, milliseconds.
   */
  async drain(interviews: readonly string[], expected: number, timeoutMs: number): Promise<number> {
    const start = Date.now();
    for (;;) {
      const { analyzed, sampled } = await this.frameCounts(interviews);
      if ((analyzed >= expected && sampled >= expected) || Date.now() - start > timeoutMs) return Date.now() - start;
      await sleep(250);
    }
  }

  /**
   * Each frame of `interviews` that reached the scoring service, its lags in milliseconds:
   * - `receiptToSample`: from interview.frames.captured_at to the scoring transaction that stored
   *   its sample. captured_at is the frame's capture time, which the interview service stamps with
   *   its own clock as it takes the frame when SendFrame's timestamp_ms is 0 (the benchmark's
   *   frames: request-validation.ts captureTime), before the synchronous analysis;
   * - `recordedToSample`: from interview.frames.received_at (now() of the transaction recording the
   *   frame and its interview.frame.captured event, after the synchronous analysis);
   * - `receiptToAnalysis`: from captured_at to emotion.emotion_analysis.created_at (the emotion
   *   service's transaction storing the analysis and its interview.emotion.analyzed event).
   * The sample's time is scoring.emotion_samples.stored_at, now() of the transaction that stored it
   * (its `timestamp` is the frame's capture time). now() is when a transaction began, a few
   * milliseconds before it commits. One machine, one clock.
   */
  async lags(interviews: readonly string[]): Promise<FrameLags[]> {
    const { rows } = await this.client.query<{ captured_at_ms: number; receipt_to_sample: number; recorded_to_sample: number; receipt_to_analysis: number }>(
      `select extract(epoch from f.captured_at)::float8 * 1000 as captured_at_ms,
              extract(epoch from s.stored_at - f.captured_at)::float8 * 1000 as receipt_to_sample,
              extract(epoch from s.stored_at - f.received_at)::float8 * 1000 as recorded_to_sample,
              extract(epoch from a.created_at - f.captured_at)::float8 * 1000 as receipt_to_analysis
         from interview.frames f
         join scoring.emotion_samples s using (session_id, frame_number)
         join emotion.emotion_analysis a using (session_id, frame_number)
        where f.session_id = any($1::uuid[])`,
      [interviews],
    );
    return rows.map((r) => ({
      capturedAtMs: r.captured_at_ms,
      receiptToSample: r.receipt_to_sample,
      recordedToSample: r.recorded_to_sample,
      receiptToAnalysis: r.receipt_to_analysis,
    }));
  }
}
