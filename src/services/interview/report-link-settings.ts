import path from 'node:path';
import { Env, integerOr, optionalString, optionalUrl, portOr, stringOr } from '../../platform/config/env';
import { REPO_ROOT } from '../../platform/paths';

/** The HTTPS port's default: the HTTPS alternative port, clear of the gRPC ports (50051-50057) and the gateway's 8080. */
export const DEFAULT_HTTPS_PORT = 8443;

/** How the interview service hands out report links, and where it serves them. */
export interface ReportLinkSettings {
  /** Port of the HTTPS listener serving the links (INTERVIEW_HTTPS_PORT; 0 a free one). */
  readonly httpsPort: number;
  /** How long a link works, seconds (INTERVIEW_REPORT_LINK_TTL_S: 15 minutes, from 1 minute to a day). */
  readonly ttlSeconds: number;
  /**
   * The links' signing key file (INTERVIEW_REPORT_LINK_KEY_FILE; DATA_DIR/report-link.key by
   * default, created on the first start); undefined with DATA_DIR=memory:// (a key of the process).
   */
  readonly keyFile: string | undefined;
  /** Whether INTERVIEW_REPORT_LINK_KEY_FILE named keyFile (then it must be usable), or it is the default. */
  readonly keyFileSet: boolean;
  /**
   * The links' origin as people reach it, e.g. behind a proxy (INTERVIEW_REPORT_BASE_URL);
   * undefined: the listener's own, https://ADVERTISE_HOST:port.
   */
  readonly baseUrl: string | undefined;
}

/** INTERVIEW_HTTPS_PORT, INTERVIEW_REPORT_LINK_TTL_S, INTERVIEW_REPORT_LINK_KEY_FILE, INTERVIEW_REPORT_BASE_URL; ConfigError names a malformed one. */
export function reportLinkSettings(env: Env): ReportLinkSettings {
  const dataDir = stringOr(env, 'DATA_DIR', path.join(REPO_ROOT, '.data'));
  const inMemory = dataDir.startsWith('memory:');
  return Object.freeze({
    httpsPort: portOr(env, 'INTERVIEW_HTTPS_PORT', DEFAULT_HTTPS_PORT),
    ttlSeconds: integerOr(env, 'INTERVIEW_REPORT_LINK_TTL_S', 900, 60, 86_400),
    keyFile: optionalString(env, 'INTERVIEW_REPORT_LINK_KEY_FILE') ?? (inMemory ? undefined : path.join(path.resolve(dataDir), 'report-link.key')),
    keyFileSet: optionalString(env, 'INTERVIEW_REPORT_LINK_KEY_FILE') !== undefined,
    baseUrl: optionalUrl(env, 'INTERVIEW_REPORT_BASE_URL', ['https', 'http'])?.replace(/\/+$/, ''),
  });
}
