import { BOUNDS } from '../../platform/contracts/bounds';
import { InvalidInputError, LimitExceededError } from '../../platform/errors/domain-errors';

// RFC 4648 section 4's alphabet, padded.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The image bytes of a frame sent as base64 (seed 003 section 5's `image`); InvalidInputError naming `field` when it is not base64 or empty. */
export function decodeBase64Image(text: string, field: string): Buffer {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new InvalidInputError(`${field} must be base64 (RFC 4648, padded)`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0) throw new InvalidInputError(`${field} is empty`);
  if (bytes.length > BOUNDS.frameBytes) throw new LimitExceededError(`${field} is ${bytes.length} bytes; the limit is ${BOUNDS.frameBytes}`);
  return bytes;
}
