import { createHash } from 'node:crypto';
import { SERVICES } from '../../../src/mesh/registry';
import { meshTopology } from '../../../src/mesh/topology';
import { brokerDefinitions, brokerPermissions, BrokerPermissions, escapeRegExp, rabbitmqPasswordHash } from '../../../src/platform/bus/broker-provision';
import { queueSpecs } from '../../../src/platform/bus/broker-topology';
import { DEFAULT_RETRY_POLICY } from '../../../src/platform/bus/event-bus';
import { DEAD_LETTER_EXCHANGE, EXCHANGE, RETRY_EXCHANGE } from '../../../src/platform/bus/topology';

const PREFIX = 'mesh-';
const descriptor = (name: string) => SERVICES.find((s) => s.name === name)!;
const PERMISSIONS: Record<string, BrokerPermissions> = Object.fromEntries(SERVICES.map((s) => [s.name, brokerPermissions(s, PREFIX)]));

/** Whether RabbitMQ would let the user of `service` do `what` on `resource` (its regexes are PCRE; these are JS-compatible). */
const may = (service: string, what: 'configure' | 'write' | 'read', resource: string) => new RegExp(PERMISSIONS[service][what]).test(resource);
/** Whether it may publish (`write`) or bind (`read`) `routingKey` on `exchange`: every key when it has no topic permission there. */
const mayTopic = (service: string, what: 'write' | 'read', exchange: string, routingKey: string) => {
  const topic = PERMISSIONS[service].topics.find((t) => t.exchange === exchange);
  return topic ? new RegExp(topic[what]).test(routingKey) : true;
};
const EXCHANGE_NAMES = [EXCHANGE, DEAD_LETTER_EXCHANGE, RETRY_EXCHANGE];

describe('rabbitmqPasswordHash', () => {
  it("is RabbitMQ's rabbit_password_hashing_sha256: base64(salt + SHA-256(salt + UTF-8 password)), a 4-byte random salt", () => {
    const hash = rabbitmqPasswordHash('correct horse ☃');
    const bytes = Buffer.from(hash, 'base64');
    expect(bytes).toHaveLength(4 + 32);
    const salt = bytes.subarray(0, 4);
    const recomputed = createHash('sha256')
      .update(Buffer.concat([salt, Buffer.from('correct horse ☃', 'utf8')]))
      .digest();
    expect(bytes.subarray(4)).toEqual(recomputed);
    expect(rabbitmqPasswordHash('correct horse ☃', salt)).toBe(hash);
    // A fresh salt each time.
    expect(rabbitmqPasswordHash('correct horse ☃')).not.toBe(hash);
    expect(() => rabbitmqPasswordHash('x', Buffer.alloc(8))).toThrow(/4 bytes/);
  });

  it("gives the RabbitMQ documentation's worked example (salt 908DC60A, password test12)", () => {
    expect(rabbitmqPasswordHash('test12', Buffer.from('908DC60A', 'hex'))).toBe('kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR');
  });
});

