import { Kysely, sql, Transaction } from 'kysely';
import { encodeEvent, EventKind } from '../bus/event-catalog';
import { Logger } from '../log/logger';
import { activeTraceCarrier } from '../telemetry/message-tracing';
import { MessagingTables } from './messaging-tables';
import { OutboxRelay, RelayedRow } from './outbox-relay';

/**
 * The transactional outbox of one service (its schema's `outbox` table). `transaction` runs work in
 * one database transaction; `add` writes an event in that transaction, so the event exists exactly
 * when the state change it reports does. The relay publishes committed rows to the broker
 * afterwards (OutboxRelay): at least once, which the consumers' inbox turns into exactly-once
 * effects.
 */
export class Outbox<DB extends MessagingTables> {
  constructor(
    readonly db: Kysely<DB>,
    /** Publishes the committed rows; the service host starts it and flushes it at shutdown. */
    readonly relay: OutboxRelay,
    readonly log: Logger,
    /** Told of each message a consumer's inbox finds already processed (metrics), by consumer name. */
    readonly onDuplicate: (consumer: string) => void = () => undefined,
  ) {}

  /** The rows `add` wrote in each transaction `transaction` runs: handed to the relay once committed. */
  private readonly written = new WeakMap<object, RelayedRow[]>();

  /**
   * Runs `work` in a transaction; once it has committed, hands the events it added to the relay
   * (OutboxRelay.handOver: published without a claim). Rolled back, they never existed.
   */
  async transaction<R>(work: (trx: Transaction<DB>) => Promise<R>): Promise<R> {
    const { result, rows } = await this.db.transaction().execute(async (trx) => {
      const written: RelayedRow[] = [];
      this.written.set(trx, written);
      return { result: await work(trx), rows: written };
    });
    if (rows.length > 0) this.relay.handOver(rows);
    return result;
  }

  /**
   * Writes `message` (encoded as its kind says: proto3 JSON, snake_case, or binary protobuf, with
   * its content type) to the outbox inside `trx`; returns its message id. `correlationId` is the
   * interview id.
   */
  async add<T>(trx: Transaction<DB>, kind: EventKind<T>, message: T, correlationId: string): Promise<string> {
    const event = encodeEvent(kind, message, correlationId);
    const written = this.written.get(trx);
    const leaseMs = written && this.relay.handOverLeaseMs;
    const row = {
      message_id: event.properties.messageId,
      routing_key: event.routingKey,
      message_type: event.properties.type,
      schema_version: event.properties.schemaVersion,
      correlation_id: event.properties.correlationId,
      body: event.body,
      published_at: null,
      last_error: null,
      trace_context: traceContextColumn(),
      content_type: event.properties.contentType,
    };
    const table = (trx as unknown as Transaction<MessagingTables>).insertInto('outbox');
    if (written === undefined || leaseMs === undefined) {
      // A transaction of the caller's, whose commit is not ours to see, or a relay not running:
      // a polling round claims the row.
      await table.values({ ...row, claimed_until: null }).execute();
      return row.message_id;
    }
    // Born leased to this process's relay, which publishes it once the transaction commits; the
    // lease counts as the first attempt. Should this process die first, the lease ends and any
    // relay publishes it.
    const inserted = await table
      .values({ ...row, claimed_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`, attempts: 1 })
      .returning(['seq', 'created_at'])
      .executeTakeFirstOrThrow();
    written.push({ ...row, seq: inserted.seq, created_at: inserted.created_at });
    return row.message_id;
  }
}

/** The active span's trace context as the outbox stores it (JSON), or null. */
function traceContextColumn(): string | null {
  const carrier = activeTraceCarrier();
  return carrier ? JSON.stringify(carrier) : null;
}
