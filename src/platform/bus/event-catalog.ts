import { randomUUID } from 'node:crypto';
import { EmotionAnalyzed, FrameCaptured, IntegrityFlagged, InterviewCompleted, ScoreCalculated, ScoringFailed, UserDeleted } from '../../gen/events';
import { Delivery, EventProperties } from './event-bus';
import { decodeBody, encodeBody, EventEncoding, MalformedEventError, MessageCodec } from './event-encoding';
import { RoutingKey } from './topology';

export { CONTENT_TYPES, MalformedEventError } from './event-encoding';
export type { EventEncoding, MessageCodec } from './event-encoding';

/** Version of the payload schemas in proto/events.proto (its package `interview.events.v1`). */
export const EVENT_SCHEMA_VERSION = 'v1';

/** The routing keys of the mesh's events (seed 002 section 6, docs/seeds.md): `interview.<what happened>`. */
export const ROUTING_KEYS = {
  frameCaptured: 'interview.frame.captured',
  emotionAnalyzed: 'interview.emotion.analyzed',
  completed: 'interview.completed',
  scored: 'interview.scored',
  /** The scoring service could not score a completed interview (an input it rejects). */
  scoringFailed: 'interview.scoring.failed',
  videoUploaded: 'interview.video.uploaded',
  /** An account was deleted: services that verify access tokens refuse the user's from then on. */
  userDeleted: 'auth.user.deleted',
  /** The integrity service confirmed an event that raised an interview's risk (one per event). */
  integrityFlagged: 'interview.integrity.flagged',
} as const;

/** One kind of event: its routing key, payload type, codecs and encoding. */
export interface EventKind<T> {
  readonly routingKey: RoutingKey;
  /** Full protobuf message name, sent as the AMQP `type` property. */
  readonly typeName: string;
  readonly codec: MessageCodec<T>;
  /** How encodeEvent writes it. Consumers decode either, by the delivery's content type. */
  readonly encoding: EventEncoding;
}

export const EVENTS = {
  // Binary: the frame's image would travel in base64, a third larger (unless the frame comes analysed, then without it).
  frameCaptured: { routingKey: ROUTING_KEYS.frameCaptured, typeName: 'interview.events.v1.FrameCaptured', codec: FrameCaptured, encoding: 'protobuf' },
  emotionAnalyzed: {
    routingKey: ROUTING_KEYS.emotionAnalyzed,
    typeName: 'interview.events.v1.EmotionAnalyzed',
    codec: EmotionAnalyzed,
    encoding: 'json',
  },
  completed: { routingKey: ROUTING_KEYS.completed, typeName: 'interview.events.v1.InterviewCompleted', codec: InterviewCompleted, encoding: 'json' },
  scored: { routingKey: ROUTING_KEYS.scored, typeName: 'interview.events.v1.ScoreCalculated', codec: ScoreCalculated, encoding: 'json' },
  scoringFailed: { routingKey: ROUTING_KEYS.scoringFailed, typeName: 'interview.events.v1.ScoringFailed', codec: ScoringFailed, encoding: 'json' },
  userDeleted: { routingKey: ROUTING_KEYS.userDeleted, typeName: 'interview.events.v1.UserDeleted', codec: UserDeleted, encoding: 'json' },
  integrityFlagged: {
    routingKey: ROUTING_KEYS.integrityFlagged,
    typeName: 'interview.events.v1.IntegrityFlagged',
    codec: IntegrityFlagged,
    encoding: 'json',
  },
} as const satisfies Record<string, EventKind<unknown>>;

/** An event ready for the bus: where it goes, its bytes and its envelope (its content type always set). */
export interface EncodedEvent {
  routingKey: RoutingKey;
  body: Buffer;
  properties: EventProperties & { contentType: string };
}

/**
 * Encodes `message` in its kind's encoding (proto3 JSON with snake_case field names unless the kind
 * says `protobuf`: binary) with its envelope: a fresh message id, `correlationId` (the interview
 * id), the payload type and schema version, the content type of the body (CONTENT_TYPES) and the
 * time now (milliseconds since the epoch).
 */
export function encodeEvent<T>(kind: EventKind<T>, message: T, correlationId: string): EncodedEvent {
  const { body, contentType } = encodeBody(kind.codec, kind.encoding, message);
  return {
    routingKey: kind.routingKey,
    body,
    properties: { messageId: randomUUID(), correlationId, type: kind.typeName, schemaVersion: EVENT_SCHEMA_VERSION, timestamp: Date.now(), contentType },
  };
}

/**
 * Decodes a delivery as `kind`, by its content type whatever the kind's own encoding (decodeBody:
 * none or `application/json` is proto3 JSON, `application/x-protobuf` binary). Throws
 * MalformedEventError when it is another type or schema version, has another content type, or its
 * body is not what its content type says.
 */
export function decodeEvent<T>(kind: EventKind<T>, delivery: Delivery): T {
  if (delivery.properties.type && delivery.properties.type !== kind.typeName) {
    throw new MalformedEventError(`expected ${kind.typeName}, got type ${delivery.properties.type}`);
  }
  if (delivery.properties.schemaVersion && delivery.properties.schemaVersion !== EVENT_SCHEMA_VERSION) {
    throw new MalformedEventError(`unsupported schema_version ${delivery.properties.schemaVersion} of ${kind.typeName}`);
  }
  return decodeBody(kind.codec, delivery.properties.contentType, delivery.body, kind.typeName, delivery.properties.messageId);
}
