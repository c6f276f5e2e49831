/**
 * auth.v1.AuthService over real gRPC: the auth service alone through startMesh, PGlite in memory,
 * its signing keys in a temporary directory.
 */
import { TEST_MESH_ENV } from '../../support/mesh-env';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { createLocalJWKSet, decodeProtectedHeader, JWK, jwtVerify } from 'jose';
import { AuthServiceClient, GetJwksResponse, RegisterRequest, Role } from '../../../src/gen/auth';
import { startMesh, Mesh } from '../../../src/mesh/start-mesh';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { callUnary, UnaryMethod } from '../../../src/platform/grpc/unary-call';
import { silentLogger } from '../../../src/platform/log/logger';
import { checkHealth, listServicesByReflection, waitForHealth } from '../../support/grpc-clients';
import { statusOf } from '../../support/interview-client';
import { testCredentials } from '../../support/tls';

jest.setTimeout(30_000);

const INVITATION = 'open-sesame';
const PASSWORD = 'correct horse battery staple';
const WRONG_CREDENTIALS = 'UNAUTHENTICATED: email or password is wrong';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The JWK Set document GetJwks's keys stand for (proto3 gives "" for an absent member; none is absent here). */
function jwkSet(response: GetJwksResponse): { keys: JWK[] } {
  return { keys: response.keys.map(({ kty, crv, x, kid, alg, use }) => ({ kty, crv, x, kid, alg, use })) };
}

