/**
 * Access-token verification (src/platform/identity): createTokenVerifier against the auth service's
 * real signing keys (SigningKeys on a temporary directory), cachedKeySet's fetching and refetching,
 * and the authentication interceptor on a hand-made CallContext.
 */
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { generateKeyPair, JWK, JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import pino from 'pino';
import { UnavailableError, UnauthenticatedError } from '../../../src/platform/errors/domain-errors';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { loggingInterceptor } from '../../../src/platform/grpc/logging-interceptor';
import { authenticationInterceptor } from '../../../src/platform/identity/authentication';
import { Principal, principalOf } from '../../../src/platform/identity/principal';
import { cachedKeySet, createTokenVerifier, TokenVerifier } from '../../../src/platform/identity/token-verifier';
import { Logger, silentLogger } from '../../../src/platform/log/logger';
import { createKeyFile, SigningKey, SigningKeys } from '../../../src/services/auth/signing-keys';
import { issueAccessToken } from '../../../src/services/auth/tokens';

const ISSUER = 'iss-test';
const AUDIENCE = 'aud-test';
const SETTINGS = { issuer: ISSUER, audience: AUDIENCE, jwksUrl: undefined };
const USER = '7d1c3e1a-9a53-4a54-8a38-0d7f3f0b9c11';
const NOT_VALID = 'the access token is not valid';
const EXPIRED = 'the access token has expired; refresh it';
const NO_USER_OR_ROLE = 'the access token names no user or no known role';

const now = () => Math.floor(Date.now() / 1000);
const realNow = Date.now.bind(Date);

/** The error `promise` rejects with; fails the test when it resolves. */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the token was accepted');
}

/** Asserts `token` is refused with UnauthenticatedError saying `message`, and the message does not carry the token. */
async function expectRefused(verifier: TokenVerifier, token: string, message: string): Promise<UnauthenticatedError> {
  const error = await refusal(verifier.verify(token));
  if (!(error instanceof UnauthenticatedError)) throw new Error(`expected an UnauthenticatedError, got ${String(error)}`, { cause: error });
  expect(error.kind).toBe('unauthenticated');
  expect(error.message).toBe(message);
  for (const segment of token.split('.').filter((s) => s.length > 8)) expect(error.message).not.toContain(segment);
  return error;
}

/** A token signed with `key` directly (EdDSA, its kid), from `claims` as given: for the cases issueAccessToken cannot make. */
function signed(key: SigningKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
}

/** The claims issueAccessToken would write, good for 60 s from now, with `changes` over them. */
function claims(changes: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: AUDIENCE, sub: USER, role: 'candidate', iat: now(), exp: now() + 60, ...changes };
}

