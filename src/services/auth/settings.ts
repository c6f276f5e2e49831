import path from 'node:path';
import { Env, integerOr, optionalString, stringOr } from '../../platform/config/env';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from '../../platform/identity/token-verifier';
import { addressRequestLimit } from '../../platform/limits/limit-settings';
import { LimitSpec } from '../../platform/limits/rate-limit';
import { REPO_ROOT } from '../../platform/paths';

/** The auth service's own settings, parsed once at start-up (ConfigError names a bad variable). */
export interface AuthSettings {
  /** `iss` of the tokens it issues (AUTH_ISSUER). */
  readonly issuer: string;
  /** `aud` of the tokens it issues: the services that accept them (AUTH_AUDIENCE). */
  readonly audience: string;
  /** Lifetime of an access token, seconds (AUTH_ACCESS_TOKEN_TTL_S; seed 002 section 7: 15 minutes). */
  readonly accessTokenTtlSeconds: number;
  /** Lifetime of a refresh-token family's tokens, seconds (AUTH_REFRESH_TOKEN_TTL_S; seed 002 section 7: 7 days). */
  readonly refreshTokenTtlSeconds: number;
  /**
   * Directory of the signing keys, one private JWK per file (AUTH_KEYS_DIR; DATA_DIR/auth-keys by
   * default, where the first start creates one). Mount it from a secret in a deployment.
   */
  readonly keysDir: string;
  /** How often the keys directory is read again, so that a new key rotates in without a restart, milliseconds (AUTH_KEYS_RELOAD_MS). */
  readonly keysReloadMs: number;
  /** log2 of scrypt's cost N (AUTH_SCRYPT_COST; 17, OWASP's minimum for scrypt, by default). */
  readonly scryptCost: number;
  /** What an interviewer's registration must present (AUTH_INTERVIEWER_INVITATION_CODE); undefined: none can register. */
  readonly interviewerInvitationCode: string | undefined;
  /** Calls per client address per minute (LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE, 1000): what slows password guessing from one place. */
  readonly requestsPerAddress: LimitSpec;
}

export function authSettings(env: Env): AuthSettings {
  const dataDir = path.resolve(stringOr(env, 'DATA_DIR', path.join(REPO_ROOT, '.data')));
  return Object.freeze({
    issuer: stringOr(env, 'AUTH_ISSUER', DEFAULT_ISSUER),
    audience: stringOr(env, 'AUTH_AUDIENCE', DEFAULT_AUDIENCE),
    accessTokenTtlSeconds: integerOr(env, 'AUTH_ACCESS_TOKEN_TTL_S', 900, 30, 86_400),
    refreshTokenTtlSeconds: integerOr(env, 'AUTH_REFRESH_TOKEN_TTL_S', 7 * 86_400, 60, 90 * 86_400),
    keysDir: path.resolve(stringOr(env, 'AUTH_KEYS_DIR', path.join(dataDir, 'auth-keys'))),
    keysReloadMs: integerOr(env, 'AUTH_KEYS_RELOAD_MS', 60_000, 100, 3_600_000),
    scryptCost: integerOr(env, 'AUTH_SCRYPT_COST', 17, 10, 20),
    interviewerInvitationCode: optionalString(env, 'AUTH_INTERVIEWER_INVITATION_CODE'),
    requestsPerAddress: addressRequestLimit(env),
  });
}
