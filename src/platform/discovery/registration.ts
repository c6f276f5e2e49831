import Consul from 'consul';
import { Logger } from '../log/logger';

/** What one instance tells Consul about itself (seed 003 section 6 in docs/seeds.md, with a gRPC check). */
export interface InstanceRegistration {
  /** Consul service name, e.g. `emotion`: what clients resolve as `consul:///emotion`. */
  name: string;
  /** Unique per instance: see `instanceId`. */
  id: string;
  /** Address and port other instances dial. */
  address: string;
  port: number;
  tags: readonly string[];
  meta: Readonly<Record<string, string>>;
  /** grpc.health.v1 name the check asks about, e.g. `emotion.EmotionService`; "" for the whole server. */
  healthService: string;
  /** How often Consul runs the gRPC health check, milliseconds. */
  checkIntervalMs: number;
  /** How long one check may take, milliseconds. */
  checkTimeoutMs: number;
  /**
   * How long the check may stay critical before Consul removes the instance, milliseconds: this is
   * what drops an instance that died without deregistering (Consul's minimum is one minute).
   */
  deregisterCriticalAfterMs: number;
  /**
   * The instance serves TLS: the check dials it with TLS, verifying the name `name` (the DNS SAN of
   * its certificate) with the agent's CA, and presenting the agent's own certificate
   * (`enable_agent_tls_for_checks`), which internal services require.
   */
  tls: boolean;
}

export interface RegisteredInstance {
  readonly id: string;
  /** Removes the instance from Consul; logs and resolves anyway when the agent cannot be reached. */
  deregister(): Promise<void>;
}

/** Timeout of one registration request to the agent, milliseconds. */
const AGENT_REQUEST_TIMEOUT_MS = 5_000;

/**
 * `<name>-<address>-<port>`: unique while no two instances share an address and port, and stable
 * across restarts, so a restarted instance replaces its own entry instead of leaving a second one.
 */
export function instanceId(name: string, address: string, port: number): string {
  return `${name}-${address}-${port}`.replace(/[^A-Za-z0-9.-]/g, '-');
}

/**
 * Registers the instance with the local agent (PUT /v1/agent/service/register) together with a
 * Consul `grpc` check on its own grpc.health.v1 endpoint. The check starts critical, so clients
 * following passing instances see it only once it says SERVING.
 * Throws when the agent refuses or cannot be reached (the caller fails its start-up).
 */
export async function registerInstance(consul: Consul, registration: InstanceRegistration, log: Logger): Promise<RegisteredInstance> {
  const target = `${registration.address}:${registration.port}`;
  // `timeout` bounds the HTTP request to the agent (the `consul` package reads it from the options).
  const request = {
    name: registration.name,
    id: registration.id,
    address: registration.address,
    port: registration.port,
    tags: [...registration.tags],
    meta: { ...registration.meta },
    check: {
      name: `${registration.name} gRPC health`,
      grpc: registration.healthService ? `${target}/${registration.healthService}` : target,
      ...(registration.tls ? { grpcusetls: true, tlsservername: registration.name } : {}),
      interval: `${registration.checkIntervalMs}ms`,
      timeout: `${registration.checkTimeoutMs}ms`,
      deregistercriticalserviceafter: `${registration.deregisterCriticalAfterMs}ms`,
    },
    timeout: AGENT_REQUEST_TIMEOUT_MS,
  };
  await consul.agent.service.register(request);
  log.info({ consulId: registration.id, address: target, tags: registration.tags }, 'registered in Consul');
  return {
    id: registration.id,
    async deregister() {
      try {
        const request = { id: registration.id, timeout: AGENT_REQUEST_TIMEOUT_MS };
        await consul.agent.service.deregister(request);
        log.info({ consulId: registration.id }, 'deregistered from Consul');
      } catch (error) {
        // Consul drops the instance anyway once its check has been critical long enough.
        log.warn({ err: error, consulId: registration.id }, 'could not deregister from Consul');
      }
    },
  };
}