describe('brokerPermissions', () => {
  it('names each service its own user and sets a topic permission on every exchange of the mesh', () => {
    for (const { name } of SERVICES) {
      expect(PERMISSIONS[name].user).toBe(`mesh-${name}`);
      expect(PERMISSIONS[name].topics.map((t) => t.exchange).sort()).toEqual([...EXCHANGE_NAMES].sort());
    }
    expect(brokerPermissions(descriptor('emotion'), 'staging-').user).toBe('staging-emotion');
  });

  it('lets a service configure, bind and read its own queues, their dead letters and retry queues, and no other', () => {
    expect(PERMISSIONS.emotion.configure).toBe(String.raw`^(?:emotion\.analysis)(?:\.dead|\.retry\.[0-9]+ms)?$`);
    for (const queue of ['emotion.analysis', 'emotion.analysis.dead', 'emotion.analysis.retry.1000ms', 'emotion.analysis.retry.250ms']) {
      for (const what of ['configure', 'write', 'read'] as const) expect(may('emotion', what, queue)).toBe(true);
    }
    for (const queue of [
      'scoring.process',
      'scoring.emotions.dead',
      'notification.email',
      'video.processing',
      'emotion.analysis2',
      'xemotion.analysis',
      'emotion.analysis.retry.ms',
    ]) {
      for (const what of ['configure', 'write', 'read'] as const)
        expect({ queue, what, allowed: may('emotion', what, queue) }).toEqual({ queue, what, allowed: false });
    }
    // The dot is literal.
    expect(may('emotion', 'read', 'emotionXanalysis')).toBe(false);
    expect(may('scoring', 'read', 'scoring.process')).toBe(true);
    expect(may('scoring', 'read', 'scoring.emotions.retry.5000ms')).toBe(true);
    expect(may('emotion', 'read', 'scoring.process')).toBe(false);
    expect(may('interview', 'configure', 'interview.user-deleted.dead')).toBe(true);
  });

  it('lets every service write to and read from the three exchanges, and never the default exchange or another', () => {
    for (const { name } of SERVICES) {
      for (const exchange of EXCHANGE_NAMES) {
        expect(may(name, 'write', exchange)).toBe(true);
        expect(may(name, 'read', exchange)).toBe(true);
        expect(may(name, 'configure', exchange)).toBe(false);
      }
      for (const other of ['amq.default', '', 'amq.topic', 'amq.direct', 'interview.events2', 'interview_events']) {
        expect({ name, other, write: may(name, 'write', other), read: may(name, 'read', other) }).toEqual({ name, other, write: false, read: false });
      }
    }
  });

  it("publishes on interview.events only the routing keys a service owns, and binds only its queues' keys", () => {
    expect(mayTopic('scoring', 'write', EXCHANGE, 'interview.scored')).toBe(true);
    expect(mayTopic('scoring', 'write', EXCHANGE, 'interview.scoring.failed')).toBe(true);
    expect(mayTopic('notifier', 'write', EXCHANGE, 'interview.scored')).toBe(false);
    expect(PERMISSIONS.notifier.topics.find((t) => t.exchange === EXCHANGE)!.write).toBe('^$');
    expect(mayTopic('emotion', 'write', EXCHANGE, 'interview.emotion.analyzed')).toBe(true);
    expect(mayTopic('emotion', 'write', EXCHANGE, 'interview.frame.captured')).toBe(false);
    expect(mayTopic('interview', 'write', EXCHANGE, 'interview.frame.captured')).toBe(true);
    expect(mayTopic('auth', 'write', EXCHANGE, 'auth.user.deleted')).toBe(true);
    expect(mayTopic('auth', 'write', EXCHANGE, 'interview.scored')).toBe(false);
    // Every owner publishes its keys, nobody else does.
    for (const service of SERVICES) {
      for (const key of service.publishes) {
        for (const other of SERVICES)
          expect({ key, by: other.name, allowed: mayTopic(other.name, 'write', EXCHANGE, key) }).toEqual({ key, by: other.name, allowed: other === service });
      }
    }
    // Binding keys: its own, literally (no wider pattern).
    expect(mayTopic('scoring', 'read', EXCHANGE, 'interview.emotion.analyzed')).toBe(true);
    expect(mayTopic('scoring', 'read', EXCHANGE, 'interview.frame.captured')).toBe(false);
    expect(mayTopic('scoring', 'read', EXCHANGE, 'interview.#')).toBe(false);
    expect(mayTopic('scoring', 'read', EXCHANGE, '#')).toBe(false);
    expect(mayTopic('notifier', 'read', EXCHANGE, 'interview.scored')).toBe(true);
    expect(PERMISSIONS.auth.topics.find((t) => t.exchange === EXCHANGE)!.read).toBe('^$');
  });

  it('parks and retries on the dead-letter and retry exchanges only under its own queues’ names', () => {
    expect(mayTopic('emotion', 'write', DEAD_LETTER_EXCHANGE, 'emotion.analysis')).toBe(true);
    expect(mayTopic('emotion', 'read', DEAD_LETTER_EXCHANGE, 'emotion.analysis')).toBe(true);
    expect(mayTopic('emotion', 'write', DEAD_LETTER_EXCHANGE, 'scoring.process')).toBe(false);
    expect(mayTopic('emotion', 'write', DEAD_LETTER_EXCHANGE, 'emotion.analysis.retry.1000ms')).toBe(false);
    expect(mayTopic('emotion', 'write', RETRY_EXCHANGE, 'emotion.analysis.retry.1000ms')).toBe(true);
    expect(mayTopic('emotion', 'read', RETRY_EXCHANGE, 'emotion.analysis.retry.250ms')).toBe(true);
    // Its queue's own name: the key by which the broker brings a retried message back.
    expect(mayTopic('emotion', 'write', RETRY_EXCHANGE, 'emotion.analysis')).toBe(true);
    expect(mayTopic('emotion', 'write', RETRY_EXCHANGE, 'scoring.process')).toBe(false);
    expect(mayTopic('emotion', 'write', RETRY_EXCHANGE, 'scoring.process.retry.1000ms')).toBe(false);
    // A service without queues may send nothing there.
    expect(PERMISSIONS.auth.configure).toBe('^$');
    for (const exchange of [DEAD_LETTER_EXCHANGE, RETRY_EXCHANGE]) {
      expect(PERMISSIONS.auth.topics.find((t) => t.exchange === exchange)).toMatchObject({ write: '^$', read: '^$' });
    }
  });

  it('escapes regular-expression characters of names', () => {
    expect(escapeRegExp('a.b*c#d(e)|f')).toBe(String.raw`a\.b\*c#d\(e\)\|f`);
    const odd = brokerPermissions({ name: 'odd', consumes: [{ queue: 'odd.q+1', bindings: ['odd.*.x'] }], publishes: ['odd.(x)'] }, PREFIX);
    expect(new RegExp(odd.configure).test('odd.q+1')).toBe(true);
    expect(new RegExp(odd.configure).test('odd.qq1')).toBe(false);
    const events = odd.topics.find((t) => t.exchange === EXCHANGE)!;
    expect(new RegExp(events.read).test('odd.*.x')).toBe(true);
    expect(new RegExp(events.read).test('odd.y.x')).toBe(false);
    expect(new RegExp(events.write).test('odd.(x)')).toBe(true);
  });
});

