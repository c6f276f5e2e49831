/**
 * Certificate rotation under load (issue 11): a scoring server and interview clients, each with its
 * own TransportSecurity re-reading a TLS directory of the test's own every 200 ms, as two processes
 * of the mesh would. Calls run back to back on several channels, and new channels open throughout,
 * while both workloads' certificates are re-issued a few times: no call fails, and each new
 * connection presents the newest certificates (the server's as a client sees it, the client's as
 * the server sees it).
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Metadata, sendUnaryData, ServerUnaryCall, status, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ScoreRequest, ScoreResponse, ScoringServiceClient, ScoringServiceService } from '../../../src/gen/scoring';
import { HealthState } from '../../../src/platform/grpc/health';
import { RunningGrpcServer, startGrpcServer } from '../../../src/platform/grpc/server';
import { callUnary } from '../../../src/platform/grpc/unary-call';
import { silentLogger } from '../../../src/platform/log/logger';
import { issueWorkloadCertificate } from '../../../src/platform/tls/certificate-authority';
import { ensureWorkloadCertificates, LOCAL_HOSTS, TlsFiles, writeWorkloadCertificate } from '../../../src/platform/tls/certificate-files';
import { WorkloadIdentity } from '../../../src/platform/tls/spiffe';
import { TransportSecurity } from '../../../src/platform/tls/transport-security';
import { sleep, waitFor } from '../../support/wait';

jest.setTimeout(60_000);

const log = silentLogger();
const SCORING: WorkloadIdentity = { kind: 'service', name: 'scoring' };
const INTERVIEW: WorkloadIdentity = { kind: 'service', name: 'interview' };
const RELOAD_MS = 200;
const ROTATIONS = 3;
const LOOPS = 4;

/** The serial number of a PEM certificate, as Node writes it. */
const serialOf = (pem: string | Buffer) => new X509Certificate(pem).serialNumber;

/** The serial number of the certificate the server at `port` presents to a new TLS connection (the client's from `files`). */
function serverSerial(files: TlsFiles, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'scoring',
        ALPNProtocols: ['h2'],
        ca: fs.readFileSync(files.caCertificate),
        cert: fs.readFileSync(files.certificate('interview')),
        key: fs.readFileSync(files.privateKey('interview')),
        checkServerIdentity: () => undefined,
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.destroy();
        resolve(serial);
      },
    );
    socket.once('error', reject);
  });
}

