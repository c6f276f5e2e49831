import path from 'node:path';
import { ConfigError, Env, integerOr, optionalString, portOr } from '../../platform/config/env';
import { TokenVerificationSettings, tokenVerificationSettings } from '../../platform/identity/token-verifier';
import { addressRequestLimit, limitFromEnv } from '../../platform/limits/limit-settings';
import { LimitSpec } from '../../platform/limits/rate-limit';
import { REPO_ROOT } from '../../platform/paths';

/** The gateway's settings, parsed once at start-up (ConfigError names a malformed variable). */
export interface GatewaySettings {
  /** HTTPS port of REST, WebSocket and OpenAPI (GATEWAY_HTTPS_PORT, 8080; 0: a free one). */
  readonly httpsPort: number;
  /** Origins allowed by CORS (GATEWAY_CORS_ORIGINS, comma-separated `scheme://host[:port]`); none by default. */
  readonly corsOrigins: readonly string[];
  /** How long a WebSocket may stay open before its `auth` message, milliseconds (GATEWAY_WS_AUTH_TIMEOUT_MS, 5000). */
  readonly wsAuthTimeoutMs: number;
  /** AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL: the same tokens the interview service accepts. */
  readonly tokens: TokenVerificationSettings;
  /** The built web app the gateway serves (GATEWAY_WEB_DIR, <repo>/dist/web; `none`: no app, the API only). */
  readonly webDir: string | undefined;
  readonly limits: GatewayLimitSpecs;
}

/** The gateway's own limits; the per-user ones are the interview service's, applied to the calls it forwards. */
export interface GatewayLimitSpecs {
  /** HTTP requests and WebSocket handshakes per client address per minute (LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE, 1000; seed 002 section 7). */
  readonly requestsPerAddress: LimitSpec;
  /** Frames one WebSocket may send per second (LIMIT_WEBSOCKET_FRAMES_PER_SECOND, 10; seed 002 section 7). */
  readonly framesPerSocket: LimitSpec;
}

/** The gateway's HTTPS port when GATEWAY_HTTPS_PORT is unset (the deployments publish it: deploy/). */
export const DEFAULT_GATEWAY_HTTPS_PORT = 8080;

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** GATEWAY_* variables, the token settings and the limits. */
export function gatewaySettings(env: Env): GatewaySettings {
  const origins = (optionalString(env, 'GATEWAY_CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const bad = origins.find((o) => !ORIGIN.test(o));
  if (bad !== undefined) throw new ConfigError(`GATEWAY_CORS_ORIGINS: ${JSON.stringify(bad)} is not an origin (scheme://host[:port], no path, no wildcard)`);
  const webDir = optionalString(env, 'GATEWAY_WEB_DIR');
  return Object.freeze({
    httpsPort: portOr(env, 'GATEWAY_HTTPS_PORT', DEFAULT_GATEWAY_HTTPS_PORT),
    corsOrigins: Object.freeze(origins),
    wsAuthTimeoutMs: integerOr(env, 'GATEWAY_WS_AUTH_TIMEOUT_MS', 5000, 100, 60_000),
    tokens: tokenVerificationSettings(env),
    webDir: webDir === 'none' ? undefined : path.resolve(webDir ?? path.join(REPO_ROOT, 'dist/web')),
    limits: Object.freeze({
      requestsPerAddress: addressRequestLimit(env),
      framesPerSocket: limitFromEnv(env, 'websocket_frames_per_second', 10, 1, 'frames', true),
    }),
  });
}
