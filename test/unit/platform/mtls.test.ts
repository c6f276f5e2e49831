/**
 * Mutual TLS over real gRPC (issue 11): auth (a public port) and scoring (an internal one) through
 * startMesh on PGlite in memory, with the tests' CA; a second CA of the test's own stands for
 * anyone else's. An internal port lets in only clients with a certificate of the mesh's CA, the
 * call policy then decides by the certificate's SPIFFE ID; a mesh channel checks that the server
 * is the service it meant to reach; a public port takes clients without a certificate.
 */
import { TEST_MESH_ENV } from '../../support/mesh-env';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CallOptions,
  ChannelCredentials,
  ChannelOptions,
  ClientUnaryCall,
  credentials,
  Metadata,
  ServiceError as GrpcClientError,
  status,
} from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import pino from 'pino';
import { AuthServiceClient } from '../../../src/gen/auth';
import { ReportRequest, ReportResponse, ScoreRequest, ScoreResponse, ScoringServiceClient, ScoringServiceService } from '../../../src/gen/scoring';
import { CALL_POLICY } from '../../../src/mesh/call-policy';
import { Mesh, startMesh } from '../../../src/mesh/start-mesh';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { adaptService, AsyncService } from '../../../src/platform/grpc/async-service';
import { ServiceError } from '../../../src/platform/grpc/errors';
import { HealthState } from '../../../src/platform/grpc/health';
import { RunningGrpcServer, startGrpcServer } from '../../../src/platform/grpc/server';
import { callUnary } from '../../../src/platform/grpc/unary-call';
import { silentLogger } from '../../../src/platform/log/logger';
import { callPolicyInterceptor, CallPolicy } from '../../../src/platform/tls/call-policy';
import { ensureWorkloadCertificates, tlsFiles } from '../../../src/platform/tls/certificate-files';
import { WorkloadIdentity } from '../../../src/platform/tls/spiffe';
import { publicChannel, TransportSecurity, transportSettings } from '../../../src/platform/tls/transport-security';
import { waitForHealth } from '../../support/grpc-clients';
import { TEST_TLS_DIR, TEST_TLS_ENV, testCredentials, testTransport } from '../../support/tls';

jest.setTimeout(30_000);

const log = silentLogger();
const INTERVIEW: WorkloadIdentity = { kind: 'service', name: 'interview' };
const GENERATE_REPORT = '/scoring.ScoringService/GenerateReport';

/** The tests' CA and the certificates of its workloads; FOREIGN_DIR: another CA's. */
const TEST_FILES = tlsFiles(TEST_TLS_DIR);
let foreignDir: string;

/**
 * TLS client credentials trusting the tests' CA (not checking which service answers: the mesh's
 * own channels do, see TransportSecurity.channel), presenting `name`'s certificate from `dir`, or
 * none when `name` is undefined.
 */
function clientCredentials(name: string | undefined, dir = TEST_TLS_DIR): ChannelCredentials {
  const files = tlsFiles(dir);
  const ca = fs.readFileSync(TEST_FILES.caCertificate);
  const verify = { checkServerIdentity: () => undefined };
  if (name === undefined) return credentials.createSsl(ca, null, null, verify);
  return credentials.createSsl(ca, fs.readFileSync(files.privateKey(name)), fs.readFileSync(files.certificate(name)), verify);
}

/**
 * The TLS server name of the test's own clients: the certificates name localhost besides their
 * service (an IP address is no server name, RFC 6066; the credentials do not check it anyway).
 */
const LOCALHOST: ChannelOptions = { 'grpc.ssl_target_name_override': 'localhost' };

