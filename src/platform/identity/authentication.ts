import { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '../errors/domain-errors';
import { ServerInterceptor } from '../grpc/async-service';
import { Principal, setPrincipal } from './principal';
import { TokenVerifier } from './token-verifier';

/** Metadata key of the credential (RFC 6750's header, as gRPC carries it). */
const AUTHORIZATION = 'authorization';
// The scheme is case-insensitive (RFC 7235 section 2.1); the token is RFC 6750's b64token.
const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;

/**
 * Whether a verified principal's account is gone (deleted since its token was issued): its
 * still-unexpired tokens are then refused.
 */
export type AccountCheck = (principal: Principal) => Promise<boolean>;

/**
 * Requires every call to carry `authorization: Bearer <access token>` and verifies it; the caller
 * becomes the call's principal (principalOf). A call without a valid token, or with the token of
 * an account `isDeleted` says is gone, ends UNAUTHENTICATED (the logging interceptor writes its
 * audit line, with no token in it).
 */
export function authenticationInterceptor(verifier: TokenVerifier, isDeleted: AccountCheck = () => Promise.resolve(false)): ServerInterceptor {
  return async (ctx, next) => {
    const values = ctx.metadata.get(AUTHORIZATION);
    const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    const token = header && BEARER.exec(header)?.[1];
    if (!token) throw new UnauthenticatedError('this call needs `authorization: Bearer <access token>` (log in with auth.v1.AuthService)');
    const principal = await verifier.verify(token);
    if (await isDeleted(principal)) throw new UnauthenticatedError('the account of this access token was deleted');
    setPrincipal(ctx, principal);
    await next();
  };
}

/** gRPC metadata carrying `authorization: Bearer <accessToken>`: what authenticationInterceptor reads, for clients. */
export function bearer(accessToken: string): Metadata {
  const metadata = new Metadata();
  metadata.set(AUTHORIZATION, `Bearer ${accessToken}`);
  return metadata;
}
