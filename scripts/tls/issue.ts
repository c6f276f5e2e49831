/**
 * `npm run tls:issue`: the mesh's CA and workload certificates, for a deployment whose services do
 * not issue their own (they do only where the TLS directory holds the CA's key: the embedded default).
 * Creates the CA in `--dir` on the first run and issues, or renews past two thirds of its life, the
 * certificate of each service (`--service`, every service of the mesh by default) and operator
 * (`--operator`, `operator` by default): src/platform/tls/certificate-files.ts's
 * ensureWorkloadCertificates, as `npm start` does. Run it again to renew; running services read
 * renewed files every MESH_TLS_RELOAD_MS.
 *
 * `--bundles <dir>` also writes, for each workload, `<dir>/<name>/` holding `ca.crt`, `<name>.crt`
 * and `<name>.key` and never `ca.key`: what that one workload mounts as its MESH_TLS_DIR (a
 * Compose volume's subpath, a Kubernetes Secret: `kubectl create secret generic mesh-tls-emotion
 * --from-file=<dir>/emotion/`).
 *
 *   npm run tls:issue -- --dir /secure/mesh-ca --host interview.example.com --bundles ./tls-bundles
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { stringOr } from '../../src/platform/config/env';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { createLogger } from '../../src/platform/log/logger';
import { REPO_ROOT } from '../../src/platform/paths';
import { ensureWorkloadCertificates, TlsFiles, tlsFiles, writeAtomically } from '../../src/platform/tls/certificate-files';
import { spiffeId, WorkloadIdentity } from '../../src/platform/tls/spiffe';
import { transportSettings } from '../../src/platform/tls/transport-security';

interface IssueOptions {
  dir: string;
  service: string[];
  operator: string[];
  host: string[];
  bundles?: string;
}

/** The TLS directory the mesh would use here: MESH_TLS_DIR, else DATA_DIR/tls (.data/tls). */
function defaultDir(): string {
  const dataDir = path.resolve(stringOr(process.env, 'DATA_DIR', path.join(REPO_ROOT, '.data')));
  return transportSettings(process.env, dataDir).dir;
}

/** `<bundles>/<name>/`: the CA's certificate and the workload's own pair, nothing else. */
function writeBundle(files: TlsFiles, bundles: string, name: string): string {
  const bundle = tlsFiles(path.resolve(bundles, name));
  fs.mkdirSync(bundle.dir, { recursive: true, mode: 0o700 });
  writeAtomically(bundle.caCertificate, fs.readFileSync(files.caCertificate, 'utf8'), 0o644);
  writeAtomically(bundle.privateKey(name), fs.readFileSync(files.privateKey(name), 'utf8'), 0o600);
  writeAtomically(bundle.certificate(name), fs.readFileSync(files.certificate(name), 'utf8'), 0o644);
  return bundle.dir;
}

async function issue(options: IssueOptions): Promise<void> {
  const log = createLogger({ level: 'warn' });
  const identities: WorkloadIdentity[] = [
    ...options.service.map((name) => ({ kind: 'service' as const, name })),
    ...options.operator.map((name) => ({ kind: 'operator' as const, name })),
  ];
  const dir = path.resolve(options.dir);
  const files = tlsFiles(dir);
  const hadCa = fs.existsSync(files.caCertificate);
  if (hadCa && !fs.existsSync(files.caKey)) throw new Error(`${dir} holds ca.crt but not ca.key: certificates are issued where the CA's key is`);
  await ensureWorkloadCertificates(dir, identities, options.host, log);
  console.log(`${hadCa ? 'CA' : 'new CA'}: ${files.caCertificate} (its key ${files.caKey} stays here: never mount it into a service)`);
  for (const identity of identities) {
    const bundle = options.bundles ? `; bundle ${writeBundle(files, options.bundles, identity.name)}` : '';
    console.log(`${spiffeId(identity)}: ${files.certificate(identity.name)}${bundle}`);
  }
}

const list = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').filter(Boolean)];

const program = new Command('tls:issue')
  .description("creates the mesh's CA (first run) and issues or renews its workloads' certificates")
  .option('--dir <dir>', "the CA's directory: ca.crt, ca.key and every certificate", defaultDir())
  .option('--service <names>', `services to issue for, comma-separated or repeated (default: ${SERVICE_NAMES.join(',')})`, list)
  .option('--operator <names>', 'operators to issue for, comma-separated or repeated (default: operator)', list)
  .option('--host <hosts>', 'more DNS names or addresses in every service certificate, comma-separated or repeated', list)
  .option('--bundles <dir>', 'also write <dir>/<name>/ with ca.crt, <name>.crt and <name>.key (never ca.key) per workload')
  .action(async (options: Partial<IssueOptions> & { dir: string }) => {
    await issue({
      dir: options.dir,
      service: options.service ?? [...SERVICE_NAMES],
      operator: options.operator ?? ['operator'],
      host: options.host ?? [],
      bundles: options.bundles,
    });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
