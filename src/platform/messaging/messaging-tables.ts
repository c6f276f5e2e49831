import { Generated } from 'kysely';

/**
 * The transactional outbox and the consumers' inbox, present in the schema of every service that
 * publishes or consumes events (created by each service's migrations, from
 * migrations/messaging-tables.ts).
 */
export interface MessagingTables {
  /** Events written in the same transaction as the state change they report, relayed afterwards. */
  outbox: {
    /** Relay order. */
    seq: Generated<string>;
    /** The AMQP message id consumers deduplicate on (uuid). */
    message_id: string;
    routing_key: string;
    /** Full protobuf message name of the payload. */
    message_type: string;
    schema_version: string;
    /** The interview the event is about. */
    correlation_id: string;
    /** The payload, encoded as `content_type` says. */
    body: Buffer;
    created_at: Generated<Date>;
    /** A relay holds the row until then (its lease); a crashed relay's rows come back after it. */
    claimed_until: Date | null;
    /** Set once the broker confirmed the publish. */
    published_at: Date | null;
    attempts: Generated<number>;
    last_error: string | null;
    /** JSON of the W3C trace context of the transaction that wrote the row; null without tracing. */
    trace_context: string | null;
    /** MIME type of `body`, published as the AMQP `content_type`: `application/json` (the default) or `application/x-protobuf`. */
    content_type: Generated<string>;
  };
  /** Message ids a consumer has processed, written in the same transaction as the message's effect. */
  inbox: {
    consumer: string;
    message_id: string;
    processed_at: Generated<Date>;
  };
}
