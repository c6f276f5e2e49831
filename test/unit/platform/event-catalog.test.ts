import { FrameCaptured } from '../../../src/gen/events';
import { CONTENT_TYPES, decodeEvent, encodeEvent, EVENT_SCHEMA_VERSION, EventKind, EVENTS, MalformedEventError } from '../../../src/platform/bus/event-catalog';
import { DEAD_LETTER_HEADERS, Delivery, EventBus } from '../../../src/platform/bus/event-bus';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { QueueName } from '../../../src/platform/bus/topology';
import { meshTopology } from '../../../src/mesh/topology';
import { SERVICES } from '../../../src/mesh/registry';

const TOPOLOGY = meshTopology(SERVICES);
import { silentLogger } from '../../../src/platform/log/logger';
import { sleep } from '../../support/wait';

async function publishEvent<T>(bus: EventBus, kind: EventKind<T>, message: T, correlationId: string): Promise<string> {
  const event = encodeEvent(kind, message, correlationId);
  await bus.publish(event.routingKey, event.body, event.properties);
  return event.properties.messageId;
}

function received(bus: EventBus, queue: QueueName): Promise<Delivery> {
  return new Promise(
    (resolve) =>
      void bus.consume(
        queue,
        (d) => {
          resolve(d);
          return Promise.resolve();
        },
        { prefetch: 1 },
      ),
  );
}

