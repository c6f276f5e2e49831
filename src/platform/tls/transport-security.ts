import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChannelCredentials, ChannelOptions, credentials, experimental, ServerCredentials } from '@grpc/grpc-js';
import { ConfigError, Env, integerOr, stringOr } from '../config/env';
import { Logger } from '../log/logger';
import { TlsFiles, tlsFiles } from './certificate-files';
import { ReloadingCertificates } from './reloading-certificates';
import { identityOfSubjectAltName, spiffeId, WorkloadIdentity } from './spiffe';

/** How the mesh's gRPC hops are secured (MESH_TLS_DIR, MESH_TLS_RELOAD_MS, MESH_INSECURE_PLAINTEXT). */
export interface TransportSettings {
  /**
   * MESH_INSECURE_PLAINTEXT=true: every port plaintext, no caller identities, no call policy. For
   * development only, and said loudly at start-up; anything else, or unset, means TLS.
   */
  readonly plaintext: boolean;
  /** The TLS files (certificate-files.ts); DATA_DIR/tls by default (the temporary folder's interview-mesh-tls with DATA_DIR=memory://). */
  readonly dir: string;
  /** How often certificates are read again, milliseconds (a renewed one is used without a restart). */
  readonly reloadMs: number;
}

export const PLAINTEXT_SWITCH = 'MESH_INSECURE_PLAINTEXT';

