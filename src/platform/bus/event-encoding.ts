import { UnprocessableMessageError } from './event-bus';

/**
 * How an event's payload travels: `json`, proto3 JSON with the proto field names (snake_case),
 * readable without the types; `protobuf`, the binary wire format, for payloads whose bytes fields
 * base64 would inflate by a third (a frame's image).
 */
export type EventEncoding = 'json' | 'protobuf';

/** The AMQP `content_type` of each encoding: what a consumer decodes a body by. */
export const CONTENT_TYPES = { json: 'application/json', protobuf: 'application/x-protobuf' } as const satisfies Record<EventEncoding, string>;

/**
 * A payload type's codecs, as ts-proto generates them (its `MessageFns`): proto3 JSON and binary
 * protobuf. Every kind of event has both, so a consumer decodes whichever its producer sent.
 */
export interface MessageCodec<T> {
  toJSON(message: T): unknown;
  fromJSON(object: unknown): T;
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** A message that is not the event its queue carries: dead-lettering it is all one can do. */
export class MalformedEventError extends UnprocessableMessageError {}

/** `message` as `encoding` writes it: the body's bytes and its content type (CONTENT_TYPES). */
export function encodeBody<T>(codec: MessageCodec<T>, encoding: EventEncoding, message: T): { body: Buffer; contentType: string } {
  if (encoding === 'protobuf') {
    const bytes = codec.encode(message).finish();
    return { body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType: CONTENT_TYPES.protobuf };
  }
  return { body: Buffer.from(JSON.stringify(codec.toJSON(message))), contentType: CONTENT_TYPES.json };
}

/**
 * Decodes `body` by its `contentType`: none (a producer from before content types) or
 * `application/json` as proto3 JSON, `application/x-protobuf` as binary protobuf; media type
 * parameters (`; charset=utf-8`) and case are ignored. Throws MalformedEventError, naming
 * `typeName` and `messageId`, for any other content type and for a body that is not what its
 * content type says (not JSON, not a JSON object, not protobuf).
 */
export function decodeBody<T>(codec: MessageCodec<T>, contentType: string | undefined, body: Buffer, typeName: string, messageId: string): T {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === '' || mediaType === CONTENT_TYPES.json) return decodeJson(codec, body, typeName, messageId);
  if (mediaType === CONTENT_TYPES.protobuf) {
    try {
      return codec.decode(body);
    } catch (error) {
      throw new MalformedEventError(`${typeName} ${messageId} is not protobuf: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new MalformedEventError(`${typeName} ${messageId} has content type ${contentType}; expected ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf}`);
}

function decodeJson<T>(codec: MessageCodec<T>, body: Buffer, typeName: string, messageId: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new MalformedEventError(`${typeName} ${messageId} is not JSON`);
  }
  if (typeof json !== 'object' || json === null) throw new MalformedEventError(`${typeName} is not a JSON object`);
  return codec.fromJSON(json);
}
