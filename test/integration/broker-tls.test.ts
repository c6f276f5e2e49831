/**
 * TLS to RabbitMQ (issue 11, item 3): on an amqps:// URL the bus verifies the broker's certificate
 * chain, against AMQP_CA_FILE's CA (or the system's), and its host name. The tests' node has a TLS
 * listener on 127.0.0.1:5671 with a certificate of the tests' CA naming `localhost` only
 * (test/support/rabbitmq-tls.ts, set up by the global set-up), and still takes plaintext on 5672,
 * which the other tests use. Every service logs in as its own broker user, over TLS as over plaintext.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openInfrastructure, Infrastructure } from '../../src/mesh/infrastructure';
import { SERVICES } from '../../src/mesh/registry';
import { serviceTopology } from '../../src/mesh/topology';
import { interviewService } from '../../src/services/interview';
import { scoringService } from '../../src/services/scoring';
import { AmqpBus } from '../../src/platform/bus/amqp-bus';
import { brokerUser, EventOwners } from '../../src/platform/bus/broker-identity';
import { Delivery, EventProperties } from '../../src/platform/bus/event-bus';
import { EVENTS } from '../../src/platform/bus/event-catalog';
import { loadConfig, serviceVariable } from '../../src/platform/config/mesh-config';
import { silentLogger } from '../../src/platform/log/logger';
import { createCertificateAuthority } from '../../src/platform/tls/certificate-authority';
import { tlsFiles } from '../../src/platform/tls/certificate-files';
import { createTestVhost, Disposable, INTEGRATION_SERVERS, rabbitmqctl, serviceBrokerEnv, vhostOf } from '../support/infrastructure';
import { RABBITMQ_TLS_HOST } from '../support/rabbitmq-tls';
import { TEST_TLS_DIR } from '../support/tls';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** The interview service's queue of the scoring service's interview.scored events. */
const QUEUE = 'interview.scored';

/**
 * The port of the node's TLS listener, which the global set-up gives the local node and says so
 * (TEST_AMQPS_PORT); a broker of one's own (TEST_AMQP_URL) needs the same, or this fails rather
 * than pass untried.
 */
function requireBrokerTls(): string {
  const port = process.env.TEST_AMQPS_PORT;
  if (!port) {
    throw new Error(
      "TEST_AMQPS_PORT is unset: the RabbitMQ node was not given a TLS listener with a certificate of the tests' CA (test/support/rabbitmq-tls.ts, scripts/infra/ensure-rabbitmq.sh --tls)",
    );
  }
  return port;
}

const TEST_CA = tlsFiles(TEST_TLS_DIR).caCertificate;

/** `url` (a service's amqp:// URL on the test vhost) as amqps:// to the TLS listener at `host`. */
function overTls(url: string, host = RABBITMQ_TLS_HOST): string {
  const parsed = new URL(url);
  parsed.protocol = 'amqps:';
  parsed.hostname = host;
  parsed.port = requireBrokerTls();
  return parsed.toString();
}

function properties(): EventProperties {
  return { messageId: randomUUID(), correlationId: 'session-1', type: EVENTS.scored.typeName, schemaVersion: 'v1', timestamp: Date.now() };
}

interface BrokerConnection {
  user: string;
  vhost: string;
  ssl: boolean;
  ssl_protocol: string;
}

/** The node's client connections of `vhost`, as rabbitmqctl sees them (at once; the management API's lag its statistics). */
async function connectionsOf(vhost: string): Promise<BrokerConnection[]> {
  const json = await rabbitmqctl(INTEGRATION_SERVERS, ['list_connections', 'user', 'vhost', 'ssl', 'ssl_protocol', '--formatter', 'json']);
  return (JSON.parse(json) as BrokerConnection[]).filter((c) => c.vhost === vhost);
}

