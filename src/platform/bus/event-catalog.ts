import { randomUUID } from 'node:crypto';
import { EmotionAnalyzed, FrameCaptured, InterviewCompleted, ScoreCalculated, ScoringFailed, UserDeleted } from '../../gen/events';
import { Delivery, EventProperties, UnprocessableMessageError } from './event-bus';
import { RoutingKey } from './topology';

/** Version of the payload schemas in proto/events.proto (its package `interview.events.v1`). */
export const EVENT_SCHEMA_VERSION = 'v1';

/** A ts-proto message's JSON codec. */
interface JsonCodec<T> {
  toJSON(message: T): unknown;
  fromJSON(object: unknown): T;
}

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
} as const;

/** One kind of event: its routing key, payload type and codec. */
export interface EventKind<T> {
  readonly routingKey: RoutingKey;
  /** Full protobuf message name, sent as the AMQP `type` property. */
  readonly typeName: string;
  readonly codec: JsonCodec<T>;
}

export const EVENTS = {
  frameCaptured: { routingKey: ROUTING_KEYS.frameCaptured, typeName: 'interview.events.v1.FrameCaptured', codec: FrameCaptured },
  emotionAnalyzed: { routingKey: ROUTING_KEYS.emotionAnalyzed, typeName: 'interview.events.v1.EmotionAnalyzed', codec: EmotionAnalyzed },
  completed: { routingKey: ROUTING_KEYS.completed, typeName: 'interview.events.v1.InterviewCompleted', codec: InterviewCompleted },
  scored: { routingKey: ROUTING_KEYS.scored, typeName: 'interview.events.v1.ScoreCalculated', codec: ScoreCalculated },
  scoringFailed: { routingKey: ROUTING_KEYS.scoringFailed, typeName: 'interview.events.v1.ScoringFailed', codec: ScoringFailed },
  userDeleted: { routingKey: ROUTING_KEYS.userDeleted, typeName: 'interview.events.v1.UserDeleted', codec: UserDeleted },
} as const satisfies Record<string, EventKind<unknown>>;

/** A message that is not the event its queue carries: dead-lettering it is all one can do. */
export class MalformedEventError extends UnprocessableMessageError {}

/** An event ready for the bus: where it goes, its bytes and its envelope. */
export interface EncodedEvent {
  routingKey: RoutingKey;
  body: Buffer;
  properties: EventProperties;
}

/**
 * Encodes `message` as proto3 JSON (snake_case field names) with its envelope: a fresh message id,
 * `correlationId` (the interview id), the payload type and schema version, and the time now
 * (milliseconds since the epoch).
 */
export function encodeEvent<T>(kind: EventKind<T>, message: T, correlationId: string): EncodedEvent {
  return {
    routingKey: kind.routingKey,
    body: Buffer.from(JSON.stringify(kind.codec.toJSON(message))),
    properties: { messageId: randomUUID(), correlationId, type: kind.typeName, schemaVersion: EVENT_SCHEMA_VERSION, timestamp: Date.now() },
  };
}

/** Decodes a delivery as `kind`; throws MalformedEventError when it is another type or not JSON. */
export function decodeEvent<T>(kind: EventKind<T>, delivery: Delivery): T {
  if (delivery.properties.type && delivery.properties.type !== kind.typeName) {
    throw new MalformedEventError(`expected ${kind.typeName}, got type ${delivery.properties.type}`);
  }
  if (delivery.properties.schemaVersion && delivery.properties.schemaVersion !== EVENT_SCHEMA_VERSION) {
    throw new MalformedEventError(`unsupported schema_version ${delivery.properties.schemaVersion} of ${kind.typeName}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(delivery.body.toString('utf8'));
  } catch {
    throw new MalformedEventError(`${kind.typeName} ${delivery.properties.messageId} is not JSON`);
  }
  if (typeof json !== 'object' || json === null) throw new MalformedEventError(`${kind.typeName} is not a JSON object`);
  return kind.codec.fromJSON(json);
}