describe('brokerDefinitions', () => {
  const topology = meshTopology(SERVICES);
  const definitions = brokerDefinitions({
    vhost: 'mesh',
    userPrefix: PREFIX,
    users: SERVICES.map((s) => ({ service: s.name, password: `secret-${s.name}` })),
    services: SERVICES,
    topology,
    retry: DEFAULT_RETRY_POLICY,
    administrator: 'admin',
  });

  it('makes a user per service with its password hashed, no tags, and no password in the document', () => {
    expect(definitions.users.map((u) => u.name)).toEqual(SERVICES.map((s) => `mesh-${s.name}`));
    for (const user of definitions.users) {
      expect(user).toMatchObject({ hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' });
      const salt = Buffer.from(user.password_hash, 'base64').subarray(0, 4);
      expect(rabbitmqPasswordHash(`secret-${user.name.slice(PREFIX.length)}`, salt)).toBe(user.password_hash);
    }
    expect(JSON.stringify(definitions)).not.toContain('secret-');
  });

  it('grants each user its permissions and three topic permissions on the vhost, and the administrator everything', () => {
    expect(definitions.vhosts).toEqual([{ name: 'mesh' }]);
    expect(definitions.permissions).toContainEqual({ user: 'admin', vhost: 'mesh', configure: '.*', write: '.*', read: '.*' });
    for (const service of SERVICES) {
      const { user, configure, write, read, topics } = brokerPermissions(service, PREFIX);
      expect(definitions.permissions).toContainEqual({ user, vhost: 'mesh', configure, write, read });
      expect(definitions.topic_permissions.filter((t) => t.user === user)).toEqual(topics.map((t) => ({ user, vhost: 'mesh', ...t })));
    }
    expect(definitions.topic_permissions.some((t) => t.user === 'admin')).toBe(false);
  });

  it("declares the exchanges and the whole mesh's queues and bindings, as the services declare them", () => {
    expect(definitions.exchanges.map((e) => [e.name, e.type, e.durable])).toEqual(EXCHANGE_NAMES.map((name) => [name, 'topic', true]));
    const specs = queueSpecs(topology, DEFAULT_RETRY_POLICY);
    expect(definitions.queues).toEqual(specs.map((s) => ({ name: s.name, vhost: 'mesh', durable: true, auto_delete: false, arguments: s.arguments })));
    const names = definitions.queues.map((q) => q.name);
    // Queues awaiting a consumer too, and every retry delay.
    expect(names).toEqual(
      expect.arrayContaining(['video.processing', 'video.processing.dead', 'emotion.analysis.retry.30000ms', 'notification.email.retry.1000ms']),
    );
    expect(definitions.bindings).toContainEqual({
      source: EXCHANGE,
      vhost: 'mesh',
      destination: 'emotion.analysis',
      destination_type: 'queue',
      routing_key: 'interview.frame.captured',
      arguments: {},
    });
    expect(definitions.bindings).toContainEqual(
      expect.objectContaining({ source: RETRY_EXCHANGE, destination: 'scoring.process.retry.5000ms', routing_key: 'scoring.process.retry.5000ms' }),
    );
    expect(definitions.bindings).toContainEqual(
      expect.objectContaining({ source: DEAD_LETTER_EXCHANGE, destination: 'scoring.process.dead', routing_key: 'scoring.process' }),
    );
    // Nothing is bound to the default exchange (it routes by queue name by itself).
    expect(definitions.bindings.every((b) => EXCHANGE_NAMES.includes(b.source))).toBe(true);
    expect(definitions.bindings).toHaveLength(specs.reduce((n, s) => n + s.bindings.length, 0));
  });

  it('refuses a user for a service it does not know, and two owners of one routing key', () => {
    expect(() =>
      brokerDefinitions({
        vhost: 'v',
        userPrefix: PREFIX,
        users: [{ service: 'tally', password: 'p' }],
        services: SERVICES,
        topology,
        retry: DEFAULT_RETRY_POLICY,
      }),
    ).toThrow(/no service named tally/);
    const rogue = { name: 'rogue', consumes: [], publishes: ['interview.scored'] };
    expect(() =>
      brokerDefinitions({ vhost: 'v', userPrefix: PREFIX, users: [], services: [...SERVICES, rogue], topology, retry: DEFAULT_RETRY_POLICY }),
    ).toThrow(/interview\.scored is published by both scoring and rogue/);
  });
});
