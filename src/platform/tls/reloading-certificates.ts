import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { experimental } from '@grpc/grpc-js';
import { Logger } from '../log/logger';

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** Where one workload's certificate, its key and the trust bundle are read from. */
export interface CertificatePaths {
  readonly certificate: string;
  readonly privateKey: string;
  readonly caCertificate: string;
}

/**
 * A grpc-js certificate provider over files, read again every `reloadMs` milliseconds so that a
 * renewed certificate (or a new trust bundle during a CA rotation) takes effect for new
 * connections without a restart. Unlike grpc-js's FileWatcherCertificateProvider it checks what
 * it read before handing it on: the key must match the certificate, and the certificate must be
 * signed by a CA of the bundle and valid now. A read that fails these (a renewal caught between
 * its two renames, a bad file) keeps the last good set and logs why once, so a rotation never
 * breaks a server.
 * @throws Error naming the file, when the first read is not a good set (start-up stops there).
 */
export class ReloadingCertificates implements experimental.CertificateProvider {
  private current: { ca: Buffer; certificate: Buffer; privateKey: Buffer };
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly timer: NodeJS.Timeout;
  private lastProblem: string | undefined;

  constructor(
    private readonly paths: CertificatePaths,
    reloadMs: number,
    private readonly log: Logger,
  ) {
    this.current = readChecked(paths);
    this.timer = setInterval(() => {
      this.reload();
    }, reloadMs);
    this.timer.unref();
  }

  /** Reads the files again now; tells the listeners when they changed. */
  reload(): void {
    let next: ReloadingCertificates['current'];
    try {
      next = readChecked(this.paths);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (problem !== this.lastProblem) this.log.warn({ problem }, 'TLS: kept the last good certificates');
      this.lastProblem = problem;
      return;
    }
    this.lastProblem = undefined;
    const caChanged = !next.ca.equals(this.current.ca);
    const identityChanged = !next.certificate.equals(this.current.certificate) || !next.privateKey.equals(this.current.privateKey);
    this.current = next;
    if (caChanged) for (const listener of this.caListeners) listener({ caCertificate: next.ca });
    if (identityChanged) {
      this.log.info({ certificate: this.paths.certificate }, 'TLS: certificate renewed; new connections use it');
      for (const listener of this.identityListeners) listener({ certificate: next.certificate, privateKey: next.privateKey });
    }
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    const { ca } = this.current;
    process.nextTick(() => {
      listener({ caCertificate: ca });
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    const { certificate, privateKey } = this.current;
    process.nextTick(() => {
      listener({ certificate, privateKey });
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  /** Stops reading the files. */
  close(): void {
    clearInterval(this.timer);
  }
}

/** The files, if they make a good set; throws Error saying what is wrong otherwise. */
function readChecked(paths: CertificatePaths): { ca: Buffer; certificate: Buffer; privateKey: Buffer } {
  const ca = fs.readFileSync(paths.caCertificate);
  const certificate = fs.readFileSync(paths.certificate);
  const privateKey = fs.readFileSync(paths.privateKey);
  const leaf = parsed(paths.certificate, 'a PEM certificate', () => new X509Certificate(certificate));
  const key = parsed(paths.privateKey, 'a PEM private key', () => createPrivateKey(privateKey));
  if (!leaf.checkPrivateKey(key)) throw new Error(`${paths.privateKey} is not the key of ${paths.certificate}`);
  const now = Date.now();
  if (now < new Date(leaf.validFrom).getTime() || now > new Date(leaf.validTo).getTime()) {
    throw new Error(`${paths.certificate} is not valid now (${leaf.validFrom} to ${leaf.validTo})`);
  }
  const authorities = splitPem(ca.toString('utf8')).map((pem) => parsed(paths.caCertificate, 'PEM certificates', () => new X509Certificate(pem)));
  if (authorities.length === 0) throw new Error(`${paths.caCertificate} holds no certificate`);
  if (!authorities.some((authority) => leaf.checkIssued(authority) && leaf.verify(authority.publicKey))) {
    throw new Error(`${paths.certificate} is not signed by a CA of ${paths.caCertificate}`);
  }
  return { ca, certificate, privateKey };
}

/** What `parse` gives; an Error naming `file` and what it should hold when it throws (OpenSSL's own names no file). */
function parsed<T>(file: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Error(`${file} is not ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The PEM certificates of a bundle. */
function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
