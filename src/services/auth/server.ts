import { AuthServiceService } from '../../gen/auth';
import { forwardedClientAddress, limitInterceptor } from '../../platform/limits/limit-interceptor';
import { Caller } from '../../platform/tls/call-policy';
import { grpcService, NoDownstreams, ResourceSpec, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { Accounts } from './accounts';
import { authHandlers } from './handlers';
import { AuthSettings } from './settings';
import { SigningKeys } from './signing-keys';
import { AuthStore, AuthTables } from './store';

/**
 * Whose `x-forwarded-for` this service believes for its per-address limit: the gateway's, proven
 * by its mTLS client certificate (its browsers' addresses; else every gateway user shared the
 * gateway's one counter). Anyone else's is ignored (forwardedClientAddress).
 */
const ADDRESS_FORWARDERS: readonly Caller[] = ['service:gateway'];

/** The signing keys, read (or created, on a first start) once the server is up, re-read every keysReloadMs. */
export const SIGNING_KEYS: ResourceSpec<AuthSettings, SigningKeys> = {
  name: 'signing keys',
  whileMissing: 'the signing keys are still loading; retry shortly',
  create: (settings, log) => SigningKeys.open(settings.keysDir, settings.keysReloadMs, log),
  close: (keys) => {
    keys.close();
    return Promise.resolve();
  },
};

/** Public keys, asked for by every service that verifies tokens: never limited. */
const GET_JWKS = '/auth.v1.AuthService/GetJwks';

/**
 * The auth service's wiring: auth.v1.AuthService on its store and keys, every call but GetJwks
 * counted against the per-address limit (what slows password guessing from one place).
 */
export function startAuth(context: ServiceContext<AuthSettings, NoDownstreams, SigningKeys>): ServiceParts {
  const accounts = new Accounts(new AuthStore(context.db<AuthTables>()), context.resource, context.settings, context.outbox<AuthTables>());
  const perAddress = context.rateLimit(context.settings.requestsPerAddress);
  return {
    grpc: [grpcService('auth.v1.AuthService', AuthServiceService, authHandlers(accounts, context.resource))],
    interceptors: [limitInterceptor(perAddress, (ctx) => (ctx.method === GET_JWKS ? undefined : forwardedClientAddress(ctx, ADDRESS_FORWARDERS)))],
  };
}
