/**
 * `npm run consul:provision`: the mesh's Consul ACLs, on a Consul whose agents run with
 * `acl { enabled = true, default_policy = "deny" }`. With a management token (or any with
 * `acl = "write"`) in CONSUL_HTTP_TOKEN, against the agent at CONSUL_HTTP_ADDR (or `--addr`), it
 * creates, or finds again when they exist (running it twice prints the same tokens):
 *
 * - for each service (`--service`, every service of the mesh by default) the policy
 *   `mesh-<service>` (`service "<service>"` write, `service_prefix ""` and `node_prefix ""` read) and
 *   a token with it: the service may register its own name and no other;
 * - the policy `mesh-resolver` (`service_prefix ""` and `node_prefix ""` read) and a token with it:
 *   the `consul:///` resolver's.
 *
 * It prints the tokens' SecretIDs to stdout as environment lines, `<SERVICE>_CONSUL_TOKEN=…` and
 * `CONSUL_RESOLVER_TOKEN=…`, for a secret store or an env file (never commit them); progress goes
 * to stderr.
 *
 *   CONSUL_HTTP_ADDR=127.0.0.1:8500 CONSUL_HTTP_TOKEN=<management token> npm run consul:provision > consul-tokens.env
 */
import { Command } from 'commander';
import { optionalString } from '../../src/platform/config/env';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { consulTokenEnv, parseConsulAddress, provisionConsulAcl } from '../../src/platform/discovery';

interface ProvisionOptions {
  addr: string;
  service?: string[];
}

const list = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(',').filter(Boolean)];

const program = new Command('consul:provision')
  .description("creates the mesh's Consul ACL policies and tokens (idempotent) and prints the tokens as env lines")
  .option('--addr <address>', "the Consul agent's HTTP API, host:port or an http(s) URL", optionalString(process.env, 'CONSUL_HTTP_ADDR') ?? '127.0.0.1:8500')
  .option('--service <names>', `services to provision, comma-separated or repeated (default: ${SERVICE_NAMES.join(',')})`, list)
  .action(async (options: ProvisionOptions) => {
    const managementToken = optionalString(process.env, 'CONSUL_HTTP_TOKEN');
    if (!managementToken) throw new Error('set CONSUL_HTTP_TOKEN to a Consul token with acl = "write" (the management token)');
    const agent = parseConsulAddress(options.addr, '--addr');
    const services = options.service ?? [...SERVICE_NAMES];
    console.error(`[consul:provision] policies and tokens for ${services.join(', ')} and the resolver, at ${options.addr}`);
    const tokens = await provisionConsulAcl(agent, managementToken, services);
    for (const [name, value] of Object.entries(consulTokenEnv(tokens))) console.log(`${name}=${value}`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