/** A scoring client on `address`; closed after the test. */
const clients: { close(): void }[] = [];
function scoringClient(address: string, channelCredentials: ChannelCredentials, options: ChannelOptions = LOCALHOST): ScoringServiceClient {
  const client = new ScoringServiceClient(address, channelCredentials, options);
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const deadline = () => new Date(Date.now() + 5_000);
const generateReport = (client: ScoringServiceClient): Promise<ReportResponse> =>
  callUnary(client.generateReport.bind(client), ReportRequest.fromPartial({ sessionId: randomUUID() }), { deadline: deadline() });
const calculateScore = (client: ScoringServiceClient): Promise<ScoreResponse> =>
  callUnary(client.calculateScore.bind(client), ScoreRequest.fromPartial({ sessionId: 's-1' }), { deadline: deadline() });

/** The status code and details a call ended with (OK when it succeeded). */
async function outcome(result: Promise<unknown>): Promise<{ code: status; details: string }> {
  try {
    await result;
    return { code: status.OK, details: '' };
  } catch (error) {
    const { code, details } = error as GrpcClientError;
    return { code, details };
  }
}

/** grpc.health.v1.Health/Check of the whole server at `address`, through `channelCredentials`: SERVING, …, or the status's name it failed with. */
interface HealthClient {
  check(
    request: { service: string },
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: (error: GrpcClientError | null, value: { status: string }) => void,
  ): ClientUnaryCall;
  close(): void;
}
type HealthClientClass = new (address: string, credentials: ChannelCredentials, options?: ChannelOptions) => HealthClient;
const healthPackage = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String })) as unknown as {
  grpc: { health: { v1: { Health: HealthClientClass } } };
};
async function health(address: string, channelCredentials: ChannelCredentials): Promise<string> {
  const client = new healthPackage.grpc.health.v1.Health(address, channelCredentials, LOCALHOST);
  try {
    const response = await callUnary(client.check.bind(client), { service: '' }, { deadline: deadline() });
    return response.status;
  } catch (error) {
    return status[(error as GrpcClientError).code];
  } finally {
    client.close();
  }
}

/** The test's own servers (closed after all tests). */
const servers: RunningGrpcServer[] = [];
const transports: TransportSecurity[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) await server.shutdown(100);
  for (const transport of transports.splice(0)) transport.close();
});

/**
 * A scoring.ScoringService server of the test's own behind `policy` (the mesh's by default): certificate
 * `service` from `transport`, a client certificate required or not; GenerateReport answers an
 * empty report, CalculateScore tells who the caller was (its SPIFFE ID in `feedback`).
 */
async function startPolicedScoring(
  transport: TransportSecurity,
  service: string,
  requireClientCertificate: boolean,
  policy: CallPolicy = CALL_POLICY,
): Promise<RunningGrpcServer> {
  const implementation: AsyncService<typeof ScoringServiceService> = {
    generateReport: () => Promise.resolve({ reportUrl: '', reportData: Buffer.from('{}'), format: 'json', report: undefined }),
    calculateScore: (request, ctx) =>
      Promise.resolve(ScoreResponse.fromPartial({ sessionId: request.sessionId, feedback: JSON.stringify(ctx.caller ?? null) })),
    analyzeAnswer: () => Promise.reject(ServiceError.unimplemented('AnalyzeAnswer')),
  };
  const server = await startGrpcServer({
    name: `${service}-test`,
    host: '127.0.0.1',
    port: 0,
    services: [
      {
        name: 'scoring.ScoringService',
        definition: ScoringServiceService,
        implementation: adaptService(ScoringServiceService, implementation, { log, interceptors: [callPolicyInterceptor(policy)] }),
      },
    ],
    health: new HealthState(['scoring.ScoringService']),
    log,
    credentials: transport.serverCredentials(service, requireClientCertificate),
  });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  foreignDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-foreign-ca-'));
  // Another CA, with certificates for the same names: what anyone can make.
  await ensureWorkloadCertificates(foreignDir, [INTERVIEW, { kind: 'service', name: 'scoring' }, { kind: 'operator', name: 'operator' }], [], log);
});
afterAll(() => {
  fs.rmSync(foreignDir, { recursive: true, force: true });
});

