import { decodeEvent, EVENT_SCHEMA_VERSION, EVENTS, MalformedEventError, publishEvent } from '../../../src/platform/bus/event-catalog';
import { Delivery, EventBus } from '../../../src/platform/bus/event-bus';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { QUEUES } from '../../../src/platform/bus/topology';
import { silentLogger } from '../../../src/platform/log/logger';

function received(bus: EventBus, queue: (typeof QUEUES)[keyof typeof QUEUES]): Promise<Delivery> {
  return new Promise((resolve) => void bus.consume(queue, async (d) => resolve(d), { prefetch: 1 }));
}

describe('events on the bus', () => {
  it('travel as snake_case proto3 JSON with the envelope properties, routed by topic', async () => {
    const bus = new MemoryBus(silentLogger());
    await bus.declareTopology();
    const delivery = received(bus, QUEUES.notificationEmail);
    const alsoToInterview = received(bus, QUEUES.interviewScored);
    await publishEvent(bus, EVENTS.scored, { sessionId: 's-1', technicalScore: 70, communicationScore: 80, emotionScore: 60, overallScore: 71, calculatedAt: new Date('2026-01-02T03:04:05Z'), userId: 'u-1', feedback: 'ok' }, 's-1');
    const d = await delivery;
    await alsoToInterview;
    const json = JSON.parse(d.body.toString());
    expect(json).toMatchObject({ session_id: 's-1', technical_score: 70, overall_score: 71, calculated_at: '2026-01-02T03:04:05.000Z', user_id: 'u-1' });
    expect(d.properties).toMatchObject({ correlationId: 's-1', type: 'interview.events.v1.ScoreCalculated', schemaVersion: EVENT_SCHEMA_VERSION });
    expect(d.properties.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeEvent(EVENTS.scored, d).overallScore).toBe(71);
  });

  it('carry frames as base64 bytes and decode back to the same bytes', async () => {
    const bus = new MemoryBus(silentLogger());
    const delivery = received(bus, QUEUES.emotionAnalysis);
    const image = Buffer.from([0, 1, 2, 250, 251]);
    await publishEvent(bus, EVENTS.frameCaptured, { sessionId: 's', timestamp: new Date(1000), imageData: image, format: 'png', frameNumber: 3, analysis: undefined }, 's');
    const frame = decodeEvent(EVENTS.frameCaptured, await delivery);
    expect(Buffer.from(frame.imageData).equals(image)).toBe(true);
    expect(frame.frameNumber).toBe(3);
  });

  it('reject a message of another type or schema version as malformed', () => {
    const base = { routingKey: 'interview.scored', body: Buffer.from('{}'), redelivered: false };
    const props = { messageId: 'm', correlationId: 'c', schemaVersion: 'v1', timestamp: 0 };
    expect(() => decodeEvent(EVENTS.scored, { ...base, properties: { ...props, type: 'interview.events.v1.FrameCaptured' } })).toThrow(MalformedEventError);
    expect(() => decodeEvent(EVENTS.scored, { ...base, properties: { ...props, type: EVENTS.scored.typeName, schemaVersion: 'v9' } })).toThrow(/schema_version v9/);
    expect(() => decodeEvent(EVENTS.scored, { ...base, body: Buffer.from('not json'), properties: { ...props, type: EVENTS.scored.typeName } })).toThrow(/not JSON/);
  });

  it('dead-letter a message whose handler throws, and deliver the next one', async () => {
    const bus = new MemoryBus(silentLogger());
    const seen: string[] = [];
    await bus.consume(QUEUES.scoringProcess, async (d) => {
      seen.push(d.properties.messageId);
      if (seen.length === 1) throw new Error('poison');
    }, { prefetch: 1 });
    const first = await publishEvent(bus, EVENTS.completed, { sessionId: 'a', userId: 'u', completedAt: undefined, totalDuration: 1, answerCount: 0, startedAt: undefined, totalQuestions: 1, framesSent: 0, answers: [] }, 'a');
    const second = await publishEvent(bus, EVENTS.completed, { sessionId: 'b', userId: 'u', completedAt: undefined, totalDuration: 1, answerCount: 0, startedAt: undefined, totalQuestions: 1, framesSent: 0, answers: [] }, 'b');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([first, second]);
    expect(bus.deadLetters(QUEUES.scoringProcess).map((d) => d.properties.messageId)).toEqual([first]);
  });
});
