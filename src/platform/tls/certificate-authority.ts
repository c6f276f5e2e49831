// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { spiffeId, WorkloadIdentity } from './spiffe';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA on P-256 with SHA-256: what every TLS stack of the mesh's clients (Node, Go, BoringSSL in grpcio) accepts. */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate and its private key, PEM (the key PKCS #8). */
export interface PemPair {
  readonly certificate: string;
  readonly privateKey: string;
}

/** A certificate authority's validity, days (ten years: rotating the root is a deliberate act). */
export const CA_VALIDITY_DAYS = 3650;

/** A workload certificate's validity, days: short, as SPIFFE's X.509-SVIDs are, and renewed at two thirds of it. */
export const WORKLOAD_VALIDITY_DAYS = 30;

/**
 * A new self-signed certificate authority (X.509 v3: basicConstraints CA, pathLen 0, keyCertSign),
 * named `CN=<commonName>`, valid `validDays` days from a minute ago (clock skew).
 */
export async function createCertificateAuthority(commonName: string, validDays = CA_VALIDITY_DAYS): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    ...validity(validDays),
    signingAlgorithm: ALGORITHM,
    keys: keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: certificate.toString('pem'), privateKey: await exportPrivateKey(keys.privateKey) };
}

/** Where a workload is reached, for TLS hostname verification: DNS names and IP addresses. */
export interface WorkloadNames {
  /** DNS names and IP addresses, mixed; each goes in the SAN as what it is. */
  readonly hosts: readonly string[];
}

/**
 * An X.509-SVID-style certificate for `identity`, signed by `ca`: its one URI SAN is the SPIFFE ID
 * (spiffe.ts), its other SANs `names.hosts`; usable as a TLS server and client certificate
 * (extendedKeyUsage serverAuth and clientAuth), valid `validDays` days from a minute ago.
 */
export async function issueWorkloadCertificate(
  ca: PemPair,
  identity: WorkloadIdentity,
  names: WorkloadNames,
  validDays = WORKLOAD_VALIDITY_DAYS,
): Promise<PemPair> {
  const caCertificate = new x509.X509Certificate(ca.certificate);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.privateKey), ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const altNames: x509.JsonGeneralName[] = [
    { type: 'url', value: spiffeId(identity) },
    ...names.hosts.map((host): x509.JsonGeneralName => ({ type: isIP(host) === 0 ? 'dns' : 'ip', value: host })),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${identity.name}, OU=${identity.kind}, O=interview-mesh`,
    issuer: caCertificate.subject,
    ...validity(validDays),
    signingAlgorithm: ALGORITHM,
    signingKey: caKey,
    publicKey: keys.publicKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return { certificate: certificate.toString('pem'), privateKey: await exportPrivateKey(keys.privateKey) };
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A positive random 128-bit serial number, hex (RFC 5280 section 4.1.2.2: unique per CA, at most 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Date.now() - 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) };
}
