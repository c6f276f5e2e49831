import { Kysely, sql } from 'kysely';
import { EventBus } from '../bus/event-bus';
import { isRetryable } from '../errors/classify';
import { UnavailableError } from '../errors/domain-errors';
import { Logger } from '../log/logger';
import { TraceCarrier, traceCarrierOf, tracedPublish } from '../telemetry/message-tracing';
import { MessagingTables } from './messaging-tables';

export interface OutboxRelayOptions {
  /** How often to look for rows nobody woke the relay for (another replica's, a crashed relay's), milliseconds. */
  pollMs: number;
  /** Rows claimed and published per round. */
  batchSize: number;
  /** How long a claim holds rows, milliseconds: a relay that dies mid-round gives them back after this. */
  leaseMs: number;
  /** Published rows and inbox entries are deleted after this long, milliseconds. */
  retentionMs: number;
  /**
   * The lease a row handed over by its writer is born with (OutboxRelay.handOver), milliseconds:
   * should this process die before publishing it, any relay publishes it after this.
   */
  handOverLeaseMs: number;
  /**
   * How long confirmed publishes wait to be marked published together, milliseconds: one UPDATE
   * for all the rows confirmed meanwhile instead of one per row. Well below handOverLeaseMs.
   */
  settleDelayMs: number;
}

export const DEFAULT_RELAY_OPTIONS: OutboxRelayOptions = {
  pollMs: 250,
  batchSize: 200,
  leaseMs: 30_000,
  retentionMs: 24 * 3600_000,
  handOverLeaseMs: 5_000,
  settleDelayMs: 100,
};

/** An outbox row as the relay publishes it. */
export interface RelayedRow {
  readonly seq: string;
  readonly message_id: string;
  readonly routing_key: string;
  readonly message_type: string;
  readonly schema_version: string;
  readonly correlation_id: string;
  readonly body: Buffer | Uint8Array;
  readonly created_at: Date | string;
  readonly trace_context: string | null;
  readonly content_type: string;
}

/** The longest pause between rounds while the database or the broker keeps failing, milliseconds. */
const MAX_BACKOFF_MS = 5_000;
const HOUSEKEEPING_EVERY_MS = 60_000;

