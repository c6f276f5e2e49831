import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Role } from './domain/roles';
import { ACCESS_TOKEN_TYPE } from '../../platform/identity/token-verifier';
import { SIGNING_ALGORITHM, SigningKey } from './signing-keys';

/** What an access token says besides its registered claims. */
export interface AccessClaims {
  readonly userId: string;
  readonly role: Role;
}

/**
 * An access token (RFC 9068's JWT profile, `typ: at+jwt`): iss, aud, sub (the user id), iat, exp
 * (`ttlSeconds` later), jti and the role, signed with `key` (EdDSA).
 */
export function issueAccessToken(key: SigningKey, issuer: string, audience: string, ttlSeconds: number, claims: AccessClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** A new opaque refresh token (32 random bytes, base64url) and the hash it is stored under. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** SHA-256 of a refresh token, hex: the store never holds a token a leak could replay. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
