import fs from 'node:fs';
import { Client } from '@grpc/grpc-js';
import { Env } from '../platform/config/env';
import { MeshConfig } from '../platform/config/mesh-config';
import { parseConsulAddress, registerConsulResolver } from '../platform/discovery';
import { Logger } from '../platform/log/logger';
import { AnyServiceDescriptor } from '../platform/service/descriptor';
import { createDownstreamClient, DownstreamClient, DownstreamClientOptions } from '../platform/service/downstream-client';
import { RunningService, startService } from '../platform/service/host';
import { CallPolicy } from '../platform/tls/call-policy';
import { ensureWorkloadCertificates, tlsFiles } from '../platform/tls/certificate-files';
import { TransportSecurity } from '../platform/tls/transport-security';
import { MeshMetrics } from '../platform/telemetry/metrics';
import { startMetricsServer } from '../platform/telemetry/metrics-server';
import { CALL_POLICY } from './call-policy';
import { openInfrastructure } from './infrastructure';
import { planMesh } from './mesh-plan';
import { SERVICES } from './registry';

export interface Mesh {
  readonly services: ReadonlyMap<string, RunningService>;
  /** The metrics of every service of this process. */
  readonly metrics: MeshMetrics;
  /** `host:port` of the metrics endpoint (`/metrics`), undefined when METRICS_PORT is `off`. */
  readonly metricsAddress: string | undefined;
  /** `host:port` of a running service. */
  address(name: string): string;
  /** Stops the services (dependants first, so nothing new reaches the others), then the bus and database. */
  stop(graceMs?: number): Promise<void>;
}

/** What a test may hand one service instead of what the root would build. */
export interface ServiceOverrides {
  /** gRPC port (0 picks a free one) instead of `<NAME>_PORT`. */
  readonly port?: number;
  /** Ready-made downstream clients, by the descriptor's downstream key. */
  readonly downstreams?: Readonly<Record<string, DownstreamClient<Client>>>;
  /** Opossum settings of the downstream clients the root builds. */
  readonly breaker?: DownstreamClientOptions['breaker'];
  /** The service's resource, made by the caller (neither created nor closed by the host). */
  readonly resource?: unknown;
}

export interface MeshOptions {
  /** Where ports, addresses, budgets and the services' settings are read from; process.env by default. */
  readonly env?: Env;
  /** The services to choose from; the mesh's registry by default (a test may add its own). */
  readonly registry?: readonly AnyServiceDescriptor[];
  readonly overrides?: Readonly<Record<string, ServiceOverrides>>;
  /** Who may call what; the mesh's CALL_POLICY by default (a test's own service needs its rules). */
  readonly policy?: CallPolicy;
}

/**
 * The composition root: opens the infrastructure once and starts the services `names` in this
 * process, each on its own port (registered in Consul when CONSUL_HTTP_ADDR is set), each after the
 * downstreams it declares. It builds what they use: the database and bus (through the host),
 * downstream clients with their breakers, aimed at the instance in this process when there is one
 * (at the port it actually got, which matters with port 0). Every setting is parsed before anything
 * starts, so a bad variable fails the start with its name (ConfigError).
 */
