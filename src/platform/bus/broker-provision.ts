import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '../log/logger';
import { brokerUser, EventOwners } from './broker-identity';
import { EXCHANGES, queueSpecs } from './broker-topology';
import { RetryPolicy } from './event-bus';
import { DEAD_LETTER_EXCHANGE, EXCHANGE, QueueName, RETRY_EXCHANGE, RoutingKey, Topology } from './topology';

/**
 * Least privilege on RabbitMQ (issue 11), the administrator's side: one user per service,
 * `<prefix><service>` (brokerUser), whose permissions let it declare, bind and read its own queues
 * only, publish only the routing keys it owns (its descriptor's `publishes`) and bind only the keys
 * it consumes; and the mesh's exchanges and every queue declared up front, so that an event finds
 * its consumers' queues before they start. What `npm run broker:provision` and the tests' vhosts use.
 */

/** What provisioning reads of a service's descriptor. */
export interface BrokerService {
  readonly name: string;
  readonly consumes: readonly { readonly queue: QueueName; readonly bindings: readonly RoutingKey[] }[];
  readonly publishes: readonly RoutingKey[];
}

/** A topic permission: the routing keys a user may publish (`write`) and bind (`read`) on one exchange. */
export interface TopicPermission {
  readonly exchange: string;
  readonly write: string;
  readonly read: string;
}

/** A user's permissions on a vhost: regular expressions over resource names, and over routing keys per exchange. */
export interface BrokerPermissions {
  readonly user: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
  /** One per exchange of the mesh: RabbitMQ allows every routing key on an exchange a user has no topic permission for. */
  readonly topics: readonly TopicPermission[];
}

/** Matches nothing but the empty name, which no queue or routing key of the mesh has. */
const NOTHING = '^$';
/** The suffixes of a queue's own dead-letter queue and retry queues (topology.ts deadLetterQueue, retryQueue). */
const OWN_QUEUE_SUFFIX = String.raw`(?:\.dead|\.retry\.[0-9]+ms)?`;
/** A queue's retry queues' names, or none: the keys of the retry exchange (out to a retry queue, and back to the queue). */
const RETRY_ROUND_TRIP_SUFFIX = String.raw`(?:\.retry\.[0-9]+ms)?`;

/** `text` as a regular expression matching itself literally (a binding key's `*` and `#` included). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
}

/** `(?:a|b)` of the escaped `names`; undefined when there are none. */
function alternatives(names: readonly string[]): string | undefined {
  const unique = [...new Set(names)];
  return unique.length ? `(?:${unique.map(escapeRegExp).join('|')})` : undefined;
}

/**
 * The permissions of `service`'s user (`<userPrefix><name>`):
 * - configure (declare, delete): its queues, `<queue>.dead` and `<queue>.retry.<n>ms`;
 * - write (queue.bind needs it on the queue, basic.publish on the exchange): those queues and the
 *   three exchanges, never `amq.default` (the default exchange routes to any queue by its name);
 * - read (basic.consume on a queue, queue.bind on the exchange): those queues and the exchanges;
 * - topic permissions on each of the three exchanges (all three, since an exchange without one
 *   allows every key): on `interview.events` it publishes only its `publishes` and binds only its
 *   queues' binding keys; on `interview.events.dlx` it parks and binds only its queues' names; on
 *   `interview.events.retry` only its retry queues' names and its queues' own (by which the broker
 *   brings a retried message back).
 * A service that consumes nothing gets `^$` where its queues would be.
 */
export function brokerPermissions(service: BrokerService, userPrefix: string): BrokerPermissions {
  const queues = alternatives(service.consumes.map((c) => c.queue));
  const exchanges = EXCHANGES.map((e) => escapeRegExp(e.name));
  const ownQueues = queues ? `${queues}${OWN_QUEUE_SUFFIX}` : undefined;
  const queuesAndExchanges = `^(?:${[...(ownQueues ? [ownQueues] : []), ...exchanges].join('|')})$`;
  const published = alternatives(service.publishes);
  const bound = alternatives(service.consumes.flatMap((c) => c.bindings));
  return {
    user: brokerUser(service.name, userPrefix),
    configure: ownQueues ? `^${ownQueues}$` : NOTHING,
    write: queuesAndExchanges,
    read: queuesAndExchanges,
    topics: [
      { exchange: EXCHANGE, write: published ? `^${published}$` : NOTHING, read: bound ? `^${bound}$` : NOTHING },
      { exchange: DEAD_LETTER_EXCHANGE, write: queues ? `^${queues}$` : NOTHING, read: queues ? `^${queues}$` : NOTHING },
      {
        exchange: RETRY_EXCHANGE,
        write: queues ? `^${queues}${RETRY_ROUND_TRIP_SUFFIX}$` : NOTHING,
        read: queues ? `^${queues}${RETRY_ROUND_TRIP_SUFFIX}$` : NOTHING,
      },
    ],
  };
}