/**
 * Publishes a service's outbox rows to the broker, in `seq` order within a round, and marks each
 * published once the broker confirmed it (publisher confirms). Rows are claimed with a lease
 * (`FOR UPDATE SKIP LOCKED`, then `claimed_until`), so replicas sharing a schema never relay the
 * same row at the same time, and no transaction stays open while publishing.
 *
 * Rows written through Outbox.transaction skip the claim: they are born leased to this process
 * (handOverLeaseMs) and handed over once committed (handOver), so a live event costs its INSERT
 * and a share of one batched UPDATE marking it published (settleDelayMs), not a claim and a mark of
 * its own. The polling rounds publish the rest: other writers' rows, released rows, and the rows
 * of a process that died holding them, once their lease ends.
 *
 * Delivery is at least once: a relay that dies after the broker's confirm and before marking the
 * row publishes it again after the lease; consumers' inboxes absorb that duplicate. A publish that
 * fails (broker down, channel closed) releases its row for the next round, with backoff.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeRequested = false;
  private stopped = true;
  private failures = 0;
  private lastHousekeeping = 0;
  private readonly db: Kysely<MessagingTables>;
  /** Rows the broker confirmed whose `published_at` is not written yet (seq). */
  private readonly confirmed = new Set<string>();
  /** Rows whose publish failed, not yet released (seq to the reason). */
  private readonly unconfirmed = new Map<string, string>();
  /** Rows handed over and not yet published. */
  private handed: RelayedRow[] = [];
  /** The hand-over's publishing, while it runs. */
  private publishingHanded: Promise<void> | undefined;
  /** The settle timer of the handed rows' outcomes. */
  private settleTimer: NodeJS.Timeout | undefined;
  /** The settle running now: settles never overlap. */
  private settling: Promise<void> = Promise.resolve();

  constructor(
    // Any service's database (Kysely<EmotionTables>, ...): its tables include MessagingTables.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely<DB> is invariant in DB, so only Kysely<any> accepts every service's Kysely<...> (as kysely's own Migration does)
    db: Kysely<any>,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly options: OutboxRelayOptions = DEFAULT_RELAY_OPTIONS,
  ) {
    this.db = db as Kysely<MessagingTables>;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /**
   * The lease, milliseconds, that rows written for handOver are born with; undefined while the
   * relay is stopped (rows are then written unleased, for the polling rounds).
   */
  get handOverLeaseMs(): number | undefined {
    return this.stopped ? undefined : this.options.handOverLeaseMs;
  }

  /**
   * Publishes rows their writer just committed, born leased to this relay (Outbox.transaction),
   * without claiming them. Rows handed over once the relay has stopped are released for the
   * rounds of its flush (flushAndStop) or, past it, left to their lease and the next relay.
   */
  handOver(rows: readonly RelayedRow[]): void {
    if (this.stopped) {
      for (const row of rows) this.unconfirmed.set(row.seq, 'the relay stopped before publishing it');
      return;
    }
    this.handed.push(...rows);
    this.publishingHanded ??= this.publishHanded().finally(() => (this.publishingHanded = undefined));
  }

  private async publishHanded(): Promise<void> {
    // Rows handed over while a batch is in flight go in the next one.
    while (this.handed.length > 0) {
      const rows = this.handed;
      this.handed = [];
      const failed = await this.publish(rows);
      // A failed publish is released at once for the polling rounds, which back off.
      if (failed > 0) this.scheduleSettle(0);
      else this.scheduleSettle(this.options.settleDelayMs);
    }
  }

  /**
   * Marks the rows already confirmed published now rather than at the next settle: for a reading
   * of the outbox (its waiting-messages gauge) that must not count them as waiting.
   */
  async settleConfirmed(): Promise<void> {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    await this.settle();
  }

  private scheduleSettle(delayMs: number): void {
    // Stopping: flushAndStop's rounds settle what is left, and no timer outlives the relay.
    if (this.stopped) return;
    if (this.settleTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.settleTimer);
    }
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.settle().catch((error: unknown) => {
        // Kept in memory: the next settle (a round's, at the latest) writes them.
        this.log.warn({ err: error }, 'could not record published outbox rows');
      });
    }, delayMs);
  }

  /** Runs a round soon (at start; rows written outside Outbox.transaction wait for the next poll). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.loop();
    }, 0);
  }

  /**
   * Publishes what is left, for at most `timeoutMs` milliseconds (graceful shutdown), then stops.
   * Returns the number of rows still unpublished (0 when flushed; the rest goes at next start-up),
   * or undefined when the database could not count them.
   */
  async flushAndStop(timeoutMs: number): Promise<number | undefined> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    await this.running;
    await this.publishingHanded;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const { claimed, failed } = await this.round();
        if (claimed === 0) break;
        if (failed > 0) await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
      } catch (error) {
        this.log.warn({ err: error }, 'outbox flush round failed');
        await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
      }
    }
    let left: number;
    try {
      left = await this.unpublished();
    } catch (error) {
      this.log.warn({ err: error }, 'could not count unpublished outbox rows at shutdown');
      return undefined;
    }
    if (left > 0) this.log.warn({ unpublished: left }, 'outbox not empty at shutdown: the rows are relayed at next start-up');
    else this.log.info('outbox flushed');
    return left;
  }

  /** Rows not yet published (all relays of this schema), or throws when the database is unreachable. */
  async unpublished(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select(sql<string>`count(*)`.as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private loop(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.running = (async () => {
      let delay = this.options.pollMs;
      try {
        const { claimed, failed } = await this.round();
        // Each failed row was logged if it needs a look; the round itself backs off like an outage.
        if (failed > 0) throw new UnavailableError(`${failed} of ${claimed} publishes failed`);
        if (this.failures > 0) this.log.info('outbox relay recovered');
        this.failures = 0;
        // A full batch means more is waiting: go again at once.
        if (claimed === this.options.batchSize) delay = 0;
        await this.housekeeping();
      } catch (error) {
        this.failures += 1;
        delay = Math.min(MAX_BACKOFF_MS, this.options.pollMs * 2 ** Math.min(this.failures, 8));
        // One warning per outage, then debug: a broker or database restart must not flood the
        // logs. A round failing for another reason (a bug) is an error every time.
        const level = !isRetryable(error) ? 'error' : this.failures === 1 ? 'warn' : 'debug';
        this.log[level]({ err: error, retryInMs: delay }, 'outbox relay round failed');
      }
      if (this.wakeRequested && this.failures === 0) delay = 0;
      this.wakeRequested = false;
      if (!this.stopped) {
        this.timer = setTimeout(() => {
          this.loop();
        }, delay);
      }
    })().finally(() => (this.running = undefined));
  }

  /** One claim-publish-mark round; first settles what an earlier round could not record. */
  private async round(): Promise<{ claimed: number; failed: number }> {
    await this.settle();
    const rows = await this.claim();
    if (rows.length === 0) return { claimed: 0, failed: 0 };
    const failed = await this.publish(rows);
    await this.settle();
    return { claimed: rows.length, failed };
  }

  /** Publishes `rows` (publisher confirms); records each outcome for settle; returns how many failed. */
  private async publish(rows: readonly RelayedRow[]): Promise<number> {
    const results = await Promise.allSettled(
      rows.map((row) =>
        tracedPublish(
          parseTraceContext(row.trace_context),
          { routingKey: row.routing_key, messageId: row.message_id, correlationId: row.correlation_id },
          (traceContext) =>
            this.bus.publish(row.routing_key, Buffer.from(row.body), {
              messageId: row.message_id,
              correlationId: row.correlation_id,
              type: row.message_type,
              schemaVersion: row.schema_version,
              timestamp: new Date(row.created_at).getTime(),
              traceContext,
              contentType: row.content_type,
            }),
        ),
      ),
    );
    let failed = 0;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') this.confirmed.add(rows[i].seq);
      else {
        failed += 1;
        const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
        // Every row is published again; a failure that is not the broker being away deserves a look.
        if (!isRetryable(result.reason)) this.log.error({ err: result.reason, messageId: rows[i].message_id }, 'outbox row could not be published');
        this.unconfirmed.set(rows[i].seq, reason.slice(0, 500));
      }
    });
    return failed;
  }

  /** Runs settleNow after any settle already running (the hand-over's and the rounds' never overlap). */
  private settle(): Promise<void> {
    const next = this.settling.catch(() => undefined).then(() => this.settleNow());
    this.settling = next;
    return next;
  }

  /**
   * Records the outcome of this relay's publishes: confirmed rows published, the others released
   * for the next round. They are kept in memory until that write succeeds, so a database outage
   * between the broker's confirm and the write neither leaves a row leased until its lease ends
   * nor publishes it again.
   */
  private async settleNow(): Promise<void> {
    if (this.confirmed.size) {
      const seqs = [...this.confirmed];
      await this.db
        .updateTable('outbox')
        .set({ published_at: sql`now()`, claimed_until: null, last_error: null })
        .where('seq', 'in', seqs)
        .execute();
      for (const seq of seqs) this.confirmed.delete(seq);
    }
    for (const [seq, reason] of [...this.unconfirmed]) {
      await this.db.updateTable('outbox').set({ claimed_until: null, last_error: reason }).where('seq', '=', seq).where('published_at', 'is', null).execute();
      this.unconfirmed.delete(seq);
    }
  }

  /** Leases the oldest unpublished, unleased rows to this relay. */
  private async claim() {
    const leaseSeconds = this.options.leaseMs / 1000;
    const rows = await this.db
      .updateTable('outbox')
      .set({ claimed_until: sql`now() + make_interval(secs => ${leaseSeconds})`, attempts: sql`attempts + 1` })
      .where('seq', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('seq')
          .where('published_at', 'is', null)
          .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', sql<Date>`now()`)]))
          .orderBy('seq')
          .limit(this.options.batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .returning([
        'seq',
        'message_id',
        'routing_key',
        'message_type',
        'schema_version',
        'correlation_id',
        'body',
        'created_at',
        'trace_context',
        'content_type',
      ])
      .execute();
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  /** Deletes published rows and inbox entries older than the retention. */
  private async housekeeping(): Promise<void> {
    if (Date.now() - this.lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    this.lastHousekeeping = Date.now();
    const retentionSeconds = this.options.retentionMs / 1000;
    const cutoff = sql<Date>`now() - make_interval(secs => ${retentionSeconds})`;
    await this.db.deleteFrom('outbox').where('published_at', '<', cutoff).execute();
    await this.db.deleteFrom('inbox').where('processed_at', '<', cutoff).execute();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A row's stored trace context; undefined when it has none or it is not the JSON object it should be. */
function parseTraceContext(column: string | null): TraceCarrier | undefined {
  if (!column) return undefined;
  try {
    const parsed: unknown = JSON.parse(column);
    return typeof parsed === 'object' && parsed !== null ? traceCarrierOf(parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
