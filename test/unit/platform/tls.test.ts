/**
 * The mesh's TLS pieces without a network (issue 11): SPIFFE IDs, the certificate authority, the
 * TLS directory's certificates (issued, kept, re-issued), the reloading certificate provider, the
 * call policy and its interceptor, and the transport settings. Each test that writes certificates
 * does so in a temporary directory of its own, never in the tests' shared one.
 */
// @peculiar/x509 (read here for the extensions' criticality) needs the Reflect metadata polyfill first.
import 'reflect-metadata';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Metadata, ServiceDefinition, status } from '@grpc/grpc-js';
import * as x509 from '@peculiar/x509';
import pino from 'pino';
import { AuthServiceService } from '../../../src/gen/auth';
import { EmotionServiceService } from '../../../src/gen/emotion';
import { InterviewServiceService } from '../../../src/gen/interview';
import { ScoringServiceService } from '../../../src/gen/scoring';
import { IntegrityServiceService } from '../../../src/gen/integrity';
import { CALL_POLICY } from '../../../src/mesh/call-policy';
import { SERVICES } from '../../../src/mesh/registry';
import { ConfigError } from '../../../src/platform/config/env';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { Logger, silentLogger } from '../../../src/platform/log/logger';
import { REPO_ROOT } from '../../../src/platform/paths';
import { allows, callPolicyInterceptor, CallPolicy, ruleFor } from '../../../src/platform/tls/call-policy';
import { createCertificateAuthority, issueWorkloadCertificate, PemPair } from '../../../src/platform/tls/certificate-authority';
import { ensureWorkloadCertificates, LOCAL_HOSTS, TlsFiles, writeWorkloadCertificate } from '../../../src/platform/tls/certificate-files';
import { ReloadingCertificates } from '../../../src/platform/tls/reloading-certificates';
import { identityOfSubjectAltName, operatorSpiffeId, parseSpiffeId, serviceSpiffeId, spiffeId, WorkloadIdentity } from '../../../src/platform/tls/spiffe';
import { publicChannel, TransportSecurity, transportSettings } from '../../../src/platform/tls/transport-security';
import { waitFor } from '../../support/wait';

jest.setTimeout(30_000);

const EMOTION: WorkloadIdentity = { kind: 'service', name: 'emotion' };
const INTERVIEW: WorkloadIdentity = { kind: 'service', name: 'interview' };
const OPERATOR: WorkloadIdentity = { kind: 'operator', name: 'operator' };
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** What a certificate's life is, in the `validDays` of issueWorkloadCertificate, for `seconds`. */
const seconds = (n: number) => n / 86_400;

/** Temporary directories made by the tests, removed after each. */
const temporaryDirs: string[] = [];
function temporaryDir(prefix = 'mesh-tls-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A logger whose lines are collected, parsed. */
function recordingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

/** The SAN entries of a PEM certificate, as Node writes them. */
function subjectAltNames(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '').split(', ');
}

/** The CA of a TLS directory, as issueWorkloadCertificate takes it. */
function caOf(files: TlsFiles): PemPair {
  return { certificate: fs.readFileSync(files.caCertificate, 'utf8'), privateKey: fs.readFileSync(files.caKey, 'utf8') };
}

/** Every file of a directory and its content (the lock and temporary files would show). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]),
  );
}

/** The certificate in `file`, parsed. */
const certificateIn = (file: string) => new X509Certificate(fs.readFileSync(file));