describe('certificate rotation under load', () => {
  let dir: string;
  let files: TlsFiles;
  let serverTransport: TransportSecurity;
  let clientTransport: TransportSecurity;
  let server: RunningGrpcServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-rotation-'));
    files = await ensureWorkloadCertificates(dir, [SCORING, INTERVIEW], [], log);
    serverTransport = new TransportSecurity({ plaintext: false, dir, reloadMs: RELOAD_MS }, log);
    clientTransport = new TransportSecurity({ plaintext: false, dir, reloadMs: RELOAD_MS }, log);
    // CalculateScore answers with the serial number of the client certificate it saw (grpc-js's own
    // handler: the call's auth context has the peer certificate).
    const implementation: UntypedServiceImplementation = {
      calculateScore: (call: ServerUnaryCall<ScoreRequest, ScoreResponse>, callback: sendUnaryData<ScoreResponse>) => {
        const peer = call.getAuthContext().sslPeerCertificate;
        callback(null, ScoreResponse.fromPartial({ sessionId: call.request.sessionId, feedback: peer?.serialNumber ?? 'none' }));
      },
      analyzeAnswer: (_call: unknown, callback: sendUnaryData<never>) => {
        callback({ code: status.UNIMPLEMENTED, details: 'AnalyzeAnswer' });
      },
      generateReport: (_call: unknown, callback: sendUnaryData<never>) => {
        callback({ code: status.UNIMPLEMENTED, details: 'GenerateReport' });
      },
    };
    server = await startGrpcServer({
      name: 'scoring-rotation',
      host: '127.0.0.1',
      port: 0,
      services: [{ name: 'scoring.ScoringService', definition: ScoringServiceService, implementation }],
      health: new HealthState(['scoring.ScoringService']),
      log,
      credentials: serverTransport.serverCredentials('scoring', true),
    });
  });

  afterAll(async () => {
    await server.shutdown(100);
    serverTransport.close();
    clientTransport.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A new channel to scoring as the interview service (its own connection: each mesh channel has credentials of its own). */
  function newClient(): ScoringServiceClient {
    const channel = clientTransport.channel(INTERVIEW, 'scoring');
    return new ScoringServiceClient(server.address, channel.credentials, channel.options);
  }

  /** One CalculateScore; the client certificate's serial number the server saw. */
  async function call(client: ScoringServiceClient, sessionId: string): Promise<string> {
    const response = await callUnary(client.calculateScore.bind(client), ScoreRequest.fromPartial({ sessionId }), {
      deadline: new Date(Date.now() + 5_000),
      metadata: new Metadata(),
    });
    return response.feedback;
  }

  /** Re-issues `identity`'s certificate from the directory's CA, as a renewal would (key first, then certificate, each by rename). */
  async function rotate(identity: WorkloadIdentity): Promise<string> {
    const ca = { certificate: fs.readFileSync(files.caCertificate, 'utf8'), privateKey: fs.readFileSync(files.caKey, 'utf8') };
    const pair = await issueWorkloadCertificate(ca, identity, { hosts: [identity.name, ...LOCAL_HOSTS] });
    writeWorkloadCertificate(files, identity, pair);
    return serialOf(pair.certificate);
  }

  it('fails no call while both certificates are re-issued, and new connections present the new ones', async () => {
    const failures: string[] = [];
    let calls = 0;
    /** Whether the loops go on (an object: the loops read it after the test changes it). */
    const load = { running: true };
    const record = (error: unknown) => failures.push((error as Error).message);

    // Several channels calling back to back for the whole run.
    const loops = Array.from({ length: LOOPS }, async (_, loop) => {
      const client = newClient();
      try {
        for (let i = 0; load.running; i += 1) {
          await call(client, `loop-${loop}-${i}`).then(() => (calls += 1), record);
        }
      } finally {
        client.close();
      }
    });
    // New channels opening throughout: each makes a few calls on a new connection, then closes.
    const churn = (async () => {
      for (let i = 0; load.running; i += 1) {
        const client = newClient();
        for (let j = 0; j < 3; j += 1) await call(client, `churn-${i}-${j}`).then(() => (calls += 1), record);
        client.close();
        await sleep(20);
      }
    })();

    const initialClientSerial = serialOf(fs.readFileSync(files.certificate('interview')));
    const initialServerSerial = serialOf(fs.readFileSync(files.certificate('scoring')));
    expect(await serverSerial(files, server.port)).toBe(initialServerSerial);
    const seenServerSerials = [initialServerSerial];
    const seenClientSerials = [initialClientSerial];

    for (let round = 0; round < ROTATIONS; round += 1) {
      await sleep(300);
      const serverSerialNow = await rotate(SCORING);
      const clientSerialNow = await rotate(INTERVIEW);
      // The server presents its new certificate to new connections once it has re-read it...
      await waitFor(`the server's certificate of round ${round}`, async () => (await serverSerial(files, server.port)) === serverSerialNow, 10_000, 50);
      // ...and a new channel presents the client's new one, which the server sees.
      await waitFor(
        `the client's certificate of round ${round}`,
        async () => {
          const client = newClient();
          try {
            return (await call(client, `probe-${round}`)) === clientSerialNow;
          } finally {
            client.close();
          }
        },
        10_000,
        50,
      );
      seenServerSerials.push(serverSerialNow);
      seenClientSerials.push(clientSerialNow);
    }
    await sleep(300);
    load.running = false;
    await Promise.all([...loops, churn]);

    expect(failures).toEqual([]);
    expect(new Set(seenServerSerials).size).toBe(ROTATIONS + 1);
    expect(new Set(seenClientSerials).size).toBe(ROTATIONS + 1);
    // Calls ran throughout (a loose floor: this is about failures, not speed).
    expect(calls).toBeGreaterThan(100);
  });
});
