import { experimental, status } from '@grpc/grpc-js';
import Consul from 'consul';
import { Logger } from '../log/logger';
import { consulClient, ConsulAgentAddress, describeAgent, parseConsulAddress } from './consul-agent';

/** The service and, when the target names one, the agent of a `consul:` target. */
export interface ConsulTarget {
  service: string;
  agent?: ConsulAgentAddress;
}

/**
 * Reads a `consul:` target: `consul:///emotion` or `consul://emotion` (the agent given to
 * `registerConsulResolver`), or `consul://10.0.0.5:8500/emotion` (that agent). Throws on anything else.
 */
export function parseConsulTarget(target: experimental.GrpcUri): ConsulTarget {
  // grpc-js parses `consul://emotion` as an empty authority and the path `//emotion`.
  const service = target.path.replace(/^\/+/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(service)) {
    throw new Error(`consul target must be consul:///<service> or consul://<agent host:port>/<service>, got "${experimental.uriToString(target)}"`);
  }
  return { service, agent: target.authority ? parseConsulAddress(target.authority, 'the consul target authority') : undefined };
}

export interface ConsulResolverOptions {
  /** Agent asked when the target names none (CONSUL_HTTP_ADDR). */
  defaultAgent?: ConsulAgentAddress;
  /**
   * ACL token the queries carry (CONSUL_RESOLVER_TOKEN, else CONSUL_HTTP_TOKEN): with ACLs on and
   * default deny, one that may read services and nodes (`service_prefix "" { policy = "read" }`,
   * `node_prefix "" { policy = "read" }`); without it Consul filters every instance out and the
   * resolver finds none. Sent to the target's agent too when the target names one.
   */
  token?: string;
  log: Logger;
  /** Longest a blocking query waits for a change, seconds (Consul's `wait`). */
  waitSeconds?: number;
}

let resolverOptions: ConsulResolverOptions | undefined;

/**
 * Makes `consul:` targets work in every grpc-js channel of this process (grpc-js's experimental
 * resolver API: `registerResolver`, as its own `dns:` resolver is registered). Calling it again
 * replaces the options for resolvers created afterwards.
 *
 * ### Examples
 * ```ts
 * registerConsulResolver({ defaultAgent: parseConsulAddress('127.0.0.1:8500'), token: config.consulTokens.resolver().secret, log });
 * const client = new EmotionServiceClient('consul:///emotion', credentials.createInsecure(), meshChannelOptions());
 * ```
 */
export function registerConsulResolver(options: ConsulResolverOptions): void {
  const first = resolverOptions === undefined;
  resolverOptions = options;
  if (first) experimental.registerResolver('consul', ConsulResolver);
}

/** One instance as the channel dials it. */
interface Instance {
  id: string;
  host: string;
  port: number;
}

/** One entry of GET /v1/health/service/<name> (the fields used here). */
interface HealthServiceEntry {
  Node: { Address: string };
  Service: { ID: string; Address: string; Port: number };
}

/**
 * Follows the passing instances of one Consul service with blocking queries
 * (GET /v1/health/service/<name>?passing&index=<last X-Consul-Index>&wait=<wait>, run by the
 * `consul` package's Watch, which backs off exponentially on errors) and pushes every change of the
 * address list to the channel, whose round_robin policy spreads calls over them. Errors reach the
 * channel as UNAVAILABLE, and so does a list with no passing instance.
 */
class ConsulResolver implements experimental.Resolver {
  private readonly target: ConsulTarget | Error;
  private readonly options: ConsulResolverOptions;
  private consul?: Consul;
  private watch?: ReturnType<Consul['watch']>;
  /** Key of the list last pushed, so that an unchanged list is not pushed again. */
  private lastPushed?: string;

  constructor(
    private readonly uri: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    // grpc-js also passes the channel's options (ResolverConstructor's third argument): none apply here.
  ) {
    if (!resolverOptions) throw new Error('consul: targets need registerConsulResolver() first');
    this.options = resolverOptions;
    try {
      this.target = parseConsulTarget(uri);
    } catch (error) {
      this.target = error as Error;
    }
  }

  static getDefaultAuthority(uri: experimental.GrpcUri): string {
    return parseConsulTarget(uri).service;
  }

  updateResolution(): void {
    // A running watch already pushes every change: a re-resolution request needs no extra query.
    if (this.watch?.isRunning()) return;
    const target = this.target;
    const agent = target instanceof Error ? undefined : (target.agent ?? this.options.defaultAgent);
    if (target instanceof Error || !agent) {
      const details = target instanceof Error ? target.message : `${experimental.uriToString(this.uri)} names no Consul agent and CONSUL_HTTP_ADDR is not set`;
      setImmediate(() => {
        this.pushError(details);
      });
      return;
    }
    this.consul ??= consulClient(agent, this.options.token);
    const watch = this.consul.watch({
      // The Watch calls it with a context of its own: bound, it calls the client's health API all the same.
      method: this.consul.health.service.bind(this.consul.health),
      options: { service: target.service, passing: 'true', wait: `${this.options.waitSeconds ?? 30}s` },
      backoffFactor: 100,
      backoffMax: 5_000,
    });
    watch.on('change', (entries: HealthServiceEntry[]) => {
      this.pushInstances(target.service, entries);
    });
    watch.on('error', (error: Error) => {
      this.options.log.warn({ err: error, target: experimental.uriToString(this.uri) }, 'Consul query failed; retrying with backoff');
      this.pushError(`Consul at ${describeAgent(agent)} could not list "${target.service}": ${error.message}`);
    });
    this.watch = watch;
  }

  destroy(): void {
    this.watch?.removeAllListeners('change');
    this.watch?.end();
    this.watch = undefined;
    this.consul?.destroy();
    this.consul = undefined;
    this.lastPushed = undefined;
  }

  private pushInstances(service: string, entries: readonly HealthServiceEntry[]): void {
    const instances: Instance[] = entries
      .map((e) => ({ id: e.Service.ID, host: e.Service.Address || e.Node.Address, port: e.Service.Port }))
      .sort((a, b) => a.id.localeCompare(b.id));
    const key = instances.map((i) => `${i.id}@${i.host}:${i.port}`).join(',');
    if (key === this.lastPushed) return;
    this.lastPushed = key;
    this.options.log.info(
      { target: experimental.uriToString(this.uri), instances: instances.map((i) => `${i.host}:${i.port}`) },
      `Consul: ${instances.length} passing instance(s) of ${service}`,
    );
    if (instances.length === 0) {
      // An error, not an empty list: with an empty list grpc-js's round_robin would hold calls until
      // their deadline; an error fails them at once (UNAVAILABLE), or keeps the channel on the
      // addresses it had, as after any resolution error.
      this.pushError(`Consul lists no passing instance of "${service}"`);
      this.lastPushed = key;
      return;
    }
    const endpoints = instances.map((i) => ({ addresses: [{ host: i.host, port: i.port }] }));
    this.listener(experimental.statusOrFromValue(endpoints), {}, null, '');
  }

  private pushError(details: string): void {
    this.lastPushed = undefined;
    this.listener(experimental.statusOrFromError({ code: status.UNAVAILABLE, details }), {}, null, details);
  }
}