describe('the mesh over mTLS (auth and scoring through startMesh, the tests’ CA)', () => {
  let mesh: Mesh;
  let keysDir: string;
  let transport: TransportSecurity;
  let scoring: string;
  let auth: string;

  beforeAll(async () => {
    keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtls-auth-keys-'));
    const env = {
      DATA_DIR: 'memory://',
      ...TEST_MESH_ENV,
      BIND_HOST: '127.0.0.1',
      AUTH_SCRYPT_COST: '10',
      AUTH_KEYS_DIR: keysDir,
      AUTH_PORT: '0',
      SCORING_PORT: '0',
    };
    mesh = await startMesh({ ...loadConfig(env), dataDir: 'memory://' }, ['auth', 'scoring'], log, { env });
    scoring = mesh.address('scoring');
    auth = mesh.address('auth');
    await Promise.all([waitForHealth(auth, 'SERVING', 10_000), waitForHealth(scoring, 'SERVING', 10_000)]);
    transport = await testTransport();
  });

  afterAll(async () => {
    transport.close();
    await mesh.stop(500);
    fs.rmSync(keysDir, { recursive: true, force: true });
  });

  describe('an internal port (scoring)', () => {
    it('refuses a plaintext client (UNAVAILABLE)', async () => {
      const client = scoringClient(scoring, credentials.createInsecure());
      expect((await outcome(calculateScore(client))).code).toBe(status.UNAVAILABLE);
      expect(await health(scoring, credentials.createInsecure())).toBe('UNAVAILABLE');
    });

    it('refuses a client certificate of another CA, even one naming the interview service (UNAVAILABLE)', async () => {
      const client = scoringClient(scoring, clientCredentials('interview', foreignDir));
      expect((await outcome(generateReport(client))).code).toBe(status.UNAVAILABLE);
      expect(await health(scoring, clientCredentials('operator', foreignDir))).toBe('UNAVAILABLE');
    });

    it('refuses a TLS client without a certificate (UNAVAILABLE)', async () => {
      const client = scoringClient(scoring, clientCredentials(undefined));
      expect((await outcome(calculateScore(client))).code).toBe(status.UNAVAILABLE);
      expect(await health(scoring, clientCredentials(undefined))).toBe('UNAVAILABLE');
    });

    it('refuses a valid certificate of the wrong service with PERMISSION_DENIED from the call policy', async () => {
      const asAuth = scoringClient(scoring, clientCredentials('auth'));
      expect(await outcome(generateReport(asAuth))).toEqual({
        code: status.PERMISSION_DENIED,
        details: `spiffe://interview-mesh/service/auth may not call ${GENERATE_REPORT}`,
      });
      // Operators may not read reports either: only the interview service, which checks ownership.
      const asOperator = scoringClient(scoring, testCredentials());
      expect(await outcome(generateReport(asOperator))).toEqual({
        code: status.PERMISSION_DENIED,
        details: `spiffe://interview-mesh/operator/operator may not call ${GENERATE_REPORT}`,
      });
      expect((await outcome(calculateScore(asOperator))).code).toBe(status.OK);
    });

    it("lets the interview service's certificate through, on the mesh's own channel (which checks scoring's SPIFFE ID)", async () => {
      const channel = transport.channel(INTERVIEW, 'scoring');
      const client = scoringClient(scoring, channel.credentials, channel.options);
      // Past the policy: the handler answers that there is no such report.
      expect(await outcome(generateReport(client))).toEqual({ code: status.NOT_FOUND, details: expect.stringMatching(/^no report for session /) as unknown });
    });

    it('answers health to any client with a certificate of the mesh’s CA, whatever its identity', async () => {
      for (const name of ['interview', 'auth', 'emotion', 'notifier', 'scoring', 'operator']) {
        expect([name, await health(scoring, clientCredentials(name))]).toEqual([name, 'SERVING']);
      }
    });
  });

  describe("a mesh channel (TransportSecurity.channel) checks the server's identity", () => {
    it('refuses a server whose certificate names another service: UNAVAILABLE, saying which', async () => {
      // Dialing scoring's port while meaning to reach emotion: the CA signed it, but it is not emotion.
      const channel = transport.channel(INTERVIEW, 'emotion');
      const result = await outcome(calculateScore(scoringClient(scoring, channel.credentials, channel.options)));
      expect(result.code).toBe(status.UNAVAILABLE);
      expect(result.details).toContain("the server's certificate names spiffe://interview-mesh/service/scoring, not spiffe://interview-mesh/service/emotion");
      // And the public auth port, meaning to reach scoring.
      const toAuth = transport.channel(INTERVIEW, 'scoring');
      const atAuth = await outcome(calculateScore(scoringClient(auth, toAuth.credentials, toAuth.options)));
      expect(atAuth.code).toBe(status.UNAVAILABLE);
      expect(atAuth.details).toContain("the server's certificate names spiffe://interview-mesh/service/auth, not spiffe://interview-mesh/service/scoring");
    });

    it('refuses a server with a certificate of another CA, even one naming the right service (UNAVAILABLE)', async () => {
      const foreign = new TransportSecurity(transportSettings({ MESH_TLS_DIR: foreignDir }, foreignDir), log);
      transports.push(foreign);
      const impostor = await startPolicedScoring(foreign, 'scoring', false);
      const channel = transport.channel(INTERVIEW, 'scoring');
      const result = await outcome(calculateScore(scoringClient(impostor.address, channel.credentials, channel.options)));
      expect(result.code).toBe(status.UNAVAILABLE);
      expect(result.details).not.toContain('the server');
    });
  });

  describe('a public port (auth)', () => {
    it("takes a client without a certificate that trusts the mesh's CA (publicChannel), and answers its health", async () => {
      const channel = publicChannel(transportSettings(TEST_TLS_ENV, os.tmpdir()), auth);
      const client = new AuthServiceClient(auth, channel.credentials, channel.options);
      clients.push(client);
      const jwks = await callUnary(client.getJwks.bind(client), {}, { deadline: deadline() });
      expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
      expect(await health(auth, channel.credentials)).toBe('SERVING');
      // The same client is refused on the internal port.
      expect(await health(scoring, channel.credentials)).toBe('UNAVAILABLE');
    });

    it('still refuses plaintext', async () => {
      expect(await health(auth, credentials.createInsecure())).toBe('UNAVAILABLE');
    });
  });
});

