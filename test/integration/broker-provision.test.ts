/**
 * A user per service on RabbitMQ (issue 11), shown against the real broker: a vhost provisioned as
 * `npm run broker:provision` does (createTestVhost: brokerDefinitions through the management API),
 * then each service's user, with amqplib, trying what it may and what it may not. What it may not
 * closes its channel: ACCESS_REFUSED (403) for a permission, PRECONDITION_FAILED (406) for a user-id
 * that is not the connection's user.
 */
import { randomBytes } from 'node:crypto';
import amqp, { ConfirmChannel } from 'amqplib';
import { SERVICES as REGISTERED } from '../../src/mesh/registry';
import { usesBroker } from '../../src/platform/service/descriptor';
import { meshTopology } from '../../src/mesh/topology';
import { brokerDefinitions, brokerManagementRequest, provisionBroker } from '../../src/platform/bus/broker-provision';
import { checkExchanges, declareQueues } from '../../src/platform/bus/broker-topology';
import { DEFAULT_RETRY_POLICY } from '../../src/platform/bus/event-bus';
import { DEAD_LETTER_EXCHANGE, EXCHANGE, RETRY_EXCHANGE, Topology } from '../../src/platform/bus/topology';
import { silentLogger } from '../../src/platform/log/logger';
import { waitFor } from '../support/wait';
import { brokerUserUrl, createTestVhost, Disposable, INTEGRATION_SERVERS, requireEnv, serviceBrokerEnv, vhostOf } from '../support/infrastructure';

/** The services with events, each a broker user (the gateway has none: it neither publishes nor consumes). */
const SERVICES = REGISTERED.filter(usesBroker);

jest.setTimeout(60_000);

/** How an attempt ended: done, or the channel closed by the broker with its reply code and text. */
interface Outcome {
  ok: boolean;
  code?: number;
  message?: string;
}

const refused = (pattern: RegExp): Outcome => ({ ok: false, code: 403, message: expect.stringMatching(pattern) as string });

/** The queues `name` consumes with their bindings: what its own user declares. */
const ownTopology = (name: string): Topology => Object.fromEntries(SERVICES.find((s) => s.name === name)!.consumes.map((c) => [c.queue, c.bindings]));

