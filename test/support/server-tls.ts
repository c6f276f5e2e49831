import fs from 'node:fs';
import path from 'node:path';
import { issueWorkloadCertificate } from '../../src/platform/tls/certificate-authority';
import { certificateIsCurrent, tlsFiles, writeAtomically } from '../../src/platform/tls/certificate-files';
import { ensureTestTls, TEST_TLS_DIR } from './tls';

const VALIDITY_DAYS = 30;

/**
 * The `--tls SERVER_PEM CA_CERT` arguments of a set-up script (scripts/infra/ensure-postgres.sh,
 * ensure-rabbitmq.sh) that make the tests' `server` offer TLS with a certificate of the tests' CA
 * naming `host` alone: issued when missing, not the CA's, or past two thirds of its life
 * (certificateIsCurrent). Key and certificate are one file, `<server>-server.pem`, so that replacing
 * them is one rename, never a key beside another key's certificate.
 */
export async function serverTlsArguments(server: string, host: string): Promise<string[]> {
  await ensureTestTls();
  const files = tlsFiles(TEST_TLS_DIR);
  const serverPem = path.join(TEST_TLS_DIR, `${server}-server.pem`);
  const ca = { certificate: fs.readFileSync(files.caCertificate, 'utf8'), privateKey: fs.readFileSync(files.caKey, 'utf8') };
  const identity = { kind: 'service' as const, name: server };
  const existing = fs.existsSync(serverPem) ? fs.readFileSync(serverPem, 'utf8') : '';
  if (!certificateIsCurrent({ certificate: existing, privateKey: existing }, ca.certificate, { identity, hosts: [host] })) {
    const pair = await issueWorkloadCertificate(ca, identity, { hosts: [host] }, VALIDITY_DAYS);
    writeAtomically(serverPem, `${pair.privateKey.trimEnd()}\n${pair.certificate.trimEnd()}\n`, 0o600);
  }
  return ['--tls', serverPem, files.caCertificate];
}