describe('TLS to RabbitMQ', () => {
  beforeAll(requireBrokerTls);
  let vhost: Disposable<string>;
  let vhostName: string;
  let env: Record<string, string>;
  let owners: EventOwners;
  let tmp: string;
  const buses: AmqpBus[] = [];
  const infrastructures: Infrastructure[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost();
    vhostName = vhostOf(vhost.value);
    env = serviceBrokerEnv(vhost.value);
    owners = EventOwners.of(SERVICES, env.AMQP_USER_PREFIX);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-tls-'));
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await Promise.all(infrastructures.map((infrastructure) => infrastructure.close()));
    await vhost.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** `service`'s bus on amqps:// at `host`, trusting `ca` (a PEM file; the system's CAs when undefined), giving up after the first failure. */
  async function connectAs(service: string, ca: string | undefined, host = RABBITMQ_TLS_HOST, topology = {}): Promise<AmqpBus> {
    const bus = await AmqpBus.connect({
      url: overTls(env[serviceVariable(service, 'AMQP_URL')], host),
      log: silentLogger(),
      topology,
      owners,
      retry: { delaysMs: [100] },
      initialRetries: 0,
      socket: ca === undefined ? undefined : { ca: [fs.readFileSync(ca)] },
    });
    buses.push(bus);
    return bus;
  }

  it("publishes and consumes over verified TLS (the tests' CA, at localhost), each service as its own user", async () => {
    const interview = await connectAs('interview', TEST_CA, RABBITMQ_TLS_HOST, serviceTopology(interviewService));
    const scoring = await connectAs('scoring', TEST_CA);
    const seen: Delivery[] = [];
    await interview.consume(
      QUEUE,
      (delivery) => {
        seen.push(delivery);
        return Promise.resolve();
      },
      { prefetch: 4 },
    );
    const sent = properties();
    await scoring.publish(EVENTS.scored.routingKey, Buffer.from('{"session_id":"over-tls"}'), sent);
    await waitFor('the event published over TLS to be consumed over TLS', () => seen.length === 1, 30_000);
    expect(seen[0]).toMatchObject({ publisher: brokerUser('scoring', env.AMQP_USER_PREFIX), routingKey: EVENTS.scored.routingKey });
    expect(seen[0].properties.messageId).toBe(sent.messageId);
    expect(seen[0].body.toString()).toBe('{"session_id":"over-tls"}');

    // The broker's own view: both users' connections are TLS, nothing of this vhost is plaintext.
    const connections = await connectionsOf(vhostName);
    expect(connections.map((c) => c.user).sort()).toEqual([brokerUser('interview', env.AMQP_USER_PREFIX), brokerUser('scoring', env.AMQP_USER_PREFIX)]);
    for (const connection of connections) expect(connection).toMatchObject({ ssl: true, ssl_protocol: expect.stringMatching(/^tlsv1\.[23]$/) as unknown });

    // Their consumer would take the next tests' events (the broker round-robins a queue's consumers).
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it("refuses the broker when the trusted CA is another authority's, and with the system's CAs, before logging in", async () => {
    const other = path.join(tmp, 'other-ca.crt');
    fs.writeFileSync(other, (await createCertificateAuthority('another CA')).certificate);
    // The node sends its chain up to the tests' CA, which neither trust store holds. (amqplib's recovery
    // wraps an error that is not `instanceof Error`, as Node's own are not in jest's realm: the code
    // is only in the message here.)
    await expect(connectAs('notifier', other)).rejects.toThrow('self-signed certificate in certificate chain');
    await expect(connectAs('notifier', undefined)).rejects.toThrow('self-signed certificate in certificate chain');
    expect((await connectionsOf(vhostName)).map((c) => c.user)).not.toContain(brokerUser('notifier', env.AMQP_USER_PREFIX));
  });

  it('refuses the broker at a host name its certificate does not carry (127.0.0.1: it names localhost)', async () => {
    await expect(connectAs('notifier', TEST_CA, '127.0.0.1')).rejects.toThrow(/ERR_TLS_CERT_ALTNAME_INVALID.*IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it('connects the services of the composition root on <SERVICE>_AMQP_URL=amqps://… with AMQP_CA_FILE', async () => {
    const tlsEnv = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, name.endsWith('_AMQP_URL') ? overTls(value) : value]));
    const full = { ...tlsEnv, AMQP_CA_FILE: TEST_CA, DATA_DIR: 'memory://' };
    const config = { ...loadConfig(full), dataDir: 'memory://' };
    const infrastructure = await openInfrastructure(config, SERVICES, [scoringService, interviewService], silentLogger(), full);
    infrastructures.push(infrastructure);

    const seen: Delivery[] = [];
    await infrastructure.busFor('interview').consume(
      QUEUE,
      (delivery) => {
        seen.push(delivery);
        return Promise.resolve();
      },
      { prefetch: 4 },
    );
    await infrastructure.busFor('scoring').publish(EVENTS.scored.routingKey, Buffer.from('{"session_id":"composed"}'), properties());
    await waitFor('the event of the composed mesh to be consumed', () => seen.length === 1, 30_000);
    expect(seen[0].publisher).toBe(brokerUser('scoring', env.AMQP_USER_PREFIX));

    const connections = await connectionsOf(vhostName);
    expect(connections.map((c) => [c.user, c.ssl]).sort()).toEqual([
      [brokerUser('interview', env.AMQP_USER_PREFIX), true],
      [brokerUser('scoring', env.AMQP_USER_PREFIX), true],
    ]);
  });
});
