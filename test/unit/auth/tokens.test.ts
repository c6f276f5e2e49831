import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, errors, exportJWK, generateKeyPair, jwtVerify, JWTVerifyOptions } from 'jose';
import { silentLogger } from '../../../src/platform/log/logger';
import { createKeyFile, SigningKeys } from '../../../src/services/auth/signing-keys';
import { hashRefreshToken, issueAccessToken, newRefreshToken } from '../../../src/services/auth/tokens';
import { sleep } from '../../support/wait';

const ISSUER = 'test-issuer';
const AUDIENCE = 'test-audience';
const TTL_SECONDS = 60;
const USER_ID = '7c0e8f9e-2a41-4d7b-9a43-3f1b5f0b6a11';
/** Longer than any test: the keys are read again only when a test calls reload(). */
const NO_RELOAD_MS = 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VERIFY: JWTVerifyOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['EdDSA'] };

/** jose's verification of `token` against the keys' JWK Set as it is now. */
function verify(token: string, keys: SigningKeys, options: JWTVerifyOptions = VERIFY) {
  return jwtVerify(token, createLocalJWKSet({ keys: [...keys.publicKeys()] }), options);
}

describe('signing keys and tokens', () => {
  let dir: string;
  const opened: SigningKeys[] = [];
  const open = async (keysDir = dir) => {
    const keys = await SigningKeys.open(keysDir, NO_RELOAD_MS, silentLogger());
    opened.push(keys);
    return keys;
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auth-keys-'));
  });
  afterEach(async () => {
    for (const keys of opened.splice(0)) keys.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('SigningKeys.open', () => {
    it('creates the directory (0700) and one key file (0600) on a first start, named by its kid', async () => {
      const keysDir = path.join(dir, 'nested', 'keys');
      const keys = await open(keysDir);
      const files = await fs.readdir(keysDir);
      expect(files).toHaveLength(1);
      expect(files[0]).toBe(`${keys.current().kid}.jwk`);
      expect((await fs.stat(path.join(keysDir, files[0]))).mode & 0o777).toBe(0o600);
      expect((await fs.stat(keysDir)).mode & 0o777).toBe(0o700);
      const file = JSON.parse(await fs.readFile(path.join(keysDir, files[0]), 'utf8')) as Record<string, unknown>;
      expect(file).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: keys.current().kid });
      expect(typeof file.d).toBe('string');
    });

    it('publishes the public half only, and opening again reuses the key instead of making another', async () => {
      const keys = await open();
      const [jwk] = keys.publicKeys();
      expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: keys.current().kid });
      const again = await open();
      expect(again.current().kid).toBe(keys.current().kid);
      expect(await fs.readdir(dir)).toHaveLength(1);
    });
  });

  describe('issueAccessToken', () => {
    it('signs a JWT that verifies against the published keys and carries sub, role, jti, iat, exp = iat + ttl', async () => {
      const keys = await open();
      const before = Math.floor(Date.now() / 1000);
      const token = await issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'interviewer' });
      const after = Math.floor(Date.now() / 1000);

      const { payload, protectedHeader } = await verify(token, keys, { ...VERIFY, typ: 'at+jwt' });
      expect(protectedHeader).toEqual({ alg: 'EdDSA', typ: 'at+jwt', kid: keys.current().kid });
      expect(decodeProtectedHeader(token)).toEqual(protectedHeader);
      expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: USER_ID, role: 'interviewer' });
      expect(payload.jti).toMatch(UUID);
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(payload.iat).toBeLessThanOrEqual(after);
      expect(payload.exp).toBe(payload.iat! + TTL_SECONDS);
      expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'role', 'sub']);
    });

    it('gives each token its own jti', async () => {
      const keys = await open();
      const issue = () => issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'candidate' });
      const [a, b] = await Promise.all([issue(), issue()]);
      const [pa, pb] = await Promise.all([verify(a, keys), verify(b, keys)]);
      expect(pa.payload.role).toBe('candidate');
      expect(pa.payload.jti).not.toBe(pb.payload.jti);
    });

    it('fails verification for another audience or issuer, or against keys that did not sign it', async () => {
      const keys = await open();
      const token = await issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'candidate' });
      await expect(verify(token, keys, { ...VERIFY, audience: 'another-audience' })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      });
      await expect(verify(token, keys, { ...VERIFY, issuer: 'another-issuer' })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'iss',
      });

      const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auth-keys-other-'));
      try {
        const strangers = await open(otherDir);
        await expect(verify(token, strangers)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
      } finally {
        await fs.rm(otherDir, { recursive: true, force: true });
      }
    });

    it('fails verification once expired', async () => {
      const keys = await open();
      const token = await issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'candidate' });
      const later = new Date(Date.now() + (TTL_SECONDS + 5) * 1000);
      await expect(verify(token, keys, { ...VERIFY, currentDate: later })).rejects.toBeInstanceOf(errors.JWTExpired);
    });
  });

  describe('rotation', () => {
    it('signs with a key file added to the directory once reloaded, and still verifies tokens signed with the old key', async () => {
      const keys = await open();
      const oldKid = keys.current().kid;
      const oldToken = await issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'candidate' });

      // Kids start with their creation time in milliseconds: a later millisecond sorts after.
      await sleep(5);
      const newKid = await createKeyFile(dir);
      expect(newKid > oldKid).toBe(true);
      expect(keys.current().kid).toBe(oldKid);
      await keys.reload();

      expect(keys.current().kid).toBe(newKid);
      expect(keys.publicKeys().map((k) => k.kid)).toEqual([oldKid, newKid]);
      expect((await fs.stat(path.join(dir, `${newKid}.jwk`))).mode & 0o777).toBe(0o600);

      const newToken = await issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'candidate' });
      expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
      expect((await verify(oldToken, keys)).protectedHeader.kid).toBe(oldKid);
      expect((await verify(newToken, keys)).protectedHeader.kid).toBe(newKid);

      // Retiring the old key (deleting its file) stops its tokens from verifying.
      await fs.rm(path.join(dir, `${oldKid}.jwk`));
      await keys.reload();
      expect(keys.publicKeys().map((k) => k.kid)).toEqual([newKid]);
      await expect(verify(oldToken, keys)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
      await expect(verify(newToken, keys)).resolves.toBeDefined();
    });
  });

  describe('a key file that is not an Ed25519 private JWK', () => {
    const publicEd25519 = async () => {
      const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      return JSON.stringify(await exportJWK(publicKey));
    };
    const rsaPrivate = async () => {
      const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      return JSON.stringify(await exportJWK(privateKey));
    };
    const cases: [string, () => Promise<string> | string][] = [
      ['a public Ed25519 key', publicEd25519],
      ['an RSA private key', rsaPrivate],
      ['a symmetric key', () => JSON.stringify({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' })],
      ['an Ed448 key', () => JSON.stringify({ kty: 'OKP', crv: 'Ed448', x: 'AAAA', d: 'AAAA' })],
      ['text that is not JSON', () => 'not json at all'],
      ['JSON null', () => 'null'],
      ['Ed25519 members with invalid key material', () => JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: '!!', d: '!!' })],
    ];

    it.each(cases)('makes open throw naming the file: %s', async (_, content) => {
      const file = path.join(dir, 'bad.jwk');
      await fs.writeFile(file, await content(), { mode: 0o600 });
      await expect(open()).rejects.toThrow(file);
    });

    it.each(cases)('makes reload throw naming the file, keeping the keys loaded: %s', async (_, content) => {
      const keys = await open();
      const kid = keys.current().kid;
      const file = path.join(dir, 'zz-bad.jwk');
      await fs.writeFile(file, await content(), { mode: 0o600 });
      await expect(keys.reload()).rejects.toThrow(file);
      expect(keys.current().kid).toBe(kid);
      expect(keys.publicKeys()).toHaveLength(1);
    });

    it('publishes the public half of the private key d, not an x the file claims (a hand-edited file)', async () => {
      const signer = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const other = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const mismatched = { ...(await exportJWK(signer.privateKey)), x: (await exportJWK(other.publicKey)).x };
      await fs.writeFile(path.join(dir, 'mismatched.jwk'), JSON.stringify(mismatched), { mode: 0o600 });
      const keys = await open();
      const token = await issueAccessToken(keys.current(), ISSUER, AUDIENCE, TTL_SECONDS, { userId: USER_ID, role: 'candidate' });
      await expect(verify(token, keys)).resolves.toBeDefined();
    });

    it('ignores files without the .jwk suffix', async () => {
      await fs.writeFile(path.join(dir, 'README.txt'), 'not a key');
      const keys = await open();
      expect(keys.publicKeys()).toHaveLength(1);
      expect((await fs.readdir(dir)).sort()).toEqual(['README.txt', `${keys.current().kid}.jwk`].sort());
    });
  });

  describe('refresh tokens', () => {
    it('hashes with SHA-256, hex', () => {
      expect(hashRefreshToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(hashRefreshToken('another token')).toBe(createHash('sha256').update('another token').digest('hex'));
    });

    it('makes 43-character base64url tokens (32 random bytes) that differ, with their hash', () => {
      const tokens = Array.from({ length: 20 }, () => newRefreshToken());
      for (const { token, hash } of tokens) {
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(Buffer.from(token, 'base64url')).toHaveLength(32);
        expect(hash).toBe(hashRefreshToken(token));
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(new Set(tokens.map((t) => t.token)).size).toBe(tokens.length);
    });
  });
});
