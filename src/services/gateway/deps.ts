import { TokenVerifier } from '../../platform/identity/token-verifier';
import { RateLimit } from '../../platform/limits/rate-limit';
import { Logger } from '../../platform/log/logger';
import { GatewaySettings } from './settings';
import { Upstreams } from './upstream';

/** What the gateway's HTTP side is built from (server.ts passes the real ones, tests fakes). */
export interface GatewayDeps {
  readonly upstreams: Upstreams;
  readonly verifier: TokenVerifier;
  readonly perAddress: RateLimit;
  readonly framesPerSocket: RateLimit;
  readonly settings: Pick<GatewaySettings, 'corsOrigins' | 'wsAuthTimeoutMs' | 'webDir'>;
  readonly log: Logger;
}
