import { excerpt } from '../errors/excerpt';
import { ServiceError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The field's value when it is a non-blank string; INVALID_ARGUMENT naming the field otherwise. */
export function requireString(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') {
    throw ServiceError.invalidArgument(`${field} is required`);
  }
  return value.trim();
}

/** The field's value when it is a UUID; INVALID_ARGUMENT naming the field otherwise. */
export function requireUuid(value: string | undefined, field: string): string {
  const text = requireString(value, field);
  if (!UUID.test(text)) throw ServiceError.invalidArgument(`${field} must be a UUID, got "${excerpt(text)}"`);
  return text.toLowerCase();
}

/** Non-empty bytes; INVALID_ARGUMENT naming the field otherwise. */
export function requireBytes(value: Uint8Array | undefined, field: string): Buffer {
  if (value === undefined || value.length === 0) {
    throw ServiceError.invalidArgument(`${field} is required and must not be empty`);
  }
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}
