import { InvalidInputError } from '../../../platform/errors/domain-errors';

/** Longest email address (RFC 5321 section 4.5.3.1.3's path limit less the brackets). */
export const MAX_EMAIL_LENGTH = 254;
/** Shortest and longest password accepted (NIST SP 800-63B section 5.1.1.2: at least 8, allow 64 or more). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Local part, @, a domain with at least one dot; no spaces. Deliverability is not checked. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The email, trimmed and lower-cased (one account per address whatever its case); InvalidInputError otherwise. */
export function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (value.length === 0) throw new InvalidInputError('email is required');
  if (value.length > MAX_EMAIL_LENGTH) throw new InvalidInputError(`email is ${value.length} characters; the limit is ${MAX_EMAIL_LENGTH}`);
  if (!EMAIL.test(value)) throw new InvalidInputError('email must look like name@example.com');
  return value;
}

/**
 * The password when its length is within the bounds, counting each Unicode code point as one
 * character as NIST SP 800-63B asks; InvalidInputError otherwise, never echoing it.
 */
export function checkNewPassword(password: string): string {
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new InvalidInputError(`password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, got ${length}`);
  }
  return password;
}