describe('broker users provisioned per service', () => {
  let vhost: Disposable<string>;
  let userPrefix: string;
  const url = (service: string) => brokerUserUrl(vhost.value, service);
  const user = (service: string) => `${userPrefix}${service}`;

  /** Runs `work` on a confirm channel of a connection of its own to `amqpUrl`. */
  const attempt = async (amqpUrl: string, work: (channel: ConfirmChannel) => Promise<unknown>): Promise<Outcome> => {
    const connection = await amqp.connect(amqpUrl);
    connection.on('error', () => undefined);
    let closed: (Error & { code?: number }) | undefined;
    try {
      const channel = await connection.createConfirmChannel();
      // Emitted before the pending operation is rejected.
      channel.on('error', (error: Error & { code?: number }) => {
        closed = error;
      });
      await work(channel);
      return { ok: true };
    } catch (error) {
      const reason = closed ?? (error as Error & { code?: number });
      return { ok: false, code: reason.code, message: reason.message };
    } finally {
      await connection.close().catch(() => undefined);
    }
  };
  const publish = (service: string, exchange: string, routingKey: string, userId = user(service)) =>
    attempt(url(service), async (channel) => {
      channel.publish(exchange, routingKey, Buffer.from('{}'), { persistent: true, userId, messageId: randomBytes(8).toString('hex') });
      await channel.waitForConfirms();
    });
  /** The next message in `queue`, as the administrator (guest keeps every permission on the vhost). */
  const take = async (queue: string) => {
    const connection = await amqp.connect(vhost.value);
    try {
      const channel = await connection.createChannel();
      const message = await channel.get(queue, { noAck: true });
      return message ? { routingKey: message.fields.routingKey, userId: message.properties.userId as unknown } : undefined;
    } finally {
      await connection.close();
    }
  };

  /** How many messages wait in `queue`. */
  const depth = async (queue: string) => {
    const connection = await amqp.connect(vhost.value);
    try {
      return (await (await connection.createChannel()).checkQueue(queue)).messageCount;
    } finally {
      await connection.close();
    }
  };

  beforeAll(async () => {
    vhost = await createTestVhost();
    userPrefix = serviceBrokerEnv(vhost.value).AMQP_USER_PREFIX;
  });

  afterAll(async () => {
    await vhost.dispose();
  });

  it('gives every service a user of its own, <vhost>-<service>, and a URL with its credentials', () => {
    const env = serviceBrokerEnv(vhost.value);
    expect(userPrefix).toBe(`${vhostOf(vhost.value)}-`);
    expect(Object.keys(env).sort()).toEqual(['AMQP_USER_PREFIX', ...SERVICES.map((s) => `${s.name.toUpperCase()}_AMQP_URL`)].sort());
    for (const { name } of SERVICES) {
      const own = new URL(env[`${name.toUpperCase()}_AMQP_URL`]);
      expect(decodeURIComponent(own.username)).toBe(user(name));
      expect(vhostOf(own.toString())).toBe(vhostOf(vhost.value));
    }
    // Through another address (a proxy), the same users and vhost.
    const proxied = serviceBrokerEnv(`amqp://guest:guest@127.0.0.1:1/${encodeURIComponent(vhostOf(vhost.value))}`);
    expect(new URL(proxied.EMOTION_AMQP_URL).host).toBe('127.0.0.1:1');
    expect(serviceBrokerEnv('amqp://guest:guest@127.0.0.1:5672/elsewhere')).toEqual({});
  });

  it('lets each service log in, check the exchanges (passively) and declare its own queues as provisioned', async () => {
    for (const { name } of SERVICES) {
      expect({ name, ...(await attempt(url(name), (channel) => checkExchanges(channel))) }).toEqual({ name, ok: true });
      expect({ name, ...(await attempt(url(name), (channel) => declareQueues(channel, ownTopology(name), DEFAULT_RETRY_POLICY))) }).toEqual({ name, ok: true });
    }
    // A wrong password does not log in.
    const wrong = new URL(url('emotion'));
    wrong.password = 'not-its-password';
    await expect(amqp.connect(wrong.toString())).rejects.toThrow(/ACCESS_REFUSED|403/);
  });

  it('lets a service declare retry queues of delays the administrator did not provision, which bring a message back to its queue', async () => {
    expect(await attempt(url('emotion'), (channel) => declareQueues(channel, ownTopology('emotion'), { delaysMs: [50] }))).toEqual({ ok: true });
    expect(await publish('emotion', RETRY_EXCHANGE, 'emotion.analysis.retry.50ms')).toEqual({ ok: true });
    // Dead-lettered by the broker after 50 ms, through the retry exchange, back to emotion.analysis.
    await waitFor('the retried message back in its queue', async () => (await depth('emotion.analysis')) === 1, 10_000);
    expect(await take('emotion.analysis')).toEqual({ routingKey: 'emotion.analysis', userId: user('emotion') });
    // Not a way into another's queue: its name is not a key emotion may use there.
    expect(await publish('emotion', RETRY_EXCHANGE, 'scoring.process')).toEqual(refused(/access to topic 'scoring\.process'/));
  });

  it('lets a service publish on interview.events only the routing keys it owns, with its own user-id', async () => {
    expect(await publish('notifier', EXCHANGE, 'interview.scored')).toEqual(
      refused(/ACCESS_REFUSED - access to topic 'interview\.scored' in exchange 'interview\.events' in vhost '.*' refused for user '.*-notifier'/),
    );
    expect(await publish('emotion', EXCHANGE, 'interview.frame.captured')).toEqual(refused(/access to topic 'interview\.frame\.captured'/));
    expect(await publish('scoring', EXCHANGE, 'interview.scored')).toEqual({ ok: true });
    // Routed to the queues of the consumers, which were provisioned before any of them started.
    expect(await take('notification.email')).toEqual({ routingKey: 'interview.scored', userId: user('scoring') });
    expect(await take('interview.scored')).toEqual({ routingKey: 'interview.scored', userId: user('scoring') });
  });

  it("refuses a publish whose user-id is another user's (PRECONDITION_FAILED)", async () => {
    expect(await publish('scoring', EXCHANGE, 'interview.scored', user('interview'))).toEqual({
      ok: false,
      code: 406,
      message: expect.stringMatching(/PRECONDITION_FAILED - user_id property set to '.*-interview' but authenticated user was '.*-scoring'/) as string,
    });
  });

  it('refuses every service the default exchange, which would route into any queue by its name', async () => {
    for (const { name } of SERVICES) {
      expect({ name, ...(await publish(name, '', 'scoring.process')) }).toEqual({
        name,
        ...refused(new RegExp(`ACCESS_REFUSED - access to exchange 'amq\\.default' in vhost '.*' refused for user '.*-${name}'`)),
      });
    }
    expect(await take('scoring.process')).toBeUndefined();
  });

  it('lets a service consume its own queues only', async () => {
    const consume = (service: string, queue: string) => attempt(url(service), (channel) => channel.consume(queue, () => undefined));
    expect(await consume('emotion', 'scoring.process')).toEqual(
      refused(/ACCESS_REFUSED - access to queue 'scoring\.process' in vhost '.*' refused for user '.*-emotion'/),
    );
    expect(await consume('notifier', 'interview.scored')).toEqual(refused(/access to queue 'interview\.scored'/));
    expect(await consume('emotion', 'emotion.analysis')).toEqual({ ok: true });
    expect(await consume('scoring', 'scoring.process')).toEqual({ ok: true });
  });

  it('lets a service bind its queues only to the routing keys it consumes', async () => {
    const bind = (service: string, queue: string, exchange: string, key: string) => attempt(url(service), (channel) => channel.bindQueue(queue, exchange, key));
    expect(await bind('scoring', 'scoring.process', EXCHANGE, 'interview.frame.captured')).toEqual(
      refused(/ACCESS_REFUSED - access to topic 'interview\.frame\.captured' in exchange 'interview\.events' in vhost '.*' refused for user '.*-scoring'/),
    );
    expect(await bind('scoring', 'scoring.process', EXCHANGE, '#')).toEqual(refused(/access to topic '#'/));
    // Another service's queue: no write on it.
    expect(await bind('emotion', 'scoring.process', EXCHANGE, 'interview.frame.captured')).toEqual(refused(/access to queue 'scoring\.process'/));
    expect(await bind('scoring', 'scoring.process', EXCHANGE, 'interview.completed')).toEqual({ ok: true });
  });

  it('lets a service retry and park messages under its own queues only', async () => {
    expect(await publish('emotion', RETRY_EXCHANGE, 'emotion.analysis.retry.30000ms')).toEqual({ ok: true });
    expect(await take('emotion.analysis.retry.30000ms')).toEqual({ routingKey: 'emotion.analysis.retry.30000ms', userId: user('emotion') });
    expect(await publish('emotion', RETRY_EXCHANGE, 'scoring.process.retry.1000ms')).toEqual(refused(/access to topic 'scoring\.process\.retry\.1000ms'/));
    expect(await publish('emotion', DEAD_LETTER_EXCHANGE, 'emotion.analysis')).toEqual({ ok: true });
    expect(await take('emotion.analysis.dead')).toEqual({ routingKey: 'emotion.analysis', userId: user('emotion') });
    expect(await publish('emotion', DEAD_LETTER_EXCHANGE, 'scoring.process')).toEqual(
      refused(/access to topic 'scoring\.process' in exchange 'interview\.events\.dlx'/),
    );
    // The auth service consumes nothing: it may park and retry nothing.
    expect(await publish('auth', DEAD_LETTER_EXCHANGE, 'emotion.analysis')).toEqual(refused(/access to topic 'emotion\.analysis'/));
  });

  it('provisions again idempotently, a new password rotating the old one, and deletes the vhost and its users on dispose', async () => {
    const managementUrl = requireEnv(INTEGRATION_SERVERS.managementUrlEnv);
    const name = `mesh-test-${randomBytes(6).toString('hex')}`;
    const definitions = (password: string) =>
      brokerDefinitions({
        vhost: name,
        userPrefix: `${name}-`,
        users: [{ service: 'notifier', password }],
        services: SERVICES,
        topology: meshTopology(SERVICES),
        retry: DEFAULT_RETRY_POLICY,
        administrator: 'guest',
      });
    const notifierUrl = (password: string) => `amqp://${name}-notifier:${password}@127.0.0.1:5672/${name}`;
    try {
      await provisionBroker({ managementUrl, definitions: definitions('first'), log: silentLogger() });
      expect(await attempt(notifierUrl('first'), (channel) => channel.checkQueue('notification.email'))).toEqual({ ok: true });
      await provisionBroker({ managementUrl, definitions: definitions('second'), log: silentLogger() });
      await expect(amqp.connect(notifierUrl('first'))).rejects.toThrow(/ACCESS_REFUSED|403/);
      expect(await attempt(notifierUrl('second'), (channel) => channel.consume('notification.email', () => undefined))).toEqual({ ok: true });
      // What RabbitMQ answers, when it refuses.
      const wrongAdmin = new URL(managementUrl);
      wrongAdmin.password = 'wrong';
      await expect(provisionBroker({ managementUrl: wrongAdmin.toString(), definitions: definitions('x'), log: silentLogger() })).rejects.toThrow(
        /answered POST \/api\/definitions with 401 Unauthorized: the URL's user must be an administrator/,
      );
    } finally {
      await brokerManagementRequest(managementUrl, 'DELETE', `/api/vhosts/${name}`);
      await brokerManagementRequest(managementUrl, 'DELETE', `/api/users/${name}-notifier`);
    }

    const another = await createTestVhost();
    const anotherUser = `${vhostOf(another.value)}-emotion`;
    const exists = async (path: string) => {
      try {
        await brokerManagementRequest(managementUrl, 'GET', path);
        return true;
      } catch (error) {
        if ((error as Error).message.includes(' 404 ')) return false;
        throw error;
      }
    };
    expect(await exists(`/api/users/${anotherUser}`)).toBe(true);
    await another.dispose();
    expect(await exists(`/api/vhosts/${encodeURIComponent(vhostOf(another.value))}`)).toBe(false);
    expect(await exists(`/api/users/${anotherUser}`)).toBe(false);
    expect(serviceBrokerEnv(another.value)).toEqual({});
  });
});