/**
 * A password hash as RabbitMQ's internal users store it with `rabbit_password_hashing_sha256` (its
 * default): base64 of a 4-byte random salt followed by SHA-256(salt + the password's UTF-8 bytes).
 * RabbitMQ docs, "Passwords and Authentication: Computing Password Hash"
 * (https://www.rabbitmq.com/docs/passwords#computing-password-hash). A definitions document
 * carries users this way, so the password itself never reaches the broker's API or a file.
 */
export function rabbitmqPasswordHash(password: string, salt: Buffer = randomBytes(4)): string {
  if (salt.length !== 4) throw new Error(`a RabbitMQ password salt is 4 bytes, not ${salt.length}`);
  const digest = createHash('sha256').update(salt).update(Buffer.from(password, 'utf8')).digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** RabbitMQ's definitions document (`rabbitmqctl export_definitions`, `POST /api/definitions`, `load_definitions`): the parts provisioning writes. */
export interface BrokerDefinitions {
  readonly users: readonly { name: string; password_hash: string; hashing_algorithm: 'rabbit_password_hashing_sha256'; tags: string }[];
  readonly vhosts: readonly { name: string }[];
  readonly permissions: readonly { user: string; vhost: string; configure: string; write: string; read: string }[];
  readonly topic_permissions: readonly { user: string; vhost: string; exchange: string; write: string; read: string }[];
  readonly exchanges: readonly {
    name: string;
    vhost: string;
    type: string;
    durable: boolean;
    auto_delete: boolean;
    internal: boolean;
    arguments: Record<string, never>;
  }[];
  readonly queues: readonly { name: string; vhost: string; durable: boolean; auto_delete: boolean; arguments: Readonly<Record<string, string | number>> }[];
  readonly bindings: readonly {
    source: string;
    vhost: string;
    destination: string;
    destination_type: 'queue';
    routing_key: string;
    arguments: Record<string, never>;
  }[];
}

export interface BrokerDefinitionsOptions {
  readonly vhost: string;
  /** The services' users are `<userPrefix><service>` (AMQP_USER_PREFIX). */
  readonly userPrefix: string;
  /** The users to make, each with its password (hashed here: the document holds no password). */
  readonly users: readonly { readonly service: string; readonly password: string }[];
  /** Every service of the mesh (the registry's descriptors): whose queues and routing keys each user gets, and who owns each event. */
  readonly services: readonly BrokerService[];
  /** Every queue of the mesh with its bindings (meshTopology: the services' queues and those awaiting a consumer). */
  readonly topology: Topology;
  /**
   * The services' retry delays (EVENT_RETRY_DELAYS_MS): their retry queues are declared here too,
   * so the topology is whole before any service starts; a service with other delays declares its
   * own retry queues (broker-topology queueSpecs: they dead-letter through the retry exchange).
   */
  readonly retry: RetryPolicy;
  /** A user (the administrator) given every permission on the vhost, for inspection; none when absent. */
  readonly administrator?: string;
}

/**
 * The definitions that provision `vhost`: each of `users` with its password's hash and no tags (no
 * management access), its permissions (brokerPermissions) and its three topic permissions; the
 * vhost; the exchanges (broker-topology EXCHANGES, durable topics) and, for the whole `topology`,
 * every queue with its dead-letter and retry queues and their bindings (queueSpecs, as the services
 * declare them, so that their declarations are equivalent). The retry queues dead-letter back
 * through the retry exchange, where each queue is bound by its own name. Throws when a user names a service not in
 * `services`, or two services publish the same routing key.
 */
export function brokerDefinitions(options: BrokerDefinitionsOptions): BrokerDefinitions {
  const { vhost, userPrefix } = options;
  EventOwners.of(options.services, userPrefix);
  const byName = new Map(options.services.map((s) => [s.name, s]));
  const granted = options.users.map(({ service }) => {
    const descriptor = byName.get(service);
    if (!descriptor) throw new Error(`no service named ${service} to provision a broker user for (services: ${[...byName.keys()].join(', ')})`);
    return brokerPermissions(descriptor, userPrefix);
  });
  const specs = queueSpecs(options.topology, options.retry);
  return {
    users: options.users.map(({ service, password }) => ({
      name: brokerUser(service, userPrefix),
      password_hash: rabbitmqPasswordHash(password),
      hashing_algorithm: 'rabbit_password_hashing_sha256',
      tags: '',
    })),
    vhosts: [{ name: vhost }],
    permissions: [
      ...(options.administrator ? [{ user: options.administrator, vhost, configure: '.*', write: '.*', read: '.*' }] : []),
      ...granted.map(({ user, configure, write, read }) => ({ user, vhost, configure, write, read })),
    ],
    topic_permissions: granted.flatMap(({ user, topics }) => topics.map((topic) => ({ user, vhost, ...topic }))),
    exchanges: EXCHANGES.map(({ name, type }) => ({ name, vhost, type, durable: true, auto_delete: false, internal: false, arguments: {} })),
    queues: specs.map((spec) => ({ name: spec.name, vhost, durable: true, auto_delete: false, arguments: spec.arguments })),
    bindings: specs.flatMap((spec) =>
      spec.bindings.map(({ exchange, key }) => ({
        source: exchange,
        vhost,
        destination: spec.name,
        destination_type: 'queue' as const,
        routing_key: key,
        arguments: {},
      })),
    ),
  };
}

/** The management API's base URL without credentials (what may be logged) and its basic authorization. */
function managementEndpoint(managementUrl: string): { base: string; authorization: string } {
  let url: URL;
  try {
    url = new URL(managementUrl);
  } catch {
    throw new Error('the RabbitMQ management URL is not a URL (http(s)://admin:password@host:15672)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the RabbitMQ management URL must be http(s)://, not ${url.protocol}//`);
  if (!url.username) throw new Error("the RabbitMQ management URL names no user: http(s)://admin:password@host:15672, an administrator's");
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { base: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/**
 * Calls RabbitMQ's management HTTP API at `managementUrl` (its credentials as basic auth):
 * `method` on `path` (e.g. `/api/users/mesh-emotion`, names already URI-encoded) with `body` as
 * JSON. Resolves with the response when it is 2xx, or 404 for a DELETE (already gone); throws an
 * error naming the API (never its password), the status and an excerpt of the body otherwise, or
 * why it could not be reached.
 */
export async function brokerManagementRequest(managementUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  const { base, authorization } = managementEndpoint(managementUrl);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new Error(`cannot reach RabbitMQ's management API at ${base} (${method} ${path}): ${cause}`, { cause: error });
  }
  if (response.ok || (method === 'DELETE' && response.status === 404)) return response;
  const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim();
  const hint = response.status === 401 ? ": the URL's user must be an administrator (tag administrator) with that password" : '';
  throw new Error(
    `RabbitMQ's management API at ${base} answered ${method} ${path} with ${response.status} ${response.statusText}${hint}: ${text.slice(0, 500) || '(no body)'}`,
  );
}

/**
 * Loads `definitions` (brokerDefinitions) into the broker through its management HTTP API
 * (`POST /api/definitions`), with the administrator credentials of `managementUrl`
 * (http(s)://admin:password@host:15672). Idempotent: users, permissions and topic permissions are
 * set again (a new password rotates it), exchanges, queues and bindings that exist are kept.
 * Throws with RabbitMQ's status and answer when it refuses. Logs what it provisioned, never a
 * password or hash.
 */
export async function provisionBroker({
  managementUrl,
  definitions,
  log,
}: {
  managementUrl: string;
  definitions: BrokerDefinitions;
  log: Logger;
}): Promise<void> {
  await brokerManagementRequest(managementUrl, 'POST', '/api/definitions', definitions);
  log.info(
    {
      management: managementEndpoint(managementUrl).base,
      vhosts: definitions.vhosts.map((v) => v.name),
      users: definitions.users.map((u) => u.name),
      exchanges: definitions.exchanges.length,
      queues: definitions.queues.length,
      bindings: definitions.bindings.length,
    },
    'broker users, permissions and topology provisioned',
  );
}