export async function startMesh(config: MeshConfig, names: readonly string[], log: Logger, options: MeshOptions = {}): Promise<Mesh> {
  const env = options.env ?? process.env;
  const registry = options.registry ?? SERVICES;
  const plans = planMesh(config, registry, names, env, options.overrides);
  const wanted = plans.map((plan) => plan.descriptor);
  // `consul:///<service>` targets (the downstream default when CONSUL_HTTP_ADDR is set) resolve through this agent.
  if (config.consulAddr) {
    const token = config.consulTokens.resolver().secret;
    registerConsulResolver({ defaultAgent: parseConsulAddress(config.consulAddr), token, log: log.child({ component: 'consul-resolver' }) });
  }
  const transport = await openTransport(config, wanted, log);
  const infrastructure = await openInfrastructure(config, registry, wanted, log, env).catch((error: unknown) => {
    transport.close();
    throw error;
  });
  const metrics = new MeshMetrics();
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics, config.bindHost, config.metricsPort, log).catch(async (error: unknown) => {
          await infrastructure.close();
          transport.close();
          throw error;
        });
  const deps = {
    config,
    log,
    db: infrastructure.db,
    busFor: (name: string) => infrastructure.busFor(name),
    transport,
    policy: options.policy ?? CALL_POLICY,
    metrics,
    metricsPort: metricsServer?.port,
  };
  const services = new Map<string, RunningService>();
  const clients: DownstreamClient<Client>[] = [];
  const stopAll = async (graceMs: number) => {
    for (const { descriptor } of [...plans].reverse()) await services.get(descriptor.name)?.stop(graceMs);
    for (const client of clients) client.close();
    // Last, so that a scrape sees the services stop.
    await metricsServer?.close();
  };
  try {
    for (const plan of plans) {
      const { descriptor } = plan;
      const overrides = options.overrides?.[descriptor.name] ?? {};
      const downstreams: Record<string, DownstreamClient<Client>> = {};
      for (const { key, spec, deadlineMs, target } of plan.downstreams) {
        const given = overrides.downstreams?.[key];
        if (given) {
          downstreams[key] = given;
          continue;
        }
        const address = services.get(spec.service)?.server.address ?? target;
        const client = createDownstreamClient(spec, {
          target: address,
          channel: transport.channel({ kind: 'service', name: descriptor.name }, spec.service),
          deadlineMs,
          log: log.child({ service: descriptor.name }),
          breaker: overrides.breaker,
          metrics: { registry: metrics, caller: descriptor.name },
        });
        clients.push(client);
        downstreams[key] = client;
      }
      services.set(
        descriptor.name,
        await startService(descriptor, deps, { port: plan.port, settings: plan.settings, downstreams, resource: overrides.resource }),
      );
    }
  } catch (error) {
    await stopAll(0);
    await infrastructure.close();
    transport.close();
    throw error;
  }
  return {
    services,
    metrics,
    metricsAddress: metricsServer?.address,
    address: (name) => {
      const service = services.get(name);
      if (!service) throw new Error(`${name} is not running in this process`);
      return service.server.address;
    },
    async stop(graceMs = config.shutdownGraceMs) {
      await stopAll(graceMs);
      await infrastructure.close();
      transport.close();
      log.info('mesh stopped');
    },
  };
}

/** How often a process that issues certificates checks whether one is due for renewal, milliseconds. */
const CERTIFICATE_CHECK_MS = 3_600_000;

/**
 * The transport security of the services started here: their certificates (and the operator's,
 * for grpcurl and the interop clients) issued on the first start when the TLS directory holds the
 * CA's key (the embedded default), checked to be there otherwise.
 */
async function openTransport(config: MeshConfig, started: readonly AnyServiceDescriptor[], log: Logger): Promise<TransportSecurity> {
  const transport = new TransportSecurity(config.transport, log.child({ component: 'tls' }));
  if (config.transport.plaintext) return transport;
  const services = started.map((s) => ({ kind: 'service' as const, name: s.name }));
  // Where this process issues certificates (the embedded default), the operator's too, for grpcurl;
  // a deployment mounts each service's own and nothing more.
  const files = tlsFiles(config.transport.dir);
  const issuing = fs.existsSync(files.caKey) || !fs.existsSync(files.caCertificate);
  const identities = issuing ? [...services, { kind: 'operator' as const, name: 'operator' }] : services;
  const extraHosts = config.advertiseHost === '0.0.0.0' ? [] : [config.advertiseHost];
  const ensure = () => ensureWorkloadCertificates(config.transport.dir, identities, extraHosts, log.child({ component: 'tls' })).then(() => undefined);
  await ensure();
  // A process that issues certificates keeps them current however long it runs (they last 30 days).
  if (issuing) transport.renewEvery(CERTIFICATE_CHECK_MS, ensure);
  log.info({ caCertificate: files.caCertificate }, 'mTLS between services; clients of the public ports trust this CA certificate');
  return transport;
}
