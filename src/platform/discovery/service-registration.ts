import { MeshConfig } from '../config/mesh-config';
import { Logger } from '../log/logger';
import { consulClient, consulStatus, parseConsulAddress } from './consul-agent';
import { instanceId, registerInstance, RegisteredInstance } from './registration';

export interface ServiceInstance {
  /** The service's registered name, e.g. `emotion`. */
  name: string;
  /** Port the server actually bound. */
  port: number;
  /** Consul tags, from the service's descriptor. */
  tags: readonly string[];
  /** grpc.health.v1 name Consul's check asks about ("" for the whole server). */
  healthService: string;
  /** Port of the process's metrics endpoint (`/metrics`), recorded in the registration's metadata as `metrics_port`. */
  metricsPort?: number;
  /** gRPC services served, recorded in the registration's metadata. */
  grpcServices: readonly string[];
}

/**
 * Registers a started instance in Consul when CONSUL_HTTP_ADDR is set (undefined otherwise):
 * reachable at ADVERTISE_HOST and its bound port, checked over gRPC every
 * CONSUL_CHECK_INTERVAL_MS, removed by Consul after CONSUL_DEREGISTER_AFTER_MS critical. With
 * Consul's ACLs on it registers (and deregisters) with its own token, `<SERVICE>_CONSUL_TOKEN` or
 * else CONSUL_HTTP_TOKEN, which should allow writing its own service name only.
 * Throws when the agent cannot be reached or refuses the registration (a 403: the token may not
 * register this name), so that a misconfigured instance fails its start-up.
 */
export async function registerServiceInstance(config: MeshConfig, instance: ServiceInstance, log: Logger): Promise<RegisteredInstance | undefined> {
  if (!config.consulAddr) return undefined;
  const agent = parseConsulAddress(config.consulAddr);
  const token = config.consulTokens.forService(instance.name);
  const consul = consulClient(agent, token.secret);
  try {
    return await registerInstance(
      consul,
      {
        name: instance.name,
        id: instanceId(instance.name, config.advertiseHost, instance.port),
        address: config.advertiseHost,
        port: instance.port,
        tags: instance.tags,
        meta: {
          grpc_services: instance.grpcServices.join(',') || 'grpc.health.v1.Health',
          ...(instance.metricsPort === undefined ? {} : { metrics_port: String(instance.metricsPort) }),
        },
        healthService: instance.healthService,
        checkIntervalMs: config.consulCheckIntervalMs,
        checkTimeoutMs: Math.min(2_000, config.consulCheckIntervalMs),
        deregisterCriticalAfterMs: config.consulDeregisterAfterMs,
        tls: !config.transport.plaintext,
      },
      log,
    );
  } catch (error) {
    consul.destroy();
    if (consulStatus(error) === 403) {
      const given = token.secret === undefined ? `no ACL token was given (set ${token.variable})` : `the ACL token in ${token.variable} may not register it`;
      throw new Error(
        `the Consul agent at ${config.consulAddr} refused to register the service "${instance.name}" (403 Permission denied): ${given}; ` +
          `it needs a token with \`service "${instance.name}" { policy = "write" }\` (npm run consul:provision). Consul said: ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw new Error(`could not register ${instance.name} with the Consul agent at ${config.consulAddr}: ${(error as Error).message}`, { cause: error });
  }
}