describe('a caller identity comes from a verified certificate only (a public port, client certificates optional)', () => {
  let server: RunningGrpcServer;
  beforeAll(async () => {
    const transport = await testTransport();
    transports.push(transport);
    // The mesh's rules, but anyone may CalculateScore, which answers who the caller was.
    const policy: CallPolicy = { 'scoring.ScoringService': { ...CALL_POLICY['scoring.ScoringService'], CalculateScore: 'anyone' } };
    server = await startPolicedScoring(transport, 'interview', false, policy);
  });
  const callerSeen = async (channelCredentials: ChannelCredentials) =>
    JSON.parse((await calculateScore(scoringClient(server.address, channelCredentials))).feedback) as unknown;

  it("names the caller of the mesh's CA, and no one for a client without a certificate", async () => {
    expect(await callerSeen(testCredentials())).toEqual({ kind: 'operator', name: 'operator' });
    expect(await callerSeen(clientCredentials(undefined))).toBeNull();
  });

  it('takes a certificate of another CA as no identity: the TLS handshake passes, the call policy sees no caller', async () => {
    expect(await callerSeen(clientCredentials('operator', foreignDir))).toBeNull();
    expect(await outcome(generateReport(scoringClient(server.address, clientCredentials('interview', foreignDir))))).toEqual({
      code: status.PERMISSION_DENIED,
      details: `a caller without a mesh certificate may not call ${GENERATE_REPORT}`,
    });
    expect((await outcome(generateReport(scoringClient(server.address, clientCredentials('interview'))))).code).toBe(status.OK);
  });
});

describe('the development switch (MESH_INSECURE_PLAINTEXT=true)', () => {
  let mesh: Mesh;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const env = { DATA_DIR: 'memory://', BIND_HOST: '127.0.0.1', SCORING_PORT: '0', MESH_INSECURE_PLAINTEXT: 'true' };
    const recording = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    mesh = await startMesh({ ...loadConfig(env), dataDir: 'memory://' }, ['scoring'], recording, { env });
  });
  afterAll(() => mesh.stop(500));

  it('serves plaintext with no call policy, refuses TLS clients, and says INSECURE at start-up', async () => {
    const address = mesh.address('scoring');
    expect(await health(address, credentials.createInsecure())).toBe('SERVING');
    // No identities, so no policy: the handler answers anyone.
    expect(await outcome(generateReport(scoringClient(address, credentials.createInsecure())))).toEqual({
      code: status.NOT_FOUND,
      details: expect.stringMatching(/^no report for session /) as unknown,
    });
    expect(await health(address, testCredentials())).toBe('UNAVAILABLE');
    expect(lines).toContainEqual(expect.objectContaining({ switch: 'MESH_INSECURE_PLAINTEXT', msg: expect.stringMatching(/^INSECURE/) as unknown }));
  });
});