describe('SPIFFE IDs', () => {
  it('names services and operators under the interview-mesh trust domain', () => {
    expect(serviceSpiffeId('emotion')).toBe('spiffe://interview-mesh/service/emotion');
    expect(operatorSpiffeId('operator')).toBe('spiffe://interview-mesh/operator/operator');
    expect(spiffeId({ kind: 'service', name: 'a-b-2' })).toBe('spiffe://interview-mesh/service/a-b-2');
  });

  it('refuses a workload name that is not a lower-case DNS label', () => {
    for (const name of ['', 'Emotion', 'a_b', '-x', '2x', 'a/b', 'a.b', 'x'.repeat(64), 'emotion\n']) {
      expect(() => serviceSpiffeId(name)).toThrow('a workload name is a lower-case DNS label');
    }
    expect(serviceSpiffeId('x'.repeat(63))).toBe(`spiffe://interview-mesh/service/${'x'.repeat(63)}`);
  });

  it('parses what it formats, back to the same identity', () => {
    for (const identity of [EMOTION, OPERATOR, { kind: 'operator', name: 'alice' } as const]) {
      expect(parseSpiffeId(spiffeId(identity))).toEqual(identity);
    }
  });

  it('parses nothing of another trust domain, another kind, or with anything around the ID', () => {
    for (const uri of [
      'spiffe://other-mesh/service/emotion',
      'spiffe://interview-mesh.evil.example/service/emotion',
      'spiffe://evil.example/interview-mesh/service/emotion',
      'spiffe://INTERVIEW-MESH/service/emotion',
      'https://interview-mesh/service/emotion',
      'spiffe://interview-mesh/user/emotion',
      'spiffe://interview-mesh/service/emotion/extra',
      'spiffe://interview-mesh/service/emotion?x=1',
      'spiffe://interview-mesh/service/emotion\n',
      ' spiffe://interview-mesh/service/emotion',
      'spiffe://interview-mesh/service/',
      'spiffe://interview-mesh/service/Emotion',
      '',
    ]) {
      expect(parseSpiffeId(uri)).toBeUndefined();
    }
  });

  it("finds the one identity among a certificate's SANs, as Node writes them", () => {
    expect(identityOfSubjectAltName('URI:spiffe://interview-mesh/service/emotion, DNS:emotion, DNS:localhost, IP Address:127.0.0.1')).toEqual(EMOTION);
    expect(identityOfSubjectAltName('DNS:x, URI:spiffe://interview-mesh/operator/operator')).toEqual(OPERATOR);
  });

  it('is no identity with several URI SANs, none, one of another trust domain, or none at all', () => {
    // Several URI SANs: an X.509-SVID has exactly one, whichever are the mesh's.
    expect(identityOfSubjectAltName('URI:spiffe://interview-mesh/service/emotion, URI:spiffe://interview-mesh/service/interview')).toBeUndefined();
    expect(identityOfSubjectAltName('URI:spiffe://interview-mesh/service/emotion, URI:spiffe://interview-mesh/service/emotion')).toBeUndefined();
    expect(identityOfSubjectAltName('URI:spiffe://interview-mesh/service/emotion, URI:https://example.com/')).toBeUndefined();
    expect(identityOfSubjectAltName('URI:spiffe://other-mesh/service/emotion, DNS:emotion')).toBeUndefined();
    expect(identityOfSubjectAltName('DNS:emotion, IP Address:127.0.0.1')).toBeUndefined();
    expect(identityOfSubjectAltName('')).toBeUndefined();
    expect(identityOfSubjectAltName(undefined)).toBeUndefined();
    // Node quotes a SAN holding a comma: one URI that tries to look like two is none of the mesh's.
    expect(identityOfSubjectAltName('URI:"spiffe://evil.example/x, URI:spiffe://interview-mesh/service/interview"')).toBeUndefined();
  });
});

describe('the certificate authority', () => {
  let ca: PemPair;
  let caCertificate: X509Certificate;
  beforeAll(async () => {
    ca = await createCertificateAuthority('test CA');
    caCertificate = new X509Certificate(ca.certificate);
  });

  it('is a self-signed CA with its key', () => {
    expect(caCertificate.ca).toBe(true);
    expect(caCertificate.subject).toBe('CN=test CA');
    expect(caCertificate.issuer).toBe('CN=test CA');
    expect(caCertificate.verify(caCertificate.publicKey)).toBe(true);
    expect(caCertificate.checkPrivateKey(createPrivateKey(ca.privateKey))).toBe(true);
    const constraints = new x509.X509Certificate(ca.certificate).getExtension(x509.BasicConstraintsExtension);
    expect(constraints).toMatchObject({ ca: true, pathLength: 0, critical: true });
  });

  it('issues a certificate that verifies against the CA, with the SPIFFE URI SAN and the hosts only', async () => {
    const pair = await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion', 'localhost', '127.0.0.1', '::1'] });
    const certificate = new X509Certificate(pair.certificate);
    expect(certificate.checkIssued(caCertificate)).toBe(true);
    expect(certificate.verify(caCertificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(pair.privateKey))).toBe(true);
    expect(subjectAltNames(pair.certificate).sort()).toEqual(
      [
        'URI:spiffe://interview-mesh/service/emotion',
        'DNS:emotion',
        'DNS:localhost',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1', // ::1, as Node writes it
      ].sort(),
    );
    expect(subjectAltNames(pair.certificate).filter((name) => name.startsWith('URI:'))).toHaveLength(1);
    expect(identityOfSubjectAltName(certificate.subjectAltName)).toEqual(EMOTION);
    expect(certificate.subject).toBe('CN=emotion\nOU=service\nO=interview-mesh');
  });

  it('makes it a TLS server and client certificate (serverAuth and clientAuth), not a CA', async () => {
    const pair = await issueWorkloadCertificate(ca, INTERVIEW, { hosts: ['interview'] });
    const certificate = new X509Certificate(pair.certificate);
    expect([...certificate.keyUsage].sort()).toEqual([SERVER_AUTH, CLIENT_AUTH]);
    expect(certificate.ca).toBe(false);
    const constraints = new x509.X509Certificate(pair.certificate).getExtension(x509.BasicConstraintsExtension);
    expect(constraints).toMatchObject({ ca: false, critical: true });
  });

  it("gives an operator's certificate its SPIFFE ID alone, a fresh serial and key each time, for 30 days", async () => {
    const first = await issueWorkloadCertificate(ca, OPERATOR, { hosts: [] });
    const second = await issueWorkloadCertificate(ca, OPERATOR, { hosts: [] });
    expect(subjectAltNames(first.certificate)).toEqual(['URI:spiffe://interview-mesh/operator/operator']);
    const [a, b] = [new X509Certificate(first.certificate), new X509Certificate(second.certificate)];
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ type: 'spki', format: 'pem' })).not.toBe(b.publicKey.export({ type: 'spki', format: 'pem' }));
    const lifeDays = (new Date(a.validTo).getTime() - new Date(a.validFrom).getTime()) / 86_400_000;
    expect(lifeDays).toBeCloseTo(30, 3);
    expect(new Date(a.validFrom).getTime()).toBeLessThan(Date.now());
  });

  it("issues nothing that another CA's certificate verifies", async () => {
    const other = new X509Certificate((await createCertificateAuthority('another CA')).certificate);
    const certificate = new X509Certificate((await issueWorkloadCertificate(ca, EMOTION, { hosts: [] })).certificate);
    expect(certificate.checkIssued(other)).toBe(false);
    expect(certificate.verify(other.publicKey)).toBe(false);
  });
});

