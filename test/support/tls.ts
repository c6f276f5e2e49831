import fs from 'node:fs';
import path from 'node:path';
import { ChannelCredentials, credentials } from '@grpc/grpc-js';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { silentLogger } from '../../src/platform/log/logger';
import { ensureWorkloadCertificates, tlsFiles } from '../../src/platform/tls/certificate-files';
import { TransportSecurity } from '../../src/platform/tls/transport-security';

/**
 * The tests' TLS directory: one CA and a certificate per workload (the registry's services, the
 * test fixtures' services, the operator), under .cache/ and shared by every test process. A mesh
 * the tests start with `TEST_TLS_ENV` (meshEnv does) trusts this CA and issues what it lacks there.
 */
export const TEST_TLS_DIR = path.resolve(__dirname, '../../.cache/test-tls');

/** The variable that points a mesh at the tests' TLS directory. */
export const TEST_TLS_ENV: Readonly<Record<string, string>> = { MESH_TLS_DIR: TEST_TLS_DIR };

/** The workload names of the test fixtures' own services (test/fixtures). */
const FIXTURE_SERVICES = ['tally'];

/** Issues the CA and every certificate the tests use, when missing: for the jest global set-ups. */
export async function ensureTestTls(): Promise<void> {
  const identities = [
    ...[...SERVICE_NAMES, ...FIXTURE_SERVICES].map((name) => ({ kind: 'service' as const, name })),
    { kind: 'operator' as const, name: 'operator' },
  ];
  await ensureWorkloadCertificates(TEST_TLS_DIR, identities, [], silentLogger());
}

/** Channel options of the tests' own clients: the server name sent is `localhost` (TLS may not send an IP address, RFC 6066). */
export const TEST_CHANNEL_OPTIONS = { 'grpc.ssl_target_name_override': 'localhost' };

/**
 * Credentials of the tests' own clients: TLS trusting the tests' CA and presenting the operator's
 * certificate (spiffe://interview-mesh/operator/operator), as grpcurl and the interop clients do.
 * They do not check which service answered (a test dials the address it just started; the mesh's
 * own channels check the SPIFFE ID). The files are read at each call, after a mesh has issued them.
 */
export function testCredentials(): ChannelCredentials {
  const files = tlsFiles(TEST_TLS_DIR);
  return credentials.createSsl(
    fs.readFileSync(files.caCertificate),
    fs.readFileSync(files.privateKey('operator')),
    fs.readFileSync(files.certificate('operator')),
    {
      checkServerIdentity: () => undefined,
    },
  );
}

/**
 * Transport security on the tests' TLS directory, for tests that build servers, hosts and channels
 * by hand (startGrpcServer, startService, createDownstreamClient): certificates of the registry's
 * services and of `extraServices` (issued here when missing, e.g. a test's own `probe`), re-read
 * every `reloadMs`. Close it when done (it stops the re-reading).
 */
export async function testTransport(extraServices: readonly string[] = [], reloadMs = 60_000): Promise<TransportSecurity> {
  if (extraServices.length > 0) {
    const identities = extraServices.map((name) => ({ kind: 'service' as const, name }));
    await ensureWorkloadCertificates(TEST_TLS_DIR, identities, [], silentLogger());
  }
  return new TransportSecurity({ plaintext: false, dir: TEST_TLS_DIR, reloadMs }, silentLogger());
}
