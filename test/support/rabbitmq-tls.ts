import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { issueWorkloadCertificate } from '../../src/platform/tls/certificate-authority';
import { tlsFiles, writeAtomically } from '../../src/platform/tls/certificate-files';
import { ensureTestTls, TEST_TLS_DIR } from './tls';

/**
 * The one name in the certificate of the tests' RabbitMQ node: `localhost`, not 127.0.0.1, so that
 * amqplib, which verifies the host name of an amqps:// URL, is refused at 127.0.0.1 and let in at
 * localhost (test/integration/broker-tls.test.ts shows both).
 */
export const RABBITMQ_TLS_HOST = 'localhost';

/** The port of the node's TLS listener (AMQP's own, 5671), on 127.0.0.1 (scripts/infra/ensure-rabbitmq.sh). */
export const RABBITMQ_TLS_PORT = 5671;

/** The server's private key and certificate in one file: replacing it is one rename, never a key beside another key's certificate. */
const SERVER_PEM = path.join(TEST_TLS_DIR, 'rabbitmq-server.pem');

const VALIDITY_DAYS = 30;

/**
 * The arguments of scripts/infra/ensure-rabbitmq.sh that give the tests' RabbitMQ node a TLS
 * listener on 127.0.0.1:5671 with a certificate from the tests' CA (test/support/tls.ts), issued
 * here when missing, not the CA's, or past two thirds of its life. Sets TEST_AMQPS_PORT, which
 * tells the TLS test that the node is one set up so (not a broker of one's own, TEST_AMQP_URL).
 */
export async function rabbitmqTlsArguments(): Promise<string[]> {
  await ensureTestTls();
  const files = tlsFiles(TEST_TLS_DIR);
  const ca = { certificate: fs.readFileSync(files.caCertificate, 'utf8'), privateKey: fs.readFileSync(files.caKey, 'utf8') };
  if (!isCurrent(ca.certificate)) {
    const pair = await issueWorkloadCertificate(ca, { kind: 'service', name: 'rabbitmq' }, { hosts: [RABBITMQ_TLS_HOST] }, VALIDITY_DAYS);
    writeAtomically(SERVER_PEM, `${pair.privateKey.trimEnd()}\n${pair.certificate.trimEnd()}\n`, 0o600);
  }
  process.env.TEST_AMQPS_PORT = String(RABBITMQ_TLS_PORT);
  return ['--tls', SERVER_PEM, files.caCertificate];
}

function isCurrent(caPem: string): boolean {
  try {
    const pem = fs.readFileSync(SERVER_PEM, 'utf8');
    const certificate = new X509Certificate(pem);
    const ca = new X509Certificate(caPem);
    const notBefore = new Date(certificate.validFrom).getTime();
    const renewAt = notBefore + ((new Date(certificate.validTo).getTime() - notBefore) * 2) / 3;
    return (
      certificate.checkIssued(ca) &&
      certificate.verify(ca.publicKey) &&
      certificate.checkPrivateKey(createPrivateKey(pem)) &&
      certificate.checkHost(RABBITMQ_TLS_HOST) !== undefined &&
      Date.now() < renewAt
    );
  } catch {
    return false;
  }
}
