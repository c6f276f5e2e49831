import fs from 'node:fs';
import path from 'node:path';
import { createFileRegistry, type DescField, type DescMessage, fromBinary, fromJson, type JsonValue, toBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { REPO_ROOT } from '../paths';

/** buf's descriptor set of proto/ with its imports (scripts/codegen.sh). */
const MESH_DESCRIPTORS = path.join(REPO_ROOT, 'src', 'gen', 'descriptors', 'mesh.binpb');

let registry: ReturnType<typeof createFileRegistry> | undefined;

/** ts-proto's binary codec of a message type (its generated `MessageFns`). */
export interface BinaryCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** A message type's proto3 JSON form, as every protobuf library prints and parses it. */
export interface ProtoJson<T> {
  /**
   * The canonical proto3 JSON of `message`: lowerCamelCase names, fields in number order, map
   * entries in key order, defaults left out, int64 as strings, Timestamps as RFC 3339. The same
   * message gives the same bytes, however its maps were filled (a map read back from PostgreSQL's
   * jsonb comes in jsonb's key order).
   */
  stringify(message: T): string;
  /** `message` as a JSON value (the object stringify prints). */
  toValue(message: T): JsonValue;
  /**
   * Reads proto3 JSON (lowerCamelCase or the proto names; fields it does not know are ignored, so a
   * document of an older or newer version reads as far as it matches).
   * @throws Error naming the field when a value has the wrong type.
   */
  parse(value: JsonValue): T;
}

/**
 * The proto3 JSON mapping of `typeName` (e.g. `interview.report.v1.InterviewReport`), by
 * @bufbuild/protobuf on the descriptors buf compiled, for ts-proto's messages: ts-proto's own
 * toJSON prints the proto names (snake_case, as the events travel), not the canonical mapping.
 * Messages cross by their binary encoding, which both agree on.
 * @throws Error when the type is not in proto/.
 */
export function protoJson<T>(typeName: string, codec: BinaryCodec<T>): ProtoJson<T> {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, fs.readFileSync(MESH_DESCRIPTORS)));
  const schema = registry.getMessage(typeName);
  if (!schema) throw new Error(`${typeName} is not a message of proto/ (src/gen/descriptors/mesh.binpb)`);
  const toValue = (message: T): JsonValue => sortMaps(schema, toJson(schema, fromBinary(schema, codec.encode(message).finish())));
  return {
    toValue,
    stringify: (message) => JSON.stringify(toValue(message)),
    parse: (value) => codec.decode(toBinary(schema, fromJson(schema, value, { ignoreUnknownFields: true }))),
  };
}

/** `value`, the JSON of a `schema` message, with the entries of every map in key order. */
function sortMaps(schema: DescMessage, value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      const desc = schema.fields.find((f) => f.jsonName === key);
      return [key, desc ? sortField(desc, field) : field];
    }),
  );
}

function sortField(field: DescField, value: JsonValue): JsonValue {
  switch (field.fieldKind) {
    case 'message':
      return sortMaps(field.message, value);
    case 'list':
      return field.listKind === 'message' && Array.isArray(value) ? value.map((item) => sortMaps(field.message, item)) : value;
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return Object.fromEntries(field.mapKind === 'message' ? entries.map(([key, item]) => [key, sortMaps(field.message, item)]) : entries);
    }
    default:
      return value;
  }
}
