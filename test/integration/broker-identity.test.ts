/**
 * Each service on RabbitMQ is its own broker user (npm run broker:provision, here createTestVhost):
 * its events carry its validated user-id, and a consumer parks, unhandled, any event whose
 * publisher is not its routing key's owner, even one the broker's permissions let through (the
 * administrator's), whatever retry headers it carries to pass for the consumer's own retry. A
 * genuine event that fails goes through the retry exchange as the consumer's user and comes back
 * with its publisher, routing key and content type intact.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { SERVICES } from '../../src/mesh/registry';
import { serviceTopology } from '../../src/mesh/topology';
import { interviewService } from '../../src/services/interview';
import { AmqpBus } from '../../src/platform/bus/amqp-bus';
import { brokerUser, EventOwners } from '../../src/platform/bus/broker-identity';
import { DEAD_LETTER_HEADERS, Delivery, EventProperties } from '../../src/platform/bus/event-bus';
import { CONTENT_TYPES, decodeEvent, encodeEvent, EVENTS } from '../../src/platform/bus/event-catalog';
import { EXCHANGE, deadLetterQueue } from '../../src/platform/bus/topology';
import { silentLogger } from '../../src/platform/log/logger';
import { createTestVhost, Disposable, serviceBrokerEnv } from '../support/infrastructure';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const QUEUE = 'interview.scored';

function properties(messageId = randomUUID()): EventProperties {
  return { messageId, correlationId: 'session-1', type: EVENTS.scored.typeName, schemaVersion: 'v1', timestamp: Date.now() };
}

describe('broker identities: validated user-id and event owners', () => {
  let vhost: Disposable<string>;
  let env: Record<string, string>;
  let owners: EventOwners;
  const buses: AmqpBus[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost();
    env = serviceBrokerEnv(vhost.value);
    owners = EventOwners.of(SERVICES, env.AMQP_USER_PREFIX);
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await vhost.dispose();
  });

  async function connectAs(service: string, topology = {}): Promise<AmqpBus> {
    const bus = await AmqpBus.connect({
      url: env[`${service.toUpperCase()}_AMQP_URL`],
      log: silentLogger(),
      topology,
      owners,
      retry: { delaysMs: [100] },
    });
    buses.push(bus);
    return bus;
  }

  /** Publishes as the vhost's administrator (guest), whom the broker lets publish anything, with `options`. */
  async function publishAsAdministrator(options: amqp.Options.Publish): Promise<void> {
    const connection = await amqp.connect(vhost.value);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(EXCHANGE, EVENTS.scored.routingKey, Buffer.from('{"session_id":"forged"}'), { persistent: true, ...options });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  }

  async function deadLetters(): Promise<amqp.GetMessage[]> {
    const connection = await amqp.connect(vhost.value);
    try {
      const channel = await connection.createChannel();
      const messages: amqp.GetMessage[] = [];
      for (let message = await channel.get(deadLetterQueue(QUEUE)); message; message = await channel.get(deadLetterQueue(QUEUE))) messages.push(message);
      return messages;
    } finally {
      await connection.close();
    }
  }

  it("handles the owner's event (once retried, as the consumer's own user), parks the administrator's forgeries unhandled", async () => {
    const interview = await connectAs('interview', serviceTopology(interviewService));
    const scoring = await connectAs('scoring');
    const seen: Delivery[] = [];
    let failedOnce = false;
    await interview.consume(
      QUEUE,
      (delivery) => {
        seen.push(delivery);
        if (failedOnce) return Promise.resolve();
        failedOnce = true;
        return Promise.reject(new Error('the database is busy'));
      },
      { prefetch: 4 },
    );

    const genuine = randomUUID();
    await scoring.publish(EVENTS.scored.routingKey, Buffer.from('{"session_id":"genuine"}'), properties(genuine));
    // No user-id at all; then the headers of a consumer's own retry, naming scoring as the publisher.
    await publishAsAdministrator({ messageId: 'forged-1', type: EVENTS.scored.typeName });
    await publishAsAdministrator({
      messageId: 'forged-2',
      type: EVENTS.scored.typeName,
      headers: { 'x-original-user-id': brokerUser('scoring', env.AMQP_USER_PREFIX), 'x-attempt': 2 },
    });

    await waitFor('the genuine event to be retried and handled', () => seen.length === 2, 30_000);
    const scoringUser = brokerUser('scoring', env.AMQP_USER_PREFIX);
    expect(seen.map((d) => [d.properties.messageId, d.attempt, d.publisher, d.routingKey])).toEqual([
      [genuine, 1, scoringUser, EVENTS.scored.routingKey],
      [genuine, 2, scoringUser, EVENTS.scored.routingKey],
    ]);

    let parked: amqp.GetMessage[] = [];
    await waitFor('both forgeries to be parked', async () => (parked = parked.concat(await deadLetters())).length >= 2, 30_000);
    expect(parked.map((m) => String(m.properties.messageId)).sort()).toEqual(['forged-1', 'forged-2']);
    for (const message of parked) {
      const headers = message.properties.headers ?? {};
      expect(String(headers[DEAD_LETTER_HEADERS.reason])).toContain(`interview.scored must come from ${scoringUser}`);
      // Parked at once, by the interview service's user, through the dead-letter exchange.
      expect(headers[DEAD_LETTER_HEADERS.attempts]).toBe(1);
      expect(message.properties.userId).toBe(brokerUser('interview', env.AMQP_USER_PREFIX));
    }
    // Neither forgery reached the handler.
    expect(seen.every((d) => d.properties.messageId === genuine)).toBe(true);
  });

  it("carries an event's content type to its consumer, on a retried copy too: a binary frame.captured from its owner decodes as published", async () => {
    const emotion = await connectAs('emotion', { 'emotion.analysis': [EVENTS.frameCaptured.routingKey] });
    const interview = await connectAs('interview');
    const seen: Delivery[] = [];
    await emotion.consume(
      'emotion.analysis',
      (delivery) => {
        seen.push(delivery);
        return seen.length === 1 ? Promise.reject(new Error('the database is busy')) : Promise.resolve();
      },
      { prefetch: 1 },
    );
    const frame = {
      sessionId: 's',
      timestamp: new Date(1_000),
      imageData: Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2]),
      format: 'jpeg',
      frameNumber: 1,
      analysis: undefined,
    };
    const event = encodeEvent(EVENTS.frameCaptured, frame, 's');
    await interview.publish(event.routingKey, event.body, event.properties);

    await waitFor('the frame to be retried and handled', () => seen.length === 2, 30_000);
    const interviewUser = brokerUser('interview', env.AMQP_USER_PREFIX);
    expect(seen.map((d) => [d.attempt, d.publisher, d.properties.contentType])).toEqual([
      [1, interviewUser, CONTENT_TYPES.protobuf],
      [2, interviewUser, CONTENT_TYPES.protobuf],
    ]);
    for (const delivery of seen) expect(decodeEvent(EVENTS.frameCaptured, delivery)).toEqual(frame);
  });

  it("refuses a routing key the user does not own, and publishes again once the broker's refusal closed the channel", async () => {
    const notifier = await connectAs('notifier');
    await expect(notifier.publish(EVENTS.scored.routingKey, Buffer.from('{}'), properties())).rejects.toThrow();
    // The publisher channel comes back: the bus is ready again within a few seconds.
    await waitFor('the publisher channel to reopen', () => notifier.isReady(), 10_000);
    const interview = await connectAs('interview');
    await expect(interview.publish(EVENTS.completed.routingKey, Buffer.from('{}'), properties())).resolves.toBeUndefined();
  });
});