describe('ensureWorkloadCertificates', () => {
  const identities = [EMOTION, INTERVIEW, OPERATOR];

  it('creates the CA and a certificate per identity, keys readable by their owner only, and says where the CA is', async () => {
    const dir = path.join(temporaryDir(), 'tls');
    const { log, lines } = recordingLogger();
    const files = await ensureWorkloadCertificates(dir, identities, ['mesh.example.com'], log);
    expect(files.dir).toBe(dir);
    expect(Object.keys(snapshot(dir))).toEqual(
      ['ca.crt', 'ca.key', 'emotion.crt', 'emotion.key', 'interview.crt', 'interview.key', 'operator.crt', 'operator.key'].sort(),
    );
    for (const key of ['ca.key', 'emotion.key', 'operator.key']) expect(fs.statSync(path.join(dir, key)).mode & 0o777).toBe(0o600);
    const ca = certificateIn(files.caCertificate);
    for (const identity of identities) {
      const certificate = certificateIn(files.certificate(identity.name));
      expect(certificate.verify(ca.publicKey)).toBe(true);
      expect(certificate.checkPrivateKey(createPrivateKey(fs.readFileSync(files.privateKey(identity.name))))).toBe(true);
      expect(identityOfSubjectAltName(certificate.subjectAltName)).toEqual(identity);
    }
    // A service's hosts: its name (what the mesh's channels verify), this machine's, and the extra ones; an operator's: none.
    expect(subjectAltNames(fs.readFileSync(files.certificate('emotion'), 'utf8'))).toEqual([
      'URI:spiffe://interview-mesh/service/emotion',
      'DNS:emotion',
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
      'DNS:mesh.example.com',
    ]);
    expect(LOCAL_HOSTS).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(subjectAltNames(fs.readFileSync(files.certificate('operator'), 'utf8'))).toEqual(['URI:spiffe://interview-mesh/operator/operator']);
    expect(lines.filter((line) => line.msg === 'TLS: issued a workload certificate')).toHaveLength(3);
    expect(lines.find((line) => line.caCertificate === files.caCertificate)?.msg).toMatch(/created the mesh CA/);
  });

  it('is idempotent: a second call leaves every file as it was', async () => {
    const dir = temporaryDir();
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    const before = snapshot(dir);
    const { log, lines } = recordingLogger();
    await ensureWorkloadCertificates(dir, identities, [], log);
    expect(snapshot(dir)).toEqual(before);
    expect(lines).toEqual([]);
  });

  it('makes one CA when called twice at once, and breaks a lock left by a process that died', async () => {
    const dir = temporaryDir();
    await Promise.all([ensureWorkloadCertificates(dir, identities, [], silentLogger()), ensureWorkloadCertificates(dir, identities, [], silentLogger())]);
    const ca = certificateIn(path.join(dir, 'ca.crt'));
    for (const identity of identities) expect(certificateIn(path.join(dir, `${identity.name}.crt`)).verify(ca.publicKey)).toBe(true);
    expect(fs.existsSync(path.join(dir, '.issuing.lock'))).toBe(false);

    const lock = path.join(dir, '.issuing.lock');
    fs.writeFileSync(lock, '999999');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, aMinuteAgo, aMinuteAgo);
    fs.rmSync(path.join(dir, 'emotion.crt'));
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    expect(fs.existsSync(path.join(dir, 'emotion.crt'))).toBe(true);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('re-issues a missing certificate or key, and only that one', async () => {
    const dir = temporaryDir();
    const files = await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    const before = snapshot(dir);
    fs.rmSync(files.certificate('emotion'));
    fs.rmSync(files.privateKey('interview'));
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    const after = snapshot(dir);
    for (const name of ['emotion.crt', 'emotion.key', 'interview.crt', 'interview.key']) expect(after[name]).not.toBe(before[name]);
    for (const name of ['ca.crt', 'ca.key', 'operator.crt', 'operator.key']) expect(after[name]).toBe(before[name]);
    const ca = certificateIn(files.caCertificate);
    expect(certificateIn(files.certificate('emotion')).verify(ca.publicKey)).toBe(true);
    expect(certificateIn(files.certificate('interview')).checkPrivateKey(createPrivateKey(after['interview.key']))).toBe(true);
  });

  it('re-issues a certificate signed by another CA, one whose key is not its own, and one naming another workload', async () => {
    const dir = temporaryDir();
    const files = await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    const otherCa = await createCertificateAuthority('another CA');
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(otherCa, EMOTION, { hosts: ['emotion'] }));
    fs.copyFileSync(files.privateKey('operator'), files.privateKey('interview'));
    fs.copyFileSync(files.certificate('emotion'), path.join(dir, 'foreign-emotion.crt'));
    const operatorBefore = snapshot(dir)['operator.crt'];
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());

    const ca = certificateIn(files.caCertificate);
    for (const identity of [EMOTION, INTERVIEW]) {
      const certificate = certificateIn(files.certificate(identity.name));
      expect(certificate.verify(ca.publicKey)).toBe(true);
      expect(certificate.checkPrivateKey(createPrivateKey(fs.readFileSync(files.privateKey(identity.name))))).toBe(true);
    }
    expect(snapshot(dir)['operator.crt']).toBe(operatorBefore);

    // The operator's certificate and key copied over the interview service's: they name another workload.
    fs.copyFileSync(files.certificate('operator'), files.certificate('interview'));
    fs.copyFileSync(files.privateKey('operator'), files.privateKey('interview'));
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    expect(identityOfSubjectAltName(certificateIn(files.certificate('interview')).subjectAltName)).toEqual(INTERVIEW);
  });

  it('renews a certificate past two thirds of its life, or expired, and keeps one that is not', async () => {
    const dir = temporaryDir();
    const files = await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    const ca = caOf(files);
    // Issued a minute ago (as every certificate is): 90 s of life is past two thirds; 150 s is not yet.
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion'] }, seconds(90)));
    writeWorkloadCertificate(files, INTERVIEW, await issueWorkloadCertificate(ca, INTERVIEW, { hosts: ['interview'] }, seconds(30)));
    const young = await issueWorkloadCertificate(ca, OPERATOR, { hosts: [] }, seconds(150));
    writeWorkloadCertificate(files, OPERATOR, young);
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    for (const name of ['emotion', 'interview']) {
      const certificate = certificateIn(files.certificate(name));
      expect(new Date(certificate.validTo).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    }
    expect(fs.readFileSync(files.certificate('operator'), 'utf8')).toBe(young.certificate);
  });

  it('issues nothing without ca.key: certificates mounted from elsewhere are used as they are', async () => {
    const dir = temporaryDir();
    const files = await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    // Even a certificate past renewal is left alone: whoever holds the CA's key renews it.
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(caOf(files), EMOTION, { hosts: ['emotion'] }, seconds(90)));
    fs.rmSync(files.caKey);
    const before = snapshot(dir);
    await ensureWorkloadCertificates(dir, identities, [], silentLogger());
    expect(snapshot(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, '.issuing.lock'))).toBe(false);
  });

  it('throws an Error naming the missing file when there is ca.crt, no ca.key and no certificate', async () => {
    const dir = temporaryDir();
    const files = await ensureWorkloadCertificates(dir, [EMOTION], [], silentLogger());
    fs.rmSync(files.caKey);
    await expect(ensureWorkloadCertificates(dir, [EMOTION, INTERVIEW], [], silentLogger())).rejects.toThrow(
      new Error(`TLS: ${files.certificate('interview')} is missing, and ${dir} has no ca.key to issue it with`),
    );
    fs.rmSync(files.privateKey('emotion'));
    await expect(ensureWorkloadCertificates(dir, [EMOTION], [], silentLogger())).rejects.toThrow(
      `TLS: ${files.privateKey('emotion')} is missing, and ${dir} has no ca.key to issue it with`,
    );
    expect(fs.existsSync(files.certificate('interview'))).toBe(false);
  });
});