describe('the token verifier', () => {
  let dir: string;
  let keys: SigningKeys;
  let key: SigningKey;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'token-verifier-'));
    keys = await SigningKeys.open(dir, 60_000, silentLogger());
    key = keys.current();
    verifier = createTokenVerifier(
      SETTINGS,
      cachedKeySet(() => Promise.resolve(keys.publicKeys())),
    );
  });

  afterAll(async () => {
    keys.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("accepts the auth service's access token and gives its subject and role", async () => {
    const candidate = await issueAccessToken(key, ISSUER, AUDIENCE, 60, { userId: USER, role: 'candidate' });
    expect(await verifier.verify(candidate)).toEqual({ subject: USER, role: 'candidate' });
    const interviewer = await issueAccessToken(key, ISSUER, AUDIENCE, 60, { userId: 'boss', role: 'interviewer' });
    expect(await verifier.verify(interviewer)).toEqual({ subject: 'boss', role: 'interviewer' });
  });

  it('checks a token once and remembers it by its exact text until its exp; one character changed is checked, and refused', async () => {
    let lookups = 0;
    const getKey = cachedKeySet(() => Promise.resolve(keys.publicKeys()));
    const counting = createTokenVerifier(SETTINGS, (header, token) => {
      lookups += 1;
      return getKey(header, token);
    });
    const token = await issueAccessToken(key, ISSUER, AUDIENCE, 60, { userId: USER, role: 'candidate' });
    for (let i = 0; i < 3; i++) expect(await counting.verify(token)).toEqual({ subject: USER, role: 'candidate' });
    expect(lookups).toBe(1);
    const [header, payload, signature] = token.split('.');
    const flipped = signature[10] === 'A' ? 'B' : 'A';
    await expectRefused(counting, `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`, NOT_VALID);
    expect(lookups).toBe(2);
    // Past its exp (within the clock tolerance, so still accepted), a token is checked every time.
    const lapsed = await signed(key, claims({ exp: now() - 10 }));
    await counting.verify(lapsed);
    await counting.verify(lapsed);
    expect(lookups).toBe(4);
  });

  it('refuses an expired token (beyond the 30 s tolerance) saying it expired, and accepts one expired within it', async () => {
    await expectRefused(verifier, await signed(key, claims({ iat: now() - 600, exp: now() - 60 })), EXPIRED);
    // A negative ttl through the issuer itself.
    await expectRefused(verifier, await issueAccessToken(key, ISSUER, AUDIENCE, -120, { userId: USER, role: 'candidate' }), EXPIRED);
    expect(await verifier.verify(await signed(key, claims({ exp: now() - 10 })))).toEqual({ subject: USER, role: 'candidate' });
  });

  it('refuses a token not valid yet (nbf beyond the tolerance), and accepts one within it', async () => {
    await expectRefused(verifier, await signed(key, claims({ nbf: now() + 120 })), NOT_VALID);
    expect(await verifier.verify(await signed(key, claims({ nbf: now() + 10 })))).toEqual({ subject: USER, role: 'candidate' });
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await expectRefused(verifier, await issueAccessToken(key, ISSUER, 'aud-other', 60, { userId: USER, role: 'candidate' }), NOT_VALID);
    await expectRefused(verifier, await issueAccessToken(key, 'iss-other', AUDIENCE, 60, { userId: USER, role: 'candidate' }), NOT_VALID);
    await expectRefused(verifier, await signed(key, claims({ aud: undefined })), NOT_VALID);
    await expectRefused(verifier, await signed(key, claims({ iss: undefined })), NOT_VALID);
  });

  it('refuses a tampered payload: one character changed, or the role raised to interviewer under the same signature', async () => {
    const token = await issueAccessToken(key, ISSUER, AUDIENCE, 60, { userId: USER, role: 'candidate' });
    const [header, payload, signature] = token.split('.');
    const i = Math.floor(payload.length / 2);
    const flipped = `${payload.slice(0, i)}${payload[i] === 'A' ? 'B' : 'A'}${payload.slice(i + 1)}`;
    await expectRefused(verifier, `${header}.${flipped}.${signature}`, NOT_VALID);

    const raised = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload), role: 'interviewer' };
    await expectRefused(verifier, `${header}.${Buffer.from(JSON.stringify(raised)).toString('base64url')}.${signature}`, NOT_VALID);
    // And a signature that is not the payload's (another token's).
    const other = await issueAccessToken(key, ISSUER, AUDIENCE, 60, { userId: 'someone-else', role: 'interviewer' });
    await expectRefused(verifier, `${other.split('.').slice(0, 2).join('.')}.${signature}`, NOT_VALID);
  });

  it('refuses alg none, with or without a signature segment', async () => {
    const unsecured = new UnsecuredJWT(claims()).encode();
    expect(unsecured.endsWith('.')).toBe(true);
    await expectRefused(verifier, unsecured, NOT_VALID);
    const withKid = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${unsecured.split('.')[1]}.`;
    await expectRefused(verifier, withKid, NOT_VALID);
  });

  it("refuses HS256 tokens whose secret is the public key's bytes (key confusion)", async () => {
    const jwk = keys.publicKeys()[0];
    const pem = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x! }, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const secrets = [Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.x!), Buffer.from(pem), Buffer.from(JSON.stringify(jwk))];
    for (const secret of secrets) {
      const token = await new SignJWT(claims({ role: 'interviewer' })).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' }).sign(secret);
      await expectRefused(verifier, token, NOT_VALID);
    }
  });

  it('refuses a token signed by an Ed25519 key outside the set, whether it names an unknown kid or the real one', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    for (const kid of ['not-a-known-kid', key.kid, undefined]) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' }).sign(privateKey);
      await expectRefused(verifier, token, NOT_VALID);
    }
  });

  it('refuses a token without a subject, with an unknown role, or without a role', async () => {
    await expectRefused(verifier, await signed(key, claims({ sub: undefined })), NO_USER_OR_ROLE);
    await expectRefused(verifier, await signed(key, claims({ sub: '' })), NO_USER_OR_ROLE);
    await expectRefused(verifier, await signed(key, claims({ role: 'admin' })), NO_USER_OR_ROLE);
    await expectRefused(verifier, await signed(key, claims({ role: ['interviewer'] })), NO_USER_OR_ROLE);
    await expectRefused(verifier, await signed(key, claims({ role: undefined })), NO_USER_OR_ROLE);
  });

  it('refuses what is not a JWS at all', async () => {
    for (const token of ['', 'garbage', 'a.b.c', 'a.b', `${key.kid}..`]) await expectRefused(verifier, token, NOT_VALID);
  });
});

describe('cachedKeySet', () => {
  let dir: string;
  let keys: SigningKeys;
  let fetches: number;
  let verifier: TokenVerifier;

  const token = (signingKey: SigningKey) => issueAccessToken(signingKey, ISSUER, AUDIENCE, 120, { userId: USER, role: 'candidate' });
  const fetchKeys = (): Promise<readonly JWK[]> => {
    fetches++;
    return Promise.resolve(keys.publicKeys());
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cached-key-set-'));
    keys = await SigningKeys.open(dir, 60_000, silentLogger());
    fetches = 0;
    verifier = createTokenVerifier(SETTINGS, cachedKeySet(fetchKeys));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    keys.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Date.now() `ms` ahead of the real clock from now on (cachedKeySet's clock; jose's claim checks use new Date() and stay real). */
  function advanceClock(ms: number): void {
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
  }

  it('fetches once at the first verify, shared by concurrent verifies, and keeps the keys', async () => {
    const first = await token(keys.current());
    expect(fetches).toBe(0);
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify(first)));
    await verifier.verify(first);
    expect(fetches).toBe(1);
  });

  it('verifies a token of a key rotated in after the first fetch by fetching again for its unknown kid, at most every 10 s', async () => {
    const keyA = keys.current();
    const tokenA = await token(keyA);
    expect(await verifier.verify(tokenA)).toEqual({ subject: USER, role: 'candidate' });
    expect(fetches).toBe(1);

    await createKeyFile(dir);
    await keys.reload();
    const keyB = keys.current();
    expect(keyB.kid).not.toBe(keyA.kid);
    const tokenB = await token(keyB);

    // Within 10 s of the fetch an unknown kid does not fetch again (a flood of made-up kids cannot hammer the auth service).
    await expectRefused(verifier, tokenB, NOT_VALID);
    expect(fetches).toBe(1);

    advanceClock(11_000);
    expect(await verifier.verify(tokenB)).toEqual({ subject: USER, role: 'candidate' });
    expect(fetches).toBe(2);
    // Both keys are held now: the previous key's tokens still verify, with no further fetch.
    expect(await verifier.verify(tokenA)).toEqual({ subject: USER, role: 'candidate' });
    expect(fetches).toBe(2);
  });

  it('verifies a token of a key rotated in before the first verify, in one fetch', async () => {
    await createKeyFile(dir);
    await keys.reload();
    expect(keys.publicKeys()).toHaveLength(2);
    expect(await verifier.verify(await token(keys.current()))).toEqual({ subject: USER, role: 'candidate' });
    expect(fetches).toBe(1);
  });

  it('fetches again once the keys are five minutes old, even for a known kid', async () => {
    const tokenA = await token(keys.current());
    await verifier.verify(tokenA);
    advanceClock(4 * 60_000);
    await verifier.verify(tokenA);
    expect(fetches).toBe(1);
    advanceClock(5 * 60_000 + 1_000);
    await verifier.verify(tokenA);
    expect(fetches).toBe(2);
  });

  it("passes on the key source's error when the keys cannot be fetched (no verdict on the token: UNAVAILABLE, not UNAUTHENTICATED), and fetches again at the next verify", async () => {
    let failing = true;
    const outage = new UnavailableError('the auth service is unavailable; retry shortly');
    const failingVerifier = createTokenVerifier(
      SETTINGS,
      cachedKeySet(() => {
        fetches++;
        return failing ? Promise.reject(outage) : Promise.resolve(keys.publicKeys());
      }),
    );
    const good = await token(keys.current());
    expect(await refusal(failingVerifier.verify(good))).toBe(outage);
    expect(await refusal(failingVerifier.verify(good))).toBe(outage);
    expect(fetches).toBe(2);

    failing = false;
    expect(await failingVerifier.verify(good)).toEqual({ subject: USER, role: 'candidate' });
    expect(fetches).toBe(3);
  });
});

describe('authenticationInterceptor', () => {
  const PEER = 'ipv4:127.0.0.1:54321';
  const principal: Principal = { subject: USER, role: 'interviewer' };
  const GOOD = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
  const verifier: TokenVerifier = {
    verify: (token) => (token === GOOD ? Promise.resolve(principal) : Promise.reject(new UnauthenticatedError(NOT_VALID))),
  };
  const interceptor = authenticationInterceptor(verifier);

  function context(authorization: readonly string[], log: Logger = silentLogger()): CallContext {
    const metadata = new Metadata();
    for (const value of authorization) metadata.add('authorization', value);
    return {
      method: '/interview.v1.InterviewService/GetInterview',
      metadata,
      deadline: undefined,
      signal: new AbortController().signal,
      peer: PEER,
      caller: undefined,
      log,
    };
  }

  /** A logger whose lines are collected, parsed. */
  function capturingLogger(): { log: Logger; lines: string[] } {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          lines.push(line);
        },
      },
    );
    return { log, lines };
  }

  async function refusedWith(ctx: CallContext): Promise<Error> {
    const next = jest.fn(() => Promise.resolve());
    const error = await refusal(interceptor(ctx, next));
    expect(next).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(() => principalOf(ctx)).toThrow(UnauthenticatedError);
    return error;
  }

  it('refuses a call without the header, telling the caller to send a Bearer token', async () => {
    const error = await refusedWith(context([]));
    expect(error.message).toContain('Bearer');
    expect(error.message).toBe('this call needs `authorization: Bearer <access token>` (log in with auth.v1.AuthService)');
  });

  it('refuses other schemes and malformed Bearer values without asking the verifier', async () => {
    const verify = jest.spyOn(verifier, 'verify');
    for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer  ${GOOD}`, `Bearer ${GOOD} extra`, GOOD, `Token ${GOOD}`]) {
      const error = await refusedWith(context([value]));
      expect(error.message).toContain('Bearer <access token>');
    }
    expect(verify).not.toHaveBeenCalled();
    verify.mockRestore();
  });

  it('runs the call with the verified principal for a valid token', async () => {
    const ctx = context([`Bearer ${GOOD}`]);
    let seen: Principal | undefined;
    await interceptor(ctx, () => {
      seen = principalOf(ctx);
      return Promise.resolve();
    });
    expect(seen).toEqual(principal);
    expect(principalOf(ctx)).toEqual(principal);
  });

  it('passes on what the handler throws, once authenticated', async () => {
    const failure = new Error('handler failed');
    await expect(interceptor(context([`Bearer ${GOOD}`]), () => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('refuses a call carrying two authorization values, even both valid', async () => {
    await refusedWith(context([`Bearer ${GOOD}`, `Bearer ${GOOD}`]));
  });

  it('refuses a token the verifier refuses with its error', async () => {
    const error = await refusedWith(context(['Bearer not.a.token']));
    expect(error.message).toBe(NOT_VALID);
  });

  it('has each denied call logged with an audit line (by the logging interceptor around it): the peer and why, never the token', async () => {
    const { log, lines } = capturingLogger();
    const logged = (ctx: CallContext) => loggingInterceptor(ctx, () => interceptor(ctx, () => Promise.resolve()));
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.';
    for (const authorization of [[`Bearer ${forged}`], ['Basic dXNlcjpwYXNz'], []]) await refusal(logged(context(authorization, log)));
    const audits = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.audit !== undefined);
    expect(audits).toHaveLength(3);
    for (const entry of audits) {
      expect(entry).toMatchObject({ audit: 'denied', peer: PEER, code: 'UNAUTHENTICATED', msg: 'call refused' });
      expect(typeof entry.why).toBe('string');
    }
    expect(audits[0].why).toBe(NOT_VALID);
    const all = lines.join('\n');
    for (const secret of ['eyJzdWIiOiJtYWxsb3J5In0', 'eyJhbGciOiJub25lIn0', 'dXNlcjpwYXNz']) expect(all).not.toContain(secret);

    // An accepted call writes no audit line.
    const before = lines.length;
    await logged(context([`Bearer ${GOOD}`], log));
    expect(lines.slice(before).some((line) => line.includes('"audit"'))).toBe(false);
  });
});
