import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { Logger } from '../log/logger';
import { createCertificateAuthority, issueWorkloadCertificate, PemPair, WORKLOAD_VALIDITY_DAYS } from './certificate-authority';
import { spiffeId, WorkloadIdentity } from './spiffe';

/**
 * The mesh's TLS files in one directory (MESH_TLS_DIR): `ca.crt`, the trust bundle (one or more CA
 * certificates, PEM); `ca.key`, the CA's private key, only where certificates are issued (the
 * embedded default, `npm run tls:issue`), never mounted into a deployed service; and `<name>.crt` and
 * `<name>.key` per workload (`emotion.crt`, `operator.crt`).
 */
export interface TlsFiles {
  readonly dir: string;
  readonly caCertificate: string;
  readonly caKey: string;
  certificate(name: string): string;
  privateKey(name: string): string;
}

export function tlsFiles(dir: string): TlsFiles {
  return {
    dir,
    caCertificate: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    certificate: (name) => path.join(dir, `${name}.crt`),
    privateKey: (name) => path.join(dir, `${name}.key`),
  };
}

/** The DNS names and addresses every workload certificate carries besides its own name: this machine's. */
export const LOCAL_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/**
 * Makes sure `dir` holds a CA and a current certificate for each of `identities`: creates the CA
 * on the first start (and says where its certificate is), and issues a workload's certificate when
 * it is missing, not signed by the CA, or past two thirds of its life. Its hosts are `LOCAL_HOSTS`,
 * its service name (the name clients verify, `grpc.ssl_target_name_override`) and `extraHosts`.
 * Without `ca.key` in `dir` (certificates mounted from elsewhere) it issues nothing and only checks
 * that each certificate is there. Safe to call from several processes at once (a lock file).
 * @throws Error naming the missing file, when there is no CA key to issue it with.
 */
export async function ensureWorkloadCertificates(
  dir: string,
  identities: readonly WorkloadIdentity[],
  extraHosts: readonly string[],
  log: Logger,
): Promise<TlsFiles> {
  const files = tlsFiles(dir);
  if (fs.existsSync(files.caCertificate) && !fs.existsSync(files.caKey)) {
    for (const identity of identities) {
      for (const file of [files.certificate(identity.name), files.privateKey(identity.name)]) {
        if (!fs.existsSync(file)) throw new Error(`TLS: ${file} is missing, and ${dir} has no ca.key to issue it with`);
      }
    }
    return files;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  await withLock(path.join(dir, '.issuing.lock'), async () => {
    if (!fs.existsSync(files.caCertificate)) {
      const ca = await createCertificateAuthority('interview-mesh CA');
      writeAtomically(files.caKey, ca.privateKey, 0o600);
      writeAtomically(files.caCertificate, ca.certificate, 0o644);
      log.info({ caCertificate: files.caCertificate }, 'TLS: created the mesh CA; clients trust it with this certificate (grpcurl -cacert)');
    }
    const ca: PemPair = { certificate: fs.readFileSync(files.caCertificate, 'utf8'), privateKey: fs.readFileSync(files.caKey, 'utf8') };
    for (const identity of identities) {
      const hosts = [...new Set(identity.kind === 'service' ? [identity.name, ...LOCAL_HOSTS, ...extraHosts] : [])];
      if (isCurrent(files, identity, ca.certificate, hosts)) continue;
      writeWorkloadCertificate(files, identity, await issueWorkloadCertificate(ca, identity, { hosts }));
      log.info({ identity: spiffeId(identity), certificate: files.certificate(identity.name) }, 'TLS: issued a workload certificate');
    }
  });
  return files;
}

/**
 * Writes a workload's key and certificate, each by rename (never a half-written file): the key
 * first, so that a reader between the two renames sees an old certificate with a new key, which
 * the reloading provider refuses (they do not match) and keeps the last good pair.
 */
export function writeWorkloadCertificate(files: TlsFiles, identity: WorkloadIdentity, pair: PemPair): void {
  writeAtomically(files.privateKey(identity.name), pair.privateKey, 0o600);
  writeAtomically(files.certificate(identity.name), pair.certificate, 0o644);
}

/**
 * The certificate exists, matches its key, is signed by the CA, names the identity and every one
 * of `hosts` (a new ADVERTISE_HOST gets a new certificate), and has a third of its life left.
 */
function isCurrent(files: TlsFiles, identity: WorkloadIdentity, caPem: string, hosts: readonly string[]): boolean {
  try {
    const pair = {
      certificate: fs.readFileSync(files.certificate(identity.name), 'utf8'),
      privateKey: fs.readFileSync(files.privateKey(identity.name), 'utf8'),
    };
    return certificateIsCurrent(pair, caPem, { identity, hosts, maxDays: WORKLOAD_VALIDITY_DAYS });
  } catch {
    return false;
  }
}

/**
 * Whether `pair` can go on being served: its key matches its certificate, which `caPem` signed, that
 * names `identity` (its SPIFFE URI) and every one of `hosts` (DNS names or IPs), with a third of its
 * life left (and younger than `maxDays`, when given). False, never a throw, for unreadable PEM.
 */
export function certificateIsCurrent(
  pair: PemPair,
  caPem: string,
  expected: { identity: WorkloadIdentity; hosts: readonly string[]; maxDays?: number },
): boolean {
  try {
    const certificate = new X509Certificate(pair.certificate);
    const ca = new X509Certificate(caPem);
    const notAfter = new Date(certificate.validTo).getTime();
    const notBefore = new Date(certificate.validFrom).getTime();
    const renewAt = notBefore + ((notAfter - notBefore) * 2) / 3;
    const cap = expected.maxDays === undefined ? Infinity : notBefore + expected.maxDays * 86_400_000;
    return (
      certificate.checkIssued(ca) &&
      certificate.verify(ca.publicKey) &&
      certificate.checkPrivateKey(createPrivateKey(pair.privateKey)) &&
      (certificate.subjectAltName ?? '').includes(`URI:${spiffeId(expected.identity)}`) &&
      expected.hosts.every((host) => (isIP(host) === 0 ? certificate.checkHost(host, { wildcards: false }) : certificate.checkIP(host)) !== undefined) &&
      Date.now() < Math.min(renewAt, cap)
    );
  } catch {
    return false;
  }
}

/** Writes `content` to `file` through a temporary file and a rename. */
export function writeAtomically(file: string, content: string, mode: number): void {
  const temporary = `${file}.${randomUUID()}.tmp`;
  fs.writeFileSync(temporary, content, { mode });
  fs.renameSync(temporary, file);
}

/** Runs `work` holding `lockFile` (created exclusively); waits up to 30 s for another holder, and breaks a lock older than that. */
async function withLock(lockFile: string, work: () => Promise<void>): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = fs.statSync(lockFile, { throwIfNoEntry: false });
      const age = held ? Date.now() - held.mtimeMs : 0;
      if (age > 30_000) fs.rmSync(lockFile, { force: true });
      else if (Date.now() > until) throw new Error(`TLS: ${lockFile} is held by another process`, { cause: error });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    await work();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