export function transportSettings(env: Env, dataDir: string): TransportSettings {
  const raw = stringOr(env, PLAINTEXT_SWITCH, 'false');
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${PLAINTEXT_SWITCH} must be true or false, got "${raw.slice(0, 40)}"`);
  return Object.freeze({
    plaintext: raw === 'true',
    // An in-memory database (DATA_DIR=memory://) has no folder: its certificates go to the system's temporary one.
    dir: path.resolve(stringOr(env, 'MESH_TLS_DIR', inMemory(env, dataDir) ? path.join(os.tmpdir(), 'interview-mesh-tls') : path.join(dataDir, 'tls'))),
    reloadMs: integerOr(env, 'MESH_TLS_RELOAD_MS', 60_000, 100, 3_600_000),
  });
}

/** DATA_DIR=memory:// (PGlite in memory), however it was resolved. */
function inMemory(env: Env, dataDir: string): boolean {
  return (env.DATA_DIR ?? '').startsWith('memory:') || dataDir.startsWith('memory:');
}

/** A channel to one service of the mesh: its credentials, and the options that make TLS verify the service's name. */
export interface MeshChannel {
  readonly credentials: ChannelCredentials;
  readonly options: ChannelOptions;
}

/**
 * The transport security of the workloads in this process: server credentials for each service's
 * port and channel credentials for its calls, each with the workload's own certificate (re-read
 * every `reloadMs`), trusting the mesh's CA bundle. A client verifies that the server's
 * certificate names the service it meant to reach (its SPIFFE ID), not only that the CA signed it.
 */
export class TransportSecurity {
  private readonly providers = new Map<string, ReloadingCertificates>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    readonly settings: TransportSettings,
    private readonly log: Logger,
  ) {
    if (settings.plaintext) {
      log.warn({ switch: PLAINTEXT_SWITCH }, 'INSECURE: gRPC without TLS on every port, and no caller identities: for development only');
    }
  }

  get files(): TlsFiles {
    return tlsFiles(this.settings.dir);
  }

  /**
   * Credentials of `service`'s port: TLS with its certificate; a client certificate from the
   * mesh's CA required (`requireClientCertificate`, internal services) or optional (the public
   * interview and auth ports, whose callers are people with access tokens).
   */
  serverCredentials(service: string, requireClientCertificate: boolean): ServerCredentials {
    if (this.settings.plaintext) return ServerCredentials.createInsecure();
    const provider = this.provider({ kind: 'service', name: service });
    return experimental.createCertificateProviderServerCredentials(provider, provider, requireClientCertificate);
  }

  /**
   * `service`'s certificate and key, re-read as for its gRPC port, for a listener of another kind
   * (its HTTPS port); undefined with the development switch's plaintext.
   */
  identity(service: string): experimental.CertificateProvider | undefined {
    return this.settings.plaintext ? undefined : this.provider({ kind: 'service', name: service });
  }

  /**
   * A channel from workload `self` to the mesh's service `target`: TLS presenting `self`'s
   * certificate, verifying the server's against the CA bundle and its SPIFFE ID, which must be
   * `target`'s (an X.509-SVID is verified by its SPIFFE ID, not by the address dialled: a
   * Consul-resolved instance, 127.0.0.1). The server name sent (SNI) is `target`.
   */
  channel(self: WorkloadIdentity, target: string): MeshChannel {
    if (this.settings.plaintext) return { credentials: credentials.createInsecure(), options: {} };
    const provider = this.provider(self);
    const expected = spiffeId({ kind: 'service', name: target });
    return {
      credentials: experimental.createCertificateProviderChannelCredentials(provider, provider, {
        checkServerIdentity: (_host, certificate) => {
          const identity = identityOfSubjectAltName(certificate.subjectaltname);
          const found = identity ? spiffeId(identity) : 'none';
          return found === expected ? undefined : new Error(`the server's certificate names ${found}, not ${expected}`);
        },
      }),
      options: { 'grpc.ssl_target_name_override': target, 'grpc.default_authority': target },
    };
  }

  /**
   * Runs `renew` (issuing certificates that are due, where this process issues them) every
   * `everyMs` milliseconds until close; the providers then read the renewed files. A failure is
   * logged and tried again at the next turn.
   */
  renewEvery(everyMs: number, renew: () => Promise<void>): void {
    this.renewal = setInterval(() => {
      renew().catch((error: unknown) => {
        this.log.warn({ err: error }, 'TLS: renewing certificates failed; trying again later');
      });
    }, everyMs);
    this.renewal.unref();
  }

  /** Stops re-reading certificate files, and renewing them. */
  close(): void {
    clearInterval(this.renewal);
    for (const provider of this.providers.values()) provider.close();
    this.providers.clear();
  }

  private provider(identity: WorkloadIdentity): ReloadingCertificates {
    let provider = this.providers.get(identity.name);
    if (!provider) {
      const files = this.files;
      provider = new ReloadingCertificates(
        { certificate: files.certificate(identity.name), privateKey: files.privateKey(identity.name), caCertificate: files.caCertificate },
        this.settings.reloadMs,
        this.log.child({ component: 'tls', identity: identity.name }),
      );
      this.providers.set(identity.name, provider);
    }
    return provider;
  }
}

/**
 * What a person's program uses to reach the public ports (interview, auth): TLS trusting the
 * mesh's CA bundle (`<dir>/ca.crt`) and no client certificate; plaintext with the development
 * switch. The server's name is checked against the host of `target` (its certificate carries
 * localhost, 127.0.0.1 and ::1 besides its service name); a loopback address is checked as
 * `localhost`, since TLS's server name may not be an IP address (RFC 6066 section 3).
 * @throws Error naming the CA file when it cannot be read.
 */
export function publicChannel(settings: TransportSettings, target: string): MeshChannel {
  if (settings.plaintext) return { credentials: credentials.createInsecure(), options: {} };
  const caFile = tlsFiles(settings.dir).caCertificate;
  let ca: Buffer;
  try {
    ca = fs.readFileSync(caFile);
  } catch (error) {
    throw new Error(`TLS: cannot read the mesh's CA certificate ${caFile} (MESH_TLS_DIR)`, { cause: error });
  }
  const loopback = /^(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?$/.test(target);
  return { credentials: credentials.createSsl(ca), options: loopback ? { 'grpc.ssl_target_name_override': 'localhost' } : {} };
}
