import { ConfigError, Env, integerOr, optionalString, portOr } from '../platform/config/env';
import { MeshConfig, serviceVariable } from '../platform/config/mesh-config';
import { AnyServiceDescriptor, DownstreamSpec } from '../platform/service/descriptor';

/** One downstream of a planned service: its spec, call budget and where to call it. */
export interface DownstreamPlan {
  readonly key: string;
  readonly spec: DownstreamSpec;
  /** Budget of one call, milliseconds. */
  readonly deadlineMs: number;
  /** Where to call it when it does not run in this process (see downstreamTarget). */
  readonly target: string;
}

/** What the root starts for one service, every setting parsed. */
export interface ServicePlan {
  readonly descriptor: AnyServiceDescriptor;
  readonly settings: unknown;
  readonly port: number;
  readonly downstreams: readonly DownstreamPlan[];
}

/**
 * The services `names` in start order with everything they are configured with, parsed from `env`
 * before anything starts: a bad variable fails here with its name (ConfigError). `ports` overrides
 * the `<NAME>_PORT` of some services (tests use port 0).
 */
export function planMesh(
  config: MeshConfig,
  registry: readonly AnyServiceDescriptor[],
  names: readonly string[],
  env: Env,
  overrides: Readonly<Partial<Record<string, { readonly port?: number }>>> = {},
): ServicePlan[] {
  return startOrder(registry, names).map((descriptor) => ({
    descriptor,
    settings: descriptor.settings(env),
    port: overrides[descriptor.name]?.port ?? servicePort(env, descriptor),
    downstreams: Object.entries(descriptor.downstreams).map(([key, spec]) => ({
      key,
      spec,
      deadlineMs: downstreamBudget(env, spec),
      target: downstreamTarget(env, config, registry, spec),
    })),
  }));
}

/**
 * The descriptors of `names`, each after the downstreams it declares that also start here (the
 * registry's order breaks ties). Throws naming an unknown service or a dependency cycle.
 */
export function startOrder(registry: readonly AnyServiceDescriptor[], names: readonly string[]): AnyServiceDescriptor[] {
  const byName = new Map(registry.map((d) => [d.name, d]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) throw new ConfigError(`unknown service ${unknown.join(', ')}; the mesh has ${[...byName.keys()].join(', ')}`);
  const ordered: AnyServiceDescriptor[] = [];
  const visiting = new Set<string>();
  const visit = (descriptor: AnyServiceDescriptor) => {
    if (ordered.includes(descriptor)) return;
    if (visiting.has(descriptor.name)) throw new Error(`services ${[...visiting].join(' -> ')} depend on each other in a cycle`);
    visiting.add(descriptor.name);
    for (const spec of Object.values(descriptor.downstreams)) {
      const downstream = byName.get(spec.service);
      if (downstream && names.includes(downstream.name)) visit(downstream);
    }
    visiting.delete(descriptor.name);
    ordered.push(descriptor);
  };
  for (const descriptor of registry) if (names.includes(descriptor.name)) visit(descriptor);
  return ordered;
}

/** `<NAME>_PORT`, else the descriptor's default port. */
export function servicePort(env: Env, descriptor: Pick<AnyServiceDescriptor, 'name' | 'defaultPort'>): number {
  return portOr(env, serviceVariable(descriptor.name, 'PORT'), descriptor.defaultPort);
}

/**
 * Where a downstream not running in this process is called: `<SERVICE>_ADDR` when set, else
 * `consul:///<service>` with Consul, else ADVERTISE_HOST at the service's port.
 */
export function downstreamTarget(env: Env, config: MeshConfig, registry: readonly AnyServiceDescriptor[], spec: DownstreamSpec): string {
  const explicit = optionalString(env, serviceVariable(spec.service, 'ADDR'));
  if (explicit) return explicit;
  if (config.consulAddr) return `consul:///${spec.service}`;
  const known = registry.find((d) => d.name === spec.service);
  if (!known)
    throw new ConfigError(`${serviceVariable(spec.service, 'ADDR')} must be set: ${spec.service} is no service of this mesh and Consul is not configured`);
  return `${config.advertiseHost}:${servicePort(env, known)}`;
}

/** `<SERVICE>_DEADLINE_MS`, else the spec's budget, milliseconds. */
export function downstreamBudget(env: Env, spec: DownstreamSpec): number {
  return integerOr(env, serviceVariable(spec.service, 'DEADLINE_MS'), spec.deadlineMs, 50, 60_000);
}
