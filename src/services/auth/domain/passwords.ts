import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (RFC 7914), Node's own implementation, in a self-describing string
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url), so that a cost raised later still verifies
 * old hashes. Defaults follow OWASP's Password Storage Cheat Sheet for scrypt: N = 2^17, r = 8,
 * p = 1 (128 MiB a hash), a 16-byte salt, a 32-byte key.
 */
const PREFIX = 'scrypt';
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; Node refuses more than maxmem (32 MiB by default).
  const maxmem = 2 * 128 * (options.N ?? 0) * (options.r ?? 0);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { ...options, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** The hash string of `password` at cost 2^`cost` (see above). */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, { N: 2 ** cost, r: BLOCK_SIZE, p: PARALLELISM });
  return [PREFIX, cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Parameters a stored hash may name: anything else is not one of ours, and is refused before scrypt runs. */
const COST_RANGE = [10, 20] as const;
const BLOCK_SIZE_RANGE = [1, 32] as const;
const PARALLELISM_RANGE = [1, 16] as const;

function integerIn(text: string | undefined, [min, max]: readonly [number, number]): number | undefined {
  const value = Number(text);
  return text !== undefined && /^\d+$/.test(text) && value >= min && value <= max ? value : undefined;
}

/** True when `password` matches `hash` (compared in constant time); false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [prefix, costText, rText, pText, salt, key] = hash.split('$');
  const cost = integerIn(costText, COST_RANGE);
  const r = integerIn(rText, BLOCK_SIZE_RANGE);
  const p = integerIn(pText, PARALLELISM_RANGE);
  if (prefix !== PREFIX || cost === undefined || r === undefined || p === undefined || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: 2 ** cost, r, p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