describe('ReloadingCertificates', () => {
  /** A TLS directory with its CA and emotion's certificate, and a provider over emotion's files that reloads only when told. */
  async function setUp(reloadMs = 3_600_000) {
    const dir = temporaryDir();
    const files = await ensureWorkloadCertificates(dir, [EMOTION], [], silentLogger());
    const { log, lines } = recordingLogger();
    const paths = { certificate: files.certificate('emotion'), privateKey: files.privateKey('emotion'), caCertificate: files.caCertificate };
    const provider = new ReloadingCertificates(paths, reloadMs, log);
    providers.push(provider);
    const identities: { certificate: Buffer; privateKey: Buffer }[] = [];
    const cas: Buffer[] = [];
    provider.addIdentityCertificateListener((update) => {
      if (update) identities.push(update);
    });
    provider.addCaCertificateListener((update) => {
      if (update) cas.push(update.caCertificate);
    });
    // The listeners hear the current set on the next tick.
    await new Promise((resolve) => {
      process.nextTick(resolve);
    });
    const warnings = () => lines.filter((line) => line.msg === 'TLS: kept the last good certificates');
    return { dir, files, paths, provider, identities, cas, lines, warnings, ca: caOf(files) };
  }
  const providers: ReloadingCertificates[] = [];
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.close();
  });
  const serialOf = (certificate: Buffer | string) => new X509Certificate(certificate).serialNumber;

  it('hands a new listener the current certificate, key and CA at once', async () => {
    const { files, identities, cas } = await setUp();
    expect(identities).toHaveLength(1);
    expect(identities[0].certificate.toString()).toBe(fs.readFileSync(files.certificate('emotion'), 'utf8'));
    expect(identities[0].privateKey.toString()).toBe(fs.readFileSync(files.privateKey('emotion'), 'utf8'));
    expect(cas.map(String)).toEqual([fs.readFileSync(files.caCertificate, 'utf8')]);
  });

  it('picks up a renewed pair (the CA unchanged), and tells nothing when nothing changed', async () => {
    const { files, provider, identities, cas, lines, ca } = await setUp();
    provider.reload();
    expect(identities).toHaveLength(1);
    const renewed = await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion'] });
    writeWorkloadCertificate(files, EMOTION, renewed);
    provider.reload();
    expect(identities).toHaveLength(2);
    expect(identities[1]).toEqual({ certificate: Buffer.from(renewed.certificate), privateKey: Buffer.from(renewed.privateKey) });
    expect(cas).toHaveLength(1);
    expect(lines.filter((line) => line.msg === 'TLS: certificate renewed; new connections use it')).toHaveLength(1);
  });

  it('reads the files again every reloadMs by itself, and no more once closed', async () => {
    const { files, provider, identities, ca } = await setUp(100);
    const renewed = await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion'] });
    writeWorkloadCertificate(files, EMOTION, renewed);
    await waitFor('the renewed certificate', () => identities.length === 2, 5_000, 20);
    expect(serialOf(identities[1].certificate)).toBe(serialOf(renewed.certificate));
    provider.close();
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion'] }));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(identities).toHaveLength(2);
  });

  it('takes a new trust bundle with two CAs and a certificate from the new one (a CA rotation)', async () => {
    const { files, provider, identities, cas, ca } = await setUp();
    const next = await createCertificateAuthority('next CA');
    const bundle = `${ca.certificate}${next.certificate}`;
    fs.writeFileSync(files.caCertificate, bundle);
    provider.reload();
    expect(cas.map(String)).toEqual([ca.certificate, bundle]);
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(next, EMOTION, { hosts: ['emotion'] }));
    provider.reload();
    expect(identities).toHaveLength(2);
    expect(new X509Certificate(identities[1].certificate).verify(new X509Certificate(next.certificate).publicKey)).toBe(true);
  });

  it('keeps the last good set, and says why once, while the key does not match the certificate (a renewal between its renames)', async () => {
    const { files, provider, identities, warnings, ca } = await setUp();
    const renewed = await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion'] });
    // writeWorkloadCertificate writes the key first: a read between the two renames sees this.
    fs.writeFileSync(files.privateKey('emotion'), renewed.privateKey);
    provider.reload();
    provider.reload();
    provider.reload();
    expect(identities).toHaveLength(1);
    expect(warnings()).toEqual([
      expect.objectContaining({ level: 40, problem: `${files.privateKey('emotion')} is not the key of ${files.certificate('emotion')}` }),
    ]);
    fs.writeFileSync(files.certificate('emotion'), renewed.certificate);
    provider.reload();
    expect(identities).toHaveLength(2);
    expect(identities[1].certificate.toString()).toBe(renewed.certificate);
    // A new problem after a good read is said again.
    fs.writeFileSync(files.privateKey('emotion'), (await issueWorkloadCertificate(ca, EMOTION, { hosts: [] })).privateKey);
    provider.reload();
    expect(warnings()).toHaveLength(2);
    expect(identities).toHaveLength(2);
  });

  it('keeps the last good set when the certificate is from another CA, expired, or not a certificate', async () => {
    const { files, paths, provider, identities, cas, warnings, ca } = await setUp();
    const otherCa = await createCertificateAuthority('another CA');
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(otherCa, EMOTION, { hosts: ['emotion'] }));
    provider.reload();
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(ca, EMOTION, { hosts: ['emotion'] }, seconds(10)));
    provider.reload();
    fs.writeFileSync(files.certificate('emotion'), 'not a certificate');
    provider.reload();
    fs.rmSync(files.caCertificate);
    provider.reload();
    expect(identities).toHaveLength(1);
    expect(cas).toHaveLength(1);
    const problems = warnings().map((line) => line.problem as string);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(`${paths.certificate} is not signed by a CA of ${paths.caCertificate}`);
    expect(problems[1]).toMatch(new RegExp(`^${paths.certificate} is not valid now`));
    expect(problems[3]).toContain(paths.caCertificate);
  });

  it('throws naming the file when the first read is not a good set', async () => {
    const { dir, files, paths, ca } = await setUp();
    const log = silentLogger();
    fs.writeFileSync(files.privateKey('emotion'), (await issueWorkloadCertificate(ca, EMOTION, { hosts: [] })).privateKey);
    expect(() => new ReloadingCertificates(paths, 60_000, log)).toThrow(`${paths.privateKey} is not the key of ${paths.certificate}`);

    const otherCa = await createCertificateAuthority('another CA');
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(otherCa, EMOTION, { hosts: [] }));
    expect(() => new ReloadingCertificates(paths, 60_000, log)).toThrow(`${paths.certificate} is not signed by a CA of ${paths.caCertificate}`);

    const missing = { ...paths, certificate: path.join(dir, 'nobody.crt') };
    expect(() => new ReloadingCertificates(missing, 60_000, log)).toThrow(missing.certificate);

    fs.writeFileSync(files.caCertificate, '');
    writeWorkloadCertificate(files, EMOTION, await issueWorkloadCertificate(ca, EMOTION, { hosts: [] }));
    expect(() => new ReloadingCertificates(paths, 60_000, log)).toThrow(`${paths.caCertificate} holds no certificate`);
  });
});

