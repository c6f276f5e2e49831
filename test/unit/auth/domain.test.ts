import { InvalidInputError } from '../../../src/platform/errors/domain-errors';
import { checkNewPassword, MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normalizeEmail } from '../../../src/services/auth/domain/credentials';
import { hashPassword, verifyPassword } from '../../../src/services/auth/domain/passwords';

/** scrypt at N = 2^10: a few milliseconds a hash (the service's floor, AUTH_SCRYPT_COST's minimum). */
const LOW_COST = 10;
const PASSWORD = 'correct horse battery staple';

/** `hash` with its `index`th `$`-separated field replaced by `value`. */
function withField(hash: string, index: number, value: string): string {
  return hash
    .split('$')
    .map((field, i) => (i === index ? value : field))
    .join('$');
}

/** The error `run` throws (fails the test when it returns). */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not throw');
}

describe('passwords', () => {
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword(PASSWORD, LOW_COST);
  });

  it('verifies the password it hashed and refuses another', async () => {
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('writes its parameters into the hash, so that the hash verifies whatever the cost setting is now', async () => {
    expect(hash).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    const costlier = await hashPassword(PASSWORD, LOW_COST + 1);
    expect(costlier).toMatch(/^scrypt\$11\$/);
    // verifyPassword takes no cost: each hash is checked with its own.
    expect(await verifyPassword(PASSWORD, costlier)).toBe(true);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
  });

  it('salts each hash: two hashes of one password differ', async () => {
    const again = await hashPassword(PASSWORD, LOW_COST);
    expect(again).not.toBe(hash);
    expect(again.split('$')[4]).not.toBe(hash.split('$')[4]);
    expect(await verifyPassword(PASSWORD, again)).toBe(true);
  });

  it('compares passwords after NFKC normalization (a composed and a decomposed é are one password)', async () => {
    const composed = await hashPassword('caf\u00e9-au-lait', LOW_COST);
    expect(await verifyPassword('cafe\u0301-au-lait', composed)).toBe(true);
  });

  it.each([
    ['empty', () => ''],
    ['not a hash', () => 'hunter2'],
    ['another scheme', (h: string) => h.replace(/^scrypt/, 'bcrypt')],
    ['no key', (h: string) => h.split('$').slice(0, 5).join('$')],
    ['an empty salt', (h: string) => withField(h, 4, '')],
    ['another key', (h: string) => withField(h, 5, 'A'.repeat(43))],
    ['a truncated key', (h: string) => h.slice(0, -4)],
  ])('says false for a malformed hash: %s', async (_, malform) => {
    expect(await verifyPassword(PASSWORD, malform(hash))).toBe(false);
  });

  it.each([
    ['a cost that is not a number', (h: string) => withField(h, 1, 'ten')],
    ['a cost out of range', (h: string) => withField(h, 1, '99')],
  ])('says false (does not throw) for a malformed hash: %s', async (_, malform) => {
    await expect(verifyPassword(PASSWORD, malform(hash))).resolves.toBe(false);
  });
});

describe('credentials', () => {
  describe('normalizeEmail', () => {
    it('trims and lower-cases the address', () => {
      expect(normalizeEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
      expect(normalizeEmail('ada@example.com')).toBe('ada@example.com');
    });

    it(`accepts ${MAX_EMAIL_LENGTH} characters and refuses one more`, () => {
      const domain = '@example.com';
      const longest = `${'a'.repeat(MAX_EMAIL_LENGTH - domain.length)}${domain}`;
      expect(longest).toHaveLength(254);
      expect(normalizeEmail(longest)).toBe(longest);
      // Surrounding spaces are not part of the address.
      expect(normalizeEmail(`  ${longest}  `)).toBe(longest);
      const error = thrown(() => normalizeEmail(`a${longest}`));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe('email is 255 characters; the limit is 254');
    });

    it.each(['', '   ', 'ada', 'ada@example', '@example.com', 'ada@', 'ada@.com', 'ada lovelace@example.com', 'ada@@example.com', 'ada@exa mple.com'])(
      'refuses %j with InvalidInputError',
      (email) => {
        const error = thrown(() => normalizeEmail(email));
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error.message).toMatch(/^email (is required|must look like name@example\.com)$/);
      },
    );
  });

  describe('checkNewPassword', () => {
    it(`accepts ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, () => {
      expect(checkNewPassword('x'.repeat(8))).toBe('x'.repeat(8));
      expect(checkNewPassword('x'.repeat(128))).toBe('x'.repeat(128));
    });

    it('counts characters, not bytes or UTF-16 units', () => {
      // 8 characters: 16 UTF-16 units, 32 bytes in UTF-8.
      const eightEmoji = '\u{1F600}'.repeat(8);
      expect(checkNewPassword(eightEmoji)).toBe(eightEmoji);
      // 128 characters (256 UTF-16 units, 512 bytes) fit; 129 do not.
      expect(checkNewPassword('\u{1F600}'.repeat(128))).toHaveLength(256);
      expect(thrown(() => checkNewPassword('\u{1F600}'.repeat(129))).message).toBe('password must be 8 to 128 characters, got 129');
      // 7 characters are too few although they are 14 bytes.
      expect(thrown(() => checkNewPassword('\u00e9'.repeat(7))).message).toBe('password must be 8 to 128 characters, got 7');
    });

    it.each([
      ['too short', 'hunter2'],
      ['empty', ''],
      ['too long', `s3cret-${'z'.repeat(122)}`],
    ])('refuses a password %s with InvalidInputError that does not echo it', (_, password) => {
      const error = thrown(() => checkNewPassword(password));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/^password must be 8 to 128 characters, got \d+$/);
      // Neither the message nor any other field of the error carries the password.
      if (password !== '') expect(JSON.stringify([error.message, error.stack, Object.entries(error)])).not.toContain(password);
    });
  });
});
