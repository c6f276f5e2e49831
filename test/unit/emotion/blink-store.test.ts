/**
 * EmotionStore.recordBlinkSample's single INSERT ... ON CONFLICT DO UPDATE against blink-tracker.ts's applyEyeSample,
 * on embedded PGlite (PostgreSQL in WebAssembly, in memory): the same sample sequences must give
 * the same state, column by column. Concurrency across replicas on real PostgreSQL is
 * test/integration/emotion-replicas.test.ts's.
 */
import { Kysely } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { emotionMigrations } from '../../../src/services/emotion/migrations';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { silentLogger } from '../../../src/platform/log/logger';
import { EmotionStore, EmotionTables } from '../../../src/services/emotion/store';
import {
  applyEyeSample,
  BlinkState,
  BlinkSummary,
  EyeSample,
  MAX_BLINK_MS,
  MIN_BLINK_MS,
  summarizeBlinks,
} from '../../../src/services/emotion/domain/blink/blink-tracker';

const OPEN = 0.32;
const CLOSED = 0.2;
const T0 = 1_700_000_000_000;

describe('the blink state: one UPSERT per frame, the same rule as applyEyeSample', () => {
  let db: Kysely<unknown>;
  let store: EmotionStore;

  beforeAll(async () => {
    db = new Kysely<unknown>({ dialect: new PGliteDialect(await PGlite.create('memory://')) });
    await migrateSchema(db.withSchema('emotion'), 'emotion', emotionMigrations, silentLogger());
    store = new EmotionStore(db.withSchema('emotion') as unknown as Kysely<EmotionTables>);
  });
  afterAll(() => db.destroy());

  /** Every sample through both; the store's summary after each must equal the rule's. */
  async function compare(sessionId: string, samples: EyeSample[]): Promise<BlinkSummary> {
    let state: BlinkState | undefined;
    let last: BlinkSummary | undefined;
    for (const sample of samples) {
      state = applyEyeSample(state, sample).state;
      last = await store.recordBlinkSample(sessionId, sample);
      expect(last).toEqual(summarizeBlinks(state));
    }
    return last!;
  }

  const at = (ears: number[], intervalMs: number): EyeSample[] => ears.map((ear, i) => ({ timestampMs: T0 + i * intervalMs, ear }));

  it('counts blinks at 30 fps and at 2 fps as the rule does', async () => {
    // The second run is one frame (33 ms): noise, not a blink.
    expect((await compare('fps30', at([OPEN, OPEN, CLOSED, CLOSED, CLOSED, OPEN, OPEN, CLOSED, OPEN], 33))).count).toBe(1);
    expect((await compare('fps2', at([OPEN, CLOSED, OPEN, OPEN, CLOSED, OPEN], 500))).count).toBe(2);
  });

  it('starts a session on a closed frame, and ignores eyes kept closed and one-frame noise', async () => {
    const samples = [
      { timestampMs: T0, ear: CLOSED },
      { timestampMs: T0 + 200, ear: OPEN },
      { timestampMs: T0 + 300, ear: CLOSED },
      { timestampMs: T0 + 300 + MAX_BLINK_MS + 1, ear: OPEN },
      { timestampMs: T0 + 2_000, ear: CLOSED },
      { timestampMs: T0 + 2_000 + MIN_BLINK_MS - 1, ear: OPEN },
    ];
    expect((await compare('edges', samples)).count).toBe(1);
  });

  it('changes nothing for a repeated or late frame', async () => {
    const samples = at([OPEN, CLOSED, OPEN], 300);
    await compare('late', samples);
    const before = await store.currentBlinks('late');
    expect(await store.recordBlinkSample('late', { timestampMs: T0 + 300, ear: OPEN })).toEqual(before);
    expect(await store.recordBlinkSample('late', { timestampMs: T0 - 1, ear: CLOSED })).toEqual(before);
    expect(await store.currentBlinks('late')).toEqual(before);
  });

  it('loses no update when frames of one session arrive at once', async () => {
    const samples = at([OPEN, CLOSED, OPEN, CLOSED, OPEN, CLOSED, OPEN, OPEN], 250);
    await Promise.all(samples.map((s) => store.recordBlinkSample('concurrent', s)));
    // Arrival order is not timestamp order here, so only frames later than the latest counted apply;
    // what is certain is that the latest frame was counted and the row stayed whole.
    const summary = await store.currentBlinks('concurrent');
    expect(summary).toBeDefined();
    const frames = await (db.withSchema('emotion') as unknown as Kysely<EmotionTables>)
      .selectFrom('blink_tracks')
      .select(['frames', 'last_timestamp_ms'])
      .where('session_id', '=', 'concurrent')
      .executeTakeFirstOrThrow();
    expect(Number(frames.last_timestamp_ms)).toBe(T0 + 7 * 250);
  });
});