describe('the call policy', () => {
  const service = (name: string): WorkloadIdentity => ({ kind: 'service', name });
  const operator = (name: string): WorkloadIdentity => ({ kind: 'operator', name });

  it("finds a method's rule, then its service's '*' rule, and nothing for a method or service it does not name", () => {
    const policy: CallPolicy = { 'a.v1.Service': { '*': ['operator'], Special: ['service:x'] }, 'b.Service': { Only: 'anyone' } };
    expect(ruleFor(policy, '/a.v1.Service/Special')).toEqual(['service:x']);
    expect(ruleFor(policy, '/a.v1.Service/Other')).toEqual(['operator']);
    expect(ruleFor(policy, '/b.Service/Only')).toBe('anyone');
    expect(ruleFor(policy, '/b.Service/Other')).toBeUndefined();
    expect(ruleFor(policy, '/c.Service/Only')).toBeUndefined();
    expect(ruleFor(policy, '')).toBeUndefined();
    // Inherited properties are no rules: a call to `constructor` is refused, not an INTERNAL error.
    expect(ruleFor(policy, '/a.v1.Service/constructor')).toEqual(['operator']);
    expect(ruleFor(policy, '/b.Service/constructor')).toBeUndefined();
    expect(ruleFor(policy, '/toString/constructor')).toBeUndefined();
  });

  it('denies by default: no rule allows nobody, operators included', () => {
    expect(allows(undefined, operator('operator'))).toBe(false);
    expect(allows(undefined, service('interview'))).toBe(false);
    expect(allows(undefined, undefined)).toBe(false);
    expect(allows([], operator('operator'))).toBe(false);
  });

  it("tells operators (any operator's name) from services, and a service by its name", () => {
    expect(allows(['operator'], operator('operator'))).toBe(true);
    expect(allows(['operator'], operator('alice'))).toBe(true);
    // A service named "operator" is a service, not an operator.
    expect(allows(['operator'], service('operator'))).toBe(false);
    expect(allows(['service:interview'], service('interview'))).toBe(true);
    expect(allows(['service:interview'], service('auth'))).toBe(false);
    expect(allows(['service:interview'], operator('interview'))).toBe(false);
    expect(allows(['service:interview', 'operator'], operator('bob'))).toBe(true);
    expect(allows(['service:interview', 'operator'], undefined)).toBe(false);
  });

  it("lets 'anyone' through, without a certificate too", () => {
    expect(allows('anyone', undefined)).toBe(true);
    expect(allows('anyone', service('auth'))).toBe(true);
  });

  it("gives the mesh's every RPC a rule: 'anyone' on the public services, named callers on the internal ones", () => {
    const definitions: Record<string, ServiceDefinition> = {
      'interview.v1.InterviewService': InterviewServiceService,
      'auth.v1.AuthService': AuthServiceService,
      'emotion.EmotionService': EmotionServiceService,
      'scoring.ScoringService': ScoringServiceService,
      'integrity.v1.IntegrityService': IntegrityServiceService,
    };
    const served = SERVICES.flatMap((descriptor) => descriptor.grpcServices.map((name) => ({ name, exposure: descriptor.exposure ?? 'internal' })));
    expect(served.map((s) => s.name).sort()).toEqual(Object.keys(definitions).sort());
    for (const { name, exposure } of served) {
      for (const method of Object.values(definitions[name])) {
        const rule = ruleFor(CALL_POLICY, method.path);
        if (exposure === 'public') expect([method.path, rule]).toEqual([method.path, 'anyone']);
        else expect([method.path, Array.isArray(rule) && rule.length > 0]).toEqual([method.path, true]);
      }
    }
    expect(ruleFor(CALL_POLICY, '/scoring.ScoringService/GenerateReport')).toEqual(['service:interview']);
    expect(ruleFor(CALL_POLICY, '/emotion.EmotionService/AnalyzeFrame')).toEqual(['service:interview', 'operator']);
    expect(ruleFor(CALL_POLICY, '/integrity.v1.IntegrityService/GetAssessment')).toEqual(['service:scoring', 'operator']);
    expect(ruleFor(CALL_POLICY, '/integrity.v1.IntegrityService/AnalyzeFrame')).toEqual(['operator']);
  });

  describe('callPolicyInterceptor', () => {
    const context = (method: string, caller: WorkloadIdentity | undefined): CallContext => ({
      method,
      metadata: new Metadata(),
      deadline: undefined,
      signal: new AbortController().signal,
      peer: 'ipv4:127.0.0.1:50000',
      caller,
      log: silentLogger(),
    });
    const interceptor = callPolicyInterceptor(CALL_POLICY);

    it('lets an allowed caller through to the handler', async () => {
      const next = jest.fn(() => Promise.resolve());
      await interceptor(context('/scoring.ScoringService/GenerateReport', service('interview')), next);
      await interceptor(context('/interview.v1.InterviewService/StartInterview', undefined), next);
      expect(next).toHaveBeenCalledTimes(2);
    });

    it('refuses another with PERMISSION_DENIED naming the caller and the method, before the handler', async () => {
      const next = jest.fn(() => Promise.resolve());
      await expect(interceptor(context('/scoring.ScoringService/GenerateReport', service('auth')), next)).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
        message: 'spiffe://interview-mesh/service/auth may not call /scoring.ScoringService/GenerateReport',
      });
      await expect(interceptor(context('/scoring.ScoringService/CalculateScore', undefined), next)).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
        message: 'a caller without a mesh certificate may not call /scoring.ScoringService/CalculateScore',
      });
      await expect(interceptor(context('/scoring.ScoringService/Unknown', operator('operator')), next)).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
        message: 'spiffe://interview-mesh/operator/operator may not call /scoring.ScoringService/Unknown',
      });
      expect(next).not.toHaveBeenCalled();
    });
  });
});

