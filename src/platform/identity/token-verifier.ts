import { createLocalJWKSet, createRemoteJWKSet, errors, JWK, JWTPayload, JWTVerifyGetKey, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { Env, optionalUrl, stringOr } from '../config/env';
import { UnauthenticatedError } from '../errors/domain-errors';
import { Principal, ROLES, Role } from './principal';

/**
 * Algorithms an access token may be signed with: the mesh's own (EdDSA, RFC 8037) and the usual
 * one of OpenID Connect issuers (ES256). Never `none` or a symmetric algorithm (RFC 8725 section 3.1).
 */
export const ACCEPTED_ALGORITHMS = ['EdDSA', 'ES256'];

/** The `typ` header of the mesh's access tokens (RFC 9068 section 2.1). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Where tokens come from and for whom (the same AUTH_ISSUER and AUTH_AUDIENCE the auth service issues with). */
export interface TokenVerificationSettings {
  readonly issuer: string;
  readonly audience: string;
  /** An external OpenID Connect issuer's JWKS (AUTH_JWKS_URL); undefined: the mesh's auth service publishes the keys. */
  readonly jwksUrl: string | undefined;
}

export const DEFAULT_ISSUER = 'interview-mesh-auth';
export const DEFAULT_AUDIENCE = 'interview-mesh';

/** AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL; ConfigError names a malformed one. */
export function tokenVerificationSettings(env: Env): TokenVerificationSettings {
  return Object.freeze({
    issuer: stringOr(env, 'AUTH_ISSUER', DEFAULT_ISSUER),
    audience: stringOr(env, 'AUTH_AUDIENCE', DEFAULT_AUDIENCE),
    jwksUrl: optionalUrl(env, 'AUTH_JWKS_URL', ['https', 'http']),
  });
}

/**
 * Checks an access token; resolves with its principal or rejects with UnauthenticatedError saying
 * why in general terms, or with the key source's own error (UnavailableError) when the keys could
 * not be had.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** How long fetched keys are used before they are fetched again, and the least time between two fetches for an unknown kid, milliseconds. */
const KEYS_MAX_AGE_MS = 5 * 60_000;
const KEYS_MIN_REFETCH_MS = 10_000;

/**
 * Keys from `fetchKeys` (the auth service's GetJwks), kept for five minutes and fetched again at
 * once, at most every 10 s, when a token names a kid they do not hold (a key just rotated in).
 */
export function cachedKeySet(fetchKeys: () => Promise<readonly JWK[]>): JWTVerifyGetKey {
  let keys: { set: JWTVerifyGetKey; kids: ReadonlySet<string | undefined>; fetchedAt: number } | undefined;
  let fetching: Promise<NonNullable<typeof keys>> | undefined;
  const fetch = () =>
    (fetching ??= fetchKeys()
      .then((jwks) => (keys = { set: createLocalJWKSet({ keys: [...jwks] }), kids: new Set(jwks.map((k) => k.kid)), fetchedAt: Date.now() }))
      .finally(() => (fetching = undefined)));
  return async (header, token) => {
    const age = keys ? Date.now() - keys.fetchedAt : Infinity;
    const unknownKid = keys !== undefined && !keys.kids.has(header.kid) && age > KEYS_MIN_REFETCH_MS;
    const current = !keys || age > KEYS_MAX_AGE_MS || unknownKid ? await fetch() : keys;
    return current.set(header, token);
  };
}

/** How long a token that passed is believed without checking its signature again, milliseconds (never past its `exp`). */
export const VERIFIED_TOKEN_MEMO_MS = 30_000;

/**
 * Verifies access tokens (RFC 8725's checks through jose): signature by one of the issuer's keys,
 * an accepted algorithm, `iss`, `aud`, `exp` and `nbf` (30 s of clock tolerance), a subject, and a
 * `role` the mesh knows. A token that passed is remembered, by its exact text, for
 * VERIFIED_TOKEN_MEMO_MS and never past its `exp`: a client sends the same token with every frame,
 * and an EdDSA verification each time was a tenth of the interview service's CPU per frame.
 */
export function createTokenVerifier(settings: TokenVerificationSettings, keys: JWTVerifyGetKey): TokenVerifier {
  const keySet = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : keys;
  const verified = new LRUCache<string, { principal: Principal; expiresAtMs: number }>({ max: 10_000, ttl: VERIFIED_TOKEN_MEMO_MS });
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && Date.now() < known.expiresAtMs) return known.principal;
      const { principal, expiresAtMs } = await verifyToken(token);
      if (expiresAtMs !== undefined) verified.set(token, { principal, expiresAtMs });
      return principal;
    },
  };

  async function verifyToken(token: string): Promise<{ principal: Principal; expiresAtMs: number | undefined }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: 30,
        // Our tokens are explicitly typed (RFC 9068, RFC 8725 section 3.11), so no other JWT of
        // the issuer passes for one; external issuers type theirs as they please.
        ...(settings.jwksUrl ? {} : { typ: ACCESS_TOKEN_TYPE }),
      }));
    } catch (error) {
      // The keys could not be fetched (the auth service is down): no verdict on the token, and
      // the caller should retry, not throw its token away.
      if (!(error instanceof errors.JOSEError)) throw error;
      throw new UnauthenticatedError(error instanceof errors.JWTExpired ? 'the access token has expired; refresh it' : 'the access token is not valid', {
        cause: error,
      });
    }
    const role = payload.role;
    if (!payload.sub || typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new UnauthenticatedError('the access token names no user or no known role');
    }
    return { principal: { subject: payload.sub, role: role as Role }, expiresAtMs: payload.exp === undefined ? undefined : payload.exp * 1000 };
  }
}