describe('auth.v1.AuthService', () => {
  let keysDir: string;
  let mesh: Mesh;
  let address: string;
  let raw: AuthServiceClient;
  let auth: ReturnType<typeof authClient>;

  function authClient(client: AuthServiceClient) {
    const call =
      <Req, Res>(method: UnaryMethod<Req, Res>) =>
      (request: Req) =>
        callUnary(method, request, { deadline: new Date(Date.now() + 10_000), metadata: new Metadata() });
    return {
      register: call(client.register.bind(client)),
      login: call(client.login.bind(client)),
      refresh: call(client.refresh.bind(client)),
      logout: call(client.logout.bind(client)),
      getJwks: call(client.getJwks.bind(client)),
    };
  }

  const register = (email: string, role = Role.ROLE_CANDIDATE, password = PASSWORD, invitationCode = ''): Promise<unknown> =>
    auth.register(RegisterRequest.fromPartial({ email, password, role, invitationCode }));

  /** The claims of an access token, verified with the keys GetJwks publishes now. */
  async function verified(accessToken: string) {
    const jwks = createLocalJWKSet(jwkSet(await auth.getJwks({})));
    return jwtVerify(accessToken, jwks, { issuer: 'interview-mesh-auth', audience: 'interview-mesh', algorithms: ['EdDSA'], typ: 'at+jwt' });
  }

  beforeAll(async () => {
    keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'auth-service-keys-'));
    const env = {
      DATA_DIR: 'memory://',
      ...TEST_MESH_ENV,
      BIND_HOST: '127.0.0.1',
      AUTH_SCRYPT_COST: '10',
      AUTH_KEYS_DIR: keysDir,
      AUTH_INTERVIEWER_INVITATION_CODE: INVITATION,
      AUTH_ACCESS_TOKEN_TTL_S: '60',
    };
    const config = { ...loadConfig(env), dataDir: 'memory://' };
    mesh = await startMesh(config, ['auth'], silentLogger(), { env, overrides: { auth: { port: 0 } } });
    address = mesh.address('auth');
    // The signing keys load once the server is up: SERVING says they are there.
    await waitForHealth(address, 'SERVING', 10_000);
    raw = new AuthServiceClient(address, testCredentials());
    auth = authClient(raw);
  });

  afterAll(async () => {
    raw.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  describe('Register', () => {
    it('creates a candidate, and refuses the same email in another case with ALREADY_EXISTS', async () => {
      const created = await auth.register({ email: 'Cand@Example.com', password: PASSWORD, role: Role.ROLE_CANDIDATE, invitationCode: '' });
      expect(created.userId).toMatch(UUID);
      expect(created.role).toBe(Role.ROLE_CANDIDATE);
      expect(await statusOf(register('  cand@EXAMPLE.COM '))).toBe('ALREADY_EXISTS: an account with this email exists already');
      expect(await statusOf(register('cand@example.com', Role.ROLE_INTERVIEWER, PASSWORD, INVITATION))).toBe(
        'ALREADY_EXISTS: an account with this email exists already',
      );
    });

    it('creates an interviewer only with the invitation code (PERMISSION_DENIED without it or with a wrong one)', async () => {
      const denied = 'PERMISSION_DENIED: interviewer accounts need the invitation code of this deployment';
      expect(await statusOf(register('boss@example.com', Role.ROLE_INTERVIEWER))).toBe(denied);
      expect(await statusOf(register('boss@example.com', Role.ROLE_INTERVIEWER, PASSWORD, 'open-sesam'))).toBe(denied);
      expect(await statusOf(register('boss@example.com', Role.ROLE_INTERVIEWER, PASSWORD, `${INVITATION}!`))).toBe(denied);
      const created = await auth.register({ email: 'boss@example.com', password: PASSWORD, role: Role.ROLE_INTERVIEWER, invitationCode: INVITATION });
      expect(created.userId).toMatch(UUID);
      expect(created.role).toBe(Role.ROLE_INTERVIEWER);
    });

    it('refuses ROLE_UNSPECIFIED, a malformed email and a short password with INVALID_ARGUMENT (not echoing the password)', async () => {
      expect(await statusOf(register('norole@example.com', Role.ROLE_UNSPECIFIED))).toBe('INVALID_ARGUMENT: role must be ROLE_CANDIDATE or ROLE_INTERVIEWER');
      expect(await statusOf(register('not-an-email', Role.ROLE_CANDIDATE))).toBe('INVALID_ARGUMENT: email must look like name@example.com');
      const short = await statusOf(register('short@example.com', Role.ROLE_CANDIDATE, 'hunter2'));
      expect(short).toBe('INVALID_ARGUMENT: password must be 8 to 128 characters, got 7');
      expect(short).not.toContain('hunter2');
      // Nothing was created: the address is free.
      expect(await statusOf(register('short@example.com'))).toBe('OK');
    });
  });

  describe('Login', () => {
    let userId: string;
    beforeAll(async () => {
      userId = (await auth.register({ email: 'login@example.com', password: PASSWORD, role: Role.ROLE_CANDIDATE, invitationCode: '' })).userId;
    });

    it('gives the same UNAUTHENTICATED message for a wrong password and an unknown email', async () => {
      expect(await statusOf(auth.login({ email: 'login@example.com', password: `${PASSWORD}!` }))).toBe(WRONG_CREDENTIALS);
      expect(await statusOf(auth.login({ email: 'nobody@example.com', password: PASSWORD }))).toBe(WRONG_CREDENTIALS);
    });

    it('gives a Bearer pair whose access token verifies against GetJwks, for the right user and role', async () => {
      const pair = await auth.login({ email: 'LOGIN@example.com ', password: PASSWORD });
      expect(pair.tokenType).toBe('Bearer');
      expect(pair.expiresIn).toBe(60);
      expect(pair.refreshToken).toMatch(REFRESH_TOKEN);

      const jwks = await auth.getJwks({});
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(decodeProtectedHeader(pair.accessToken).kid).toBe(jwks.keys[0].kid);

      const { payload } = await verified(pair.accessToken);
      expect(payload).toMatchObject({ sub: userId, role: 'candidate' });
      expect(payload.jti).toMatch(UUID);
      expect(payload.exp).toBe(payload.iat! + 60);
    });

    it('puts the registered user id and the interviewer role into an interviewer token', async () => {
      const created = await auth.register({ email: 'judge@example.com', password: PASSWORD, role: Role.ROLE_INTERVIEWER, invitationCode: INVITATION });
      const { payload } = await verified((await auth.login({ email: 'judge@example.com', password: PASSWORD })).accessToken);
      expect(payload.sub).toBe(created.userId);
      expect(payload.role).toBe('interviewer');
    });

    it('refuses a blank email with INVALID_ARGUMENT', async () => {
      expect(await statusOf(auth.login({ email: '  ', password: PASSWORD }))).toBe('INVALID_ARGUMENT: email is required');
    });
  });

  describe('Refresh and Logout', () => {
    const login = () => auth.login({ email: 'refresh@example.com', password: PASSWORD });
    let userId: string;
    beforeAll(async () => {
      userId = (await auth.register({ email: 'refresh@example.com', password: PASSWORD, role: Role.ROLE_CANDIDATE, invitationCode: '' })).userId;
    });

    it('returns a new pair of the same user, and a spent token presented again revokes its whole family', async () => {
      const first = await login();
      const second = await auth.refresh({ refreshToken: first.refreshToken });
      expect(second.tokenType).toBe('Bearer');
      expect(second.expiresIn).toBe(60);
      expect(second.refreshToken).toMatch(REFRESH_TOKEN);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      const { payload } = await verified(second.accessToken);
      expect(payload).toMatchObject({ sub: userId, role: 'candidate' });

      expect(await statusOf(auth.refresh({ refreshToken: first.refreshToken }))).toBe(
        'UNAUTHENTICATED: the refresh token is spent already, so every token of its login is revoked; log in again',
      );
      // The reuse revoked the family: the newest token, never used, is refused as well.
      expect(await statusOf(auth.refresh({ refreshToken: second.refreshToken }))).toBe('UNAUTHENTICATED: the refresh token is revoked; log in again');

      // Another login (another family) is not affected.
      const other = await login();
      expect(await statusOf(auth.refresh({ refreshToken: other.refreshToken }))).toBe('OK');
    });

    it('spends a token once when two refreshes race with it', async () => {
      const { refreshToken } = await login();
      const outcomes = await Promise.all([statusOf(auth.refresh({ refreshToken })), statusOf(auth.refresh({ refreshToken }))]);
      expect(outcomes.filter((s) => s === 'OK')).toHaveLength(1);
      expect(outcomes.filter((s) => s.startsWith('UNAUTHENTICATED: '))).toHaveLength(1);
    });

    it('refuses a refresh token after Logout', async () => {
      const first = await login();
      const second = await auth.refresh({ refreshToken: first.refreshToken });
      expect(await auth.logout({ refreshToken: second.refreshToken })).toEqual({});
      expect(await statusOf(auth.refresh({ refreshToken: second.refreshToken }))).toBe('UNAUTHENTICATED: the refresh token is revoked; log in again');
      // Idempotent: the same token again is no error.
      expect(await statusOf(auth.logout({ refreshToken: second.refreshToken }))).toBe('OK');
    });

    it('accepts Logout of an unknown token, and refuses an unknown or blank one on Refresh', async () => {
      expect(await statusOf(auth.logout({ refreshToken: 'never-issued' }))).toBe('OK');
      expect(await statusOf(auth.refresh({ refreshToken: 'never-issued' }))).toBe('UNAUTHENTICATED: the refresh token is unknown; log in again');
      expect(await statusOf(auth.refresh({ refreshToken: '' }))).toBe('INVALID_ARGUMENT: refresh_token is required');
      expect(await statusOf(auth.logout({ refreshToken: '' }))).toBe('INVALID_ARGUMENT: refresh_token is required');
    });
  });

  describe('the server', () => {
    it('reports SERVING for itself and auth.v1.AuthService, and lists the service by reflection', async () => {
      expect(await checkHealth(address)).toBe('SERVING');
      expect(await checkHealth(address, 'auth.v1.AuthService')).toBe('SERVING');
      expect(await listServicesByReflection(address)).toContain('auth.v1.AuthService');
    });

    it('created one signing key in AUTH_KEYS_DIR, the one GetJwks publishes', async () => {
      const files = await fs.readdir(keysDir);
      expect(files).toEqual([`${(await auth.getJwks({})).keys[0].kid}.jwk`]);
    });
  });
});