describe('events on the bus', () => {
  it('travel as snake_case proto3 JSON with the envelope properties, routed by topic', async () => {
    const bus = new MemoryBus(silentLogger(), TOPOLOGY);
    await bus.declareTopology();
    const delivery = received(bus, 'notification.email');
    const alsoToInterview = received(bus, 'interview.scored');
    await publishEvent(
      bus,
      EVENTS.scored,
      {
        sessionId: 's-1',
        technicalScore: 70,
        communicationScore: 80,
        emotionScore: 60,
        overallScore: 71,
        calculatedAt: new Date('2026-01-02T03:04:05Z'),
        userId: 'u-1',
        feedback: 'ok',
      },
      's-1',
    );
    const d = await delivery;
    await alsoToInterview;
    const json = JSON.parse(d.body.toString()) as unknown;
    expect(json).toMatchObject({ session_id: 's-1', technical_score: 70, overall_score: 71, calculated_at: '2026-01-02T03:04:05.000Z', user_id: 'u-1' });
    expect(d.properties).toMatchObject({ correlationId: 's-1', type: 'interview.events.v1.ScoreCalculated', schemaVersion: EVENT_SCHEMA_VERSION });
    expect(d.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeEvent(EVENTS.scored, d).overallScore).toBe(71);
  });

  it('carry frames as binary protobuf, the image as raw bytes (no base64), and decode back to the same bytes', async () => {
    const bus = new MemoryBus(silentLogger(), TOPOLOGY);
    const delivery = received(bus, 'emotion.analysis');
    const image = Buffer.alloc(3_000, 0xab);
    await publishEvent(
      bus,
      EVENTS.frameCaptured,
      { sessionId: 's', timestamp: new Date(1000), imageData: image, format: 'png', frameNumber: 3, analysis: undefined },
      's',
    );
    const d = await delivery;
    expect(d.properties).toMatchObject({ contentType: CONTENT_TYPES.protobuf, type: EVENTS.frameCaptured.typeName, schemaVersion: EVENT_SCHEMA_VERSION });
    expect(d.body.includes(image)).toBe(true);
    expect(d.body.includes(Buffer.from(image.toString('base64')))).toBe(false);
    // The image plus its field's tag and length and the other fields: tens of bytes, not a third more.
    expect(d.body.length).toBeLessThan(image.length + 64);
    const frame = decodeEvent(EVENTS.frameCaptured, d);
    expect(Buffer.from(frame.imageData).equals(image)).toBe(true);
    expect(frame).toMatchObject({ sessionId: 's', timestamp: new Date(1000), format: 'png', frameNumber: 3, analysis: undefined });
  });

  it('say in the catalog how each kind travels: frames binary, every other kind JSON', () => {
    expect(Object.fromEntries(Object.entries(EVENTS).map(([name, kind]) => [name, kind.encoding]))).toEqual({
      frameCaptured: 'protobuf',
      emotionAnalyzed: 'json',
      completed: 'json',
      scored: 'json',
      scoringFailed: 'json',
      userDeleted: 'json',
      integrityFlagged: 'json',
    });
    const completed = encodeEvent(EVENTS.completed, completion('s'), 's');
    expect(completed.properties.contentType).toBe('application/json');
    expect(JSON.parse(completed.body.toString())).toMatchObject({ session_id: 's', total_questions: 1 });
  });

  describe('decoded by their content type', () => {
    const frame: FrameCaptured = {
      sessionId: 's',
      timestamp: new Date(1000),
      imageData: Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2]),
      format: 'jpeg',
      frameNumber: 9,
      analysis: undefined,
    };
    const deliveryOf = (body: Buffer, contentType: string | undefined, type: string = EVENTS.frameCaptured.typeName): Delivery => ({
      routingKey: EVENTS.frameCaptured.routingKey,
      body,
      redelivered: false,
      attempt: 1,
      publisher: 'mesh-interview',
      properties: { messageId: 'm-1', correlationId: 's', type, schemaVersion: 'v1', timestamp: 0, contentType },
    });
    /** The frame as a producer from before binary frames wrote it: proto3 JSON, the image in base64. */
    const asJson = Buffer.from(JSON.stringify(FrameCaptured.toJSON(frame)));

    it('accept a frame in JSON, as producers from before binary frames send it, with or without a content type', () => {
      expect(JSON.parse(asJson.toString())).toMatchObject({ image_data: frame.imageData.toString('base64') });
      expect(decodeEvent(EVENTS.frameCaptured, deliveryOf(asJson, undefined))).toEqual(frame);
      expect(decodeEvent(EVENTS.frameCaptured, deliveryOf(asJson, 'application/json'))).toEqual(frame);
      expect(decodeEvent(EVENTS.frameCaptured, deliveryOf(asJson, 'Application/JSON; charset=utf-8'))).toEqual(frame);
    });

    it('accept any kind in either encoding: a JSON kind sent as binary protobuf decodes the same', () => {
      const failed = { sessionId: 's', userId: 'u', reason: 'too long', failedAt: new Date(2000) };
      const binary = Buffer.from(EVENTS.scoringFailed.codec.encode(failed).finish());
      const delivery = { ...deliveryOf(binary, 'application/x-protobuf', EVENTS.scoringFailed.typeName), routingKey: EVENTS.scoringFailed.routingKey };
      expect(decodeEvent(EVENTS.scoringFailed, delivery)).toEqual(failed);
    });

    it('refuse an unknown content type as malformed', () => {
      for (const contentType of ['text/plain', 'application/octet-stream', 'application/protobuf+json']) {
        expect(() => decodeEvent(EVENTS.frameCaptured, deliveryOf(asJson, contentType))).toThrow(MalformedEventError);
      }
      expect(() => decodeEvent(EVENTS.frameCaptured, deliveryOf(asJson, 'text/plain'))).toThrow(
        'interview.events.v1.FrameCaptured m-1 has content type text/plain; expected application/json or application/x-protobuf',
      );
    });

    it('refuse a body that is not what its content type says as malformed', () => {
      // A varint cut short, then a field of wire type 7 (none such).
      for (const body of [Buffer.from([0x08, 0xff]), Buffer.from([0x0f, 0x01])]) {
        expect(() => decodeEvent(EVENTS.frameCaptured, deliveryOf(body, 'application/x-protobuf'))).toThrow(MalformedEventError);
      }
      expect(() => decodeEvent(EVENTS.frameCaptured, deliveryOf(Buffer.from([0x08, 0xff]), 'application/x-protobuf'))).toThrow(
        /^interview\.events\.v1\.FrameCaptured m-1 is not protobuf: /,
      );
      const binary = encodeEvent(EVENTS.frameCaptured, frame, 's').body;
      expect(() => decodeEvent(EVENTS.frameCaptured, deliveryOf(binary, 'application/json'))).toThrow(/not JSON/);
    });
  });

  it('reject a message of another type or schema version as malformed', () => {
    const base = { routingKey: 'interview.scored', body: Buffer.from('{}'), redelivered: false, attempt: 1, publisher: 'mesh-scoring' };
    const props = { messageId: 'm', correlationId: 'c', schemaVersion: 'v1', timestamp: 0 };
    expect(() => decodeEvent(EVENTS.scored, { ...base, properties: { ...props, type: 'interview.events.v1.FrameCaptured' } })).toThrow(MalformedEventError);
    expect(() => decodeEvent(EVENTS.scored, { ...base, properties: { ...props, type: EVENTS.scored.typeName, schemaVersion: 'v9' } })).toThrow(
      /schema_version v9/,
    );
    expect(() => decodeEvent(EVENTS.scored, { ...base, body: Buffer.from('not json'), properties: { ...props, type: EVENTS.scored.typeName } })).toThrow(
      /not JSON/,
    );
  });

  const completion = (sessionId: string) => ({
    sessionId,
    userId: 'u',
    completedAt: undefined,
    totalDuration: 1,
    answerCount: 0,
    startedAt: undefined,
    totalQuestions: 1,
    framesSent: 0,
    answers: [],
  });

  it('retry a failing message after each delay, then dead-letter it with the reason, while the next one goes through', async () => {
    const bus = new MemoryBus(silentLogger(), TOPOLOGY, { delaysMs: [5, 10] });
    const attempts: [string, number][] = [];
    let poison = '';
    await bus.consume(
      'scoring.process',
      (d) => {
        attempts.push([d.properties.correlationId, d.attempt]);
        if (d.properties.messageId === poison) return Promise.reject(new Error('scoring failed'));
        return Promise.resolve();
      },
      { prefetch: 1 },
    );
    poison = await publishEvent(bus, EVENTS.completed, completion('a'), 'a');
    await publishEvent(bus, EVENTS.completed, completion('b'), 'b');
    await sleep(100);
    expect(attempts).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['a', 3],
    ]);
    const [dead] = bus.deadLetters('scoring.process');
    expect(dead.delivery.properties.messageId).toBe(poison);
    expect(dead.headers).toEqual({
      [DEAD_LETTER_HEADERS.reason]: 'scoring failed',
      [DEAD_LETTER_HEADERS.attempts]: 3,
      [DEAD_LETTER_HEADERS.queue]: 'scoring.process',
    });
  });

  it('dead-letter a malformed message at once: no retry can help it', async () => {
    const bus = new MemoryBus(silentLogger(), TOPOLOGY, { delaysMs: [5, 10] });
    let calls = 0;
    await bus.consume(
      'scoring.process',
      (d) =>
        // An executor runs at once, and what it throws rejects the promise, as in an async function.
        new Promise<void>((resolve) => {
          calls += 1;
          decodeEvent(EVENTS.completed, d);
          resolve();
        }),
      { prefetch: 1 },
    );
    await bus.publish(EVENTS.completed.routingKey, Buffer.from('not json'), {
      messageId: 'm-1',
      correlationId: 'c',
      type: EVENTS.completed.typeName,
      schemaVersion: 'v1',
      timestamp: 0,
    });
    await sleep(50);
    expect(calls).toBe(1);
    expect(bus.deadLetters('scoring.process').map((d) => d.headers[DEAD_LETTER_HEADERS.attempts])).toEqual([1]);
  });
});
