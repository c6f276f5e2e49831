import { Kysely, Transaction } from 'kysely';
import { encodeEvent, EventKind } from '../bus/event-catalog';
import { Logger } from '../log/logger';
import { activeTraceCarrier } from '../telemetry/message-tracing';
import { MessagingTables } from './messaging-tables';
import { OutboxRelay } from './outbox-relay';

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

  /** Transactions `add` wrote to: only those give the relay anything to publish. */
  private readonly added = new WeakSet();

  /** Runs `work` in a transaction and, when it added an event, wakes the relay once it has committed. */
  async transaction<R>(work: (trx: Transaction<DB>) => Promise<R>): Promise<R> {
    const { result, added } = await this.db.transaction().execute(async (trx) => {
      const r = await work(trx);
      return { result: r, added: this.added.has(trx) };
    });
    // Most consumed messages add nothing: waking for them would cost a claim on an empty outbox each.
    if (added) this.relay.wake();
    return result;
  }

  /**
   * Writes `message` (encoded as its kind says: proto3 JSON, snake_case, or binary protobuf, with
   * its content type) to the outbox inside `trx`; returns its message id. `correlationId` is the
   * interview id.
   */
  async add<T>(trx: Transaction<DB>, kind: EventKind<T>, message: T, correlationId: string): Promise<string> {
    const event = encodeEvent(kind, message, correlationId);
    await (trx as unknown as Transaction<MessagingTables>)
      .insertInto('outbox')
      .values({
        message_id: event.properties.messageId,
        routing_key: event.routingKey,
        message_type: event.properties.type,
        schema_version: event.properties.schemaVersion,
        correlation_id: event.properties.correlationId,
        body: event.body,
        claimed_until: null,
        published_at: null,
        last_error: null,
        trace_context: traceContextColumn(),
        content_type: event.properties.contentType,
      })
      .execute();
    this.added.add(trx);
    return event.properties.messageId;
  }
}

/** The active span's trace context as the outbox stores it (JSON), or null. */
function traceContextColumn(): string | null {
  const carrier = activeTraceCarrier();
  return carrier ? JSON.stringify(carrier) : null;
}
