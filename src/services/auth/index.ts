import { ROUTING_KEYS } from '../../platform/bus/event-catalog';
import { defineService, NO_DOWNSTREAMS } from '../../platform/service/descriptor';
import { authMigrations } from './migrations';
import { SIGNING_KEYS, startAuth } from './server';
import { authSettings } from './settings';

/**
 * The auth service: people (candidates and interviewers) and their tokens. Serves auth.v1.AuthService
 * (Register, Login, Refresh with rotation and reuse detection, Logout, GetJwks, DeleteAccount);
 * issues EdDSA-signed access tokens that the other services verify with the published keys;
 * publishes `auth.user.deleted` through its outbox.
 */
export const authService = defineService({
  name: 'auth',
  defaultPort: 50055,
  migrations: authMigrations,
  consumes: [],
  publishes: [ROUTING_KEYS.userDeleted],
  consulTags: ['auth', 'grpc'],
  exposure: 'public',
  grpcServices: ['auth.v1.AuthService'],
  downstreams: NO_DOWNSTREAMS,
  settings: authSettings,
  resource: SIGNING_KEYS,
  start: startAuth,
});
