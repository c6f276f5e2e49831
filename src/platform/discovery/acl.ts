import { ConsulAgentAddress, describeAgent } from './consul-agent';
import { serviceVariable } from '../config/env';

/**
 * Consul ACLs for the mesh (agents with `acl { enabled = true, default_policy = "deny" }`): a policy
 * and a token per service, allowed to register that one name and to read the catalog, and a
 * read-only policy and token for the `consul:///` resolver. Used by `npm run consul:provision`
 * (scripts/consul/provision-acl.ts) and by the tests' Consul agent.
 */

/** The SecretIDs provisioned: each service's own token, and the resolver's read-only one. */
export interface MeshConsulTokens {
  readonly services: Readonly<Record<string, string>>;
  readonly resolver: string;
}

/** `mesh-<service>`: the name of a service's policy (and of its token's description). */
export function servicePolicyName(service: string): string {
  return `mesh-${service}`;
}

export const RESOLVER_POLICY_NAME = 'mesh-resolver';

/** Reads every service and node (health queries need both); writes nothing. */
const READ_CATALOG = ['service_prefix "" {\n  policy = "read"\n}', 'node_prefix "" {\n  policy = "read"\n}'];

/** A service's rules: register (and check, deregister) its own name only; read the catalog. */
export function servicePolicyRules(service: string): string {
  return [`service ${JSON.stringify(service)} {\n  policy = "write"\n}`, ...READ_CATALOG].join('\n');
}

export const RESOLVER_POLICY_RULES = READ_CATALOG.join('\n');

/** The environment lines that hand the tokens to the mesh: `<SERVICE>_CONSUL_TOKEN=…`, `CONSUL_RESOLVER_TOKEN=…`. */
export function consulTokenEnv(tokens: MeshConsulTokens): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [service, secret] of Object.entries(tokens.services)) env[serviceVariable(service, 'CONSUL_TOKEN')] = secret;
  env.CONSUL_RESOLVER_TOKEN = tokens.resolver;
  return env;
}

interface Policy {
  ID: string;
  Name: string;
}

interface TokenStub {
  AccessorID: string;
  Description: string;
}

interface Token extends TokenStub {
  SecretID: string;
}

/** The ACL part of a Consul agent's HTTP API, with a management token (never put in an error). */
class AclApi {
  constructor(
    private readonly agent: ConsulAgentAddress,
    private readonly token: string,
  ) {}

  async request<T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<T> {
    const url = `${describeAgent(this.agent)}/v1${path}`;
    const response = await fetch(url, {
      method,
      headers: { 'X-Consul-Token': this.token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      const reason = (await response.text()).trim();
      throw new Error(`Consul at ${describeAgent(this.agent)} answered ${method} /v1${path} with ${response.status}: ${reason}`);
    }
    return (await response.json()) as T;
  }

  /** Creates the policy `name`, or brings an existing one's rules up to date; returns its ID. */
  async ensurePolicy(name: string, description: string, rules: string): Promise<string> {
    const existing = (await this.request<Policy[]>('GET', '/acl/policies')).find((p) => p.Name === name);
    const policy = { Name: name, Description: description, Rules: rules };
    if (existing) return (await this.request<Policy>('PUT', `/acl/policy/${encodeURIComponent(existing.ID)}`, policy)).ID;
    return (await this.request<Policy>('PUT', '/acl/policy', policy)).ID;
  }

  /** The SecretID of the token linked to `policyId` described `description`, created when there is none. */
  async ensureToken(policyId: string, description: string): Promise<string> {
    const linked = await this.request<TokenStub[]>('GET', `/acl/tokens?policy=${encodeURIComponent(policyId)}`);
    const existing = linked.find((t) => t.Description === description);
    if (existing) return (await this.request<Token>('GET', `/acl/token/${encodeURIComponent(existing.AccessorID)}`)).SecretID;
    return (await this.request<Token>('PUT', '/acl/token', { Description: description, Policies: [{ ID: policyId }], Local: false })).SecretID;
  }
}

/**
 * Creates, or finds again (running it twice gives the same tokens), with `managementToken` (one
 * with `acl = "write"`): for each of `services` the policy `mesh-<service>` (servicePolicyRules)
 * and a token with it, and the policy `mesh-resolver` (read-only) and a token with it.
 */
export async function provisionConsulAcl(agent: ConsulAgentAddress, managementToken: string, services: readonly string[]): Promise<MeshConsulTokens> {
  const api = new AclApi(agent, managementToken);
  const tokens: Record<string, string> = {};
  for (const service of services) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(service)) throw new Error(`not a Consul service name: "${service}"`);
    const name = servicePolicyName(service);
    const policyId = await api.ensurePolicy(
      name,
      `registers the service "${service}" and reads the catalog (npm run consul:provision)`,
      servicePolicyRules(service),
    );
    tokens[service] = await api.ensureToken(policyId, `${name}: the token of the service "${service}"`);
  }
  const resolverPolicy = await api.ensurePolicy(
    RESOLVER_POLICY_NAME,
    'reads services and nodes: the consul:/// resolver (npm run consul:provision)',
    RESOLVER_POLICY_RULES,
  );
  const resolver = await api.ensureToken(resolverPolicy, `${RESOLVER_POLICY_NAME}: the read-only token of the consul:/// resolver`);
  return { services: tokens, resolver };
}