describe('transport settings', () => {
  const dataDir = path.join(os.tmpdir(), 'some-data-dir');

  it('is TLS by default, in DATA_DIR/tls, re-read every minute', () => {
    expect(transportSettings({}, dataDir)).toEqual({ plaintext: false, dir: path.join(dataDir, 'tls'), reloadMs: 60_000 });
    expect(loadConfig({}).transport).toEqual({ plaintext: false, dir: path.join(REPO_ROOT, '.data', 'tls'), reloadMs: 60_000 });
    expect(loadConfig({ DATA_DIR: dataDir }).transport.dir).toBe(path.join(dataDir, 'tls'));
    expect(Object.isFrozen(transportSettings({}, dataDir))).toBe(true);
  });

  it('keeps the certificates of an in-memory database (DATA_DIR=memory://) in the temporary folder', () => {
    expect(loadConfig({ DATA_DIR: 'memory://' }).transport.dir).toBe(path.join(os.tmpdir(), 'interview-mesh-tls'));
    expect(transportSettings({}, 'memory://').dir).toBe(path.join(os.tmpdir(), 'interview-mesh-tls'));
  });

  it('reads MESH_TLS_DIR (resolved) and MESH_TLS_RELOAD_MS', () => {
    const settings = transportSettings({ MESH_TLS_DIR: 'relative/tls', MESH_TLS_RELOAD_MS: '200' }, dataDir);
    expect(settings).toEqual({ plaintext: false, dir: path.resolve('relative/tls'), reloadMs: 200 });
    expect(() => transportSettings({ MESH_TLS_RELOAD_MS: '50' }, dataDir)).toThrow(
      new ConfigError('MESH_TLS_RELOAD_MS must be an integer from 100 to 3600000, got "50"'),
    );
  });

  it('is plaintext with MESH_INSECURE_PLAINTEXT=true only; false or unset is TLS; anything else is a ConfigError', () => {
    expect(transportSettings({ MESH_INSECURE_PLAINTEXT: 'true' }, dataDir).plaintext).toBe(true);
    expect(transportSettings({ MESH_INSECURE_PLAINTEXT: ' true ' }, dataDir).plaintext).toBe(true);
    expect(transportSettings({ MESH_INSECURE_PLAINTEXT: 'false' }, dataDir).plaintext).toBe(false);
    expect(transportSettings({ MESH_INSECURE_PLAINTEXT: '' }, dataDir).plaintext).toBe(false);
    for (const garbage of ['TRUE', 'yes', '1', 'on', 'true please']) {
      expect(() => transportSettings({ MESH_INSECURE_PLAINTEXT: garbage }, dataDir)).toThrow(
        new ConfigError(`MESH_INSECURE_PLAINTEXT must be true or false, got "${garbage}"`),
      );
    }
    expect(() => loadConfig({ MESH_INSECURE_PLAINTEXT: 'yes' })).toThrow(ConfigError);
    expect(() => transportSettings({ MESH_INSECURE_PLAINTEXT: 'x'.repeat(100) }, dataDir)).toThrow(`got "${'x'.repeat(40)}"`);
  });

  it('gives plaintext credentials everywhere under the switch, and says so loudly', () => {
    const { log, lines } = recordingLogger();
    const transport = new TransportSecurity({ plaintext: true, dir: temporaryDir(), reloadMs: 60_000 }, log);
    expect(lines).toEqual([expect.objectContaining({ level: 40, switch: 'MESH_INSECURE_PLAINTEXT', msg: expect.stringMatching(/^INSECURE/) as unknown })]);
    expect(transport.serverCredentials('scoring', true)._isSecure()).toBe(false);
    const channel = transport.channel(INTERVIEW, 'scoring');
    expect(channel.credentials._isSecure()).toBe(false);
    expect(channel.options).toEqual({});
    expect(publicChannel(transport.settings, '127.0.0.1:50051').credentials._isSecure()).toBe(false);
    transport.close();
  });

  it("aims a mesh channel's TLS at the target service's name, and a public channel at localhost for a loopback address", async () => {
    const dir = temporaryDir();
    await ensureWorkloadCertificates(dir, [INTERVIEW], [], silentLogger());
    const transport = new TransportSecurity({ plaintext: false, dir, reloadMs: 60_000 }, silentLogger());
    const channel = transport.channel(INTERVIEW, 'scoring');
    expect(channel.credentials._isSecure()).toBe(true);
    expect(channel.options).toEqual({ 'grpc.ssl_target_name_override': 'scoring', 'grpc.default_authority': 'scoring' });
    transport.close();
    const settings = transportSettings({ MESH_TLS_DIR: dir }, dataDir);
    for (const target of ['127.0.0.1:50051', 'localhost:50051', '[::1]:50051', 'localhost']) {
      expect(publicChannel(settings, target).options).toEqual({ 'grpc.ssl_target_name_override': 'localhost' });
    }
    expect(publicChannel(settings, 'mesh.example.com:50051').options).toEqual({});
    expect(publicChannel(settings, '127.0.0.10:50051').options).toEqual({});
  });

  it("throws naming the CA file when a public channel cannot read it, and a service's channel when its certificate is missing", () => {
    const dir = temporaryDir();
    const settings = transportSettings({ MESH_TLS_DIR: dir }, dataDir);
    expect(() => publicChannel(settings, '127.0.0.1:50051')).toThrow(`TLS: cannot read the mesh's CA certificate ${path.join(dir, 'ca.crt')} (MESH_TLS_DIR)`);
    const transport = new TransportSecurity(settings, silentLogger());
    expect(() => transport.channel(INTERVIEW, 'scoring')).toThrow(path.join(dir, 'ca.crt'));
    transport.close();
  });
});
