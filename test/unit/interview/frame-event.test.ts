/**
 * interview.frame.captured as SendFrame publishes it. A frame the emotion service analysed at once
 * travels without its image and with its analysis minus the face's landmarks, keeping everything
 * the emotion consumer stores (emotion, confidence, face box, detection confidence, blinks), while
 * the caller still gets the whole analysis; a frame queued for analysis travels with its image, as
 * binary protobuf (content type application/x-protobuf), not base64 in JSON. Analysed frames the
 * integrity sampler picks (an interview's first, then one per INTEGRITY_SAMPLE_INTERVAL_MS) keep
 * their image for the integrity service. The use case runs on PGlite with a scripted emotion
 * service; the outbox relay publishes on the in-process bus.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kysely } from 'kysely';
import sharp from 'sharp';
import { EmotionResponse } from '../../../src/gen/emotion';
import { Delivery } from '../../../src/platform/bus/event-bus';
import { CONTENT_TYPES, decodeEvent, EVENTS } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { UnavailableError } from '../../../src/platform/errors/domain-errors';
import { Principal } from '../../../src/platform/identity/principal';
import { silentLogger } from '../../../src/platform/log/logger';
import { Outbox } from '../../../src/platform/messaging/outbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { IntegritySampler, leanFrameCaptured } from '../../../src/services/interview/frame-event';
import { Interviews } from '../../../src/services/interview/interviews';
import { interviewMigrations } from '../../../src/services/interview/migrations';
import { InterviewStore, InterviewTables } from '../../../src/services/interview/store';
import { waitFor } from '../../support/wait';

jest.setTimeout(30_000);

const CANDIDATE: Principal = { subject: 'candidate-1', role: 'candidate' };
const CAPTURED_AT = new Date(1_700_000_000_000);
const QUEUE = 'emotion.analysis';

/** An AnalyzeFrame answer with a face and its landmarks; floats a float32 holds exactly, so it survives protobuf unrounded. */
function analysisOf(sessionId: string): EmotionResponse {
  return {
    sessionId,
    timestamp: CAPTURED_AT.getTime(),
    emotion: 'happy',
    confidence: 0.75,
    faceMetrics: {
      detected: true,
      detectionConfidence: 0.875,
      boundingBox: { x: 40, y: 20, width: 64, height: 72 },
      landmarks: [
        { x: 60, y: 44, type: 'right_eye' },
        { x: 84, y: 44, type: 'left_eye' },
        { x: 72, y: 70, type: 'mouth' },
      ],
    },
    blinkMetrics: { count: 2, rate: 12.5, avgDuration: 150, eyeAspectRatio: 0.3125 },
    error: undefined,
  };
}

describe('interview.frame.captured as SendFrame publishes it', () => {
  let database: DatabaseHandle;
  let db: Kysely<InterviewTables>;
  let store: InterviewStore;
  let image: Buffer;

  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrateSchema(database.forService('interview'), 'interview', interviewMigrations, silentLogger());
    db = database.forService<InterviewTables>('interview');
    store = new InterviewStore(db);
    image = await sharp(fs.readFileSync(path.resolve(__dirname, '../../fixtures/faces/astronaut.png')))
      .resize(160, 120, { fit: 'contain' })
      .jpeg({ quality: 85 })
      .toBuffer();
  });
  afterAll(() => database.close());

  /** A new interview of CANDIDATE, in progress. */
  async function interview(): Promise<string> {
    const sessionId = randomUUID();
    await db.transaction().execute(async (trx) => {
      const questions = await store.drawQuestions(trx, sessionId, 1, [], undefined);
      await store.createSession(trx, sessionId, CANDIDATE.subject, questions, new Date());
    });
    return sessionId;
  }

  /**
   * Sends one frame of a new interview, the emotion service answering `analyzeFrame`; returns what
   * SendFrame answered and the frame.captured delivery the relay published.
   */
  async function sendFrame(analyzeFrame: (sessionId: string) => Promise<EmotionResponse>) {
    const { sessionId, outcomes, deliveries } = await sendFrames(analyzeFrame, [CAPTURED_AT]);
    return { sessionId, outcome: outcomes[0], delivery: deliveries[0].delivery };
  }

  /**
   * Sends frames of a new interview captured at `times`, in order, the emotion service answering
   * `analyzeFrame`, on one Interviews whose integrity sampler has `sampleIntervalMs` (default: none);
   * returns what SendFrame answered and the frame.captured deliveries the relay published, in order.
   */
  async function sendFrames(analyzeFrame: (sessionId: string) => Promise<EmotionResponse>, times: readonly Date[], sampleIntervalMs?: number) {
    const sessionId = await interview();
    const bus = new MemoryBus(silentLogger(), { [QUEUE]: [EVENTS.frameCaptured.routingKey] });
    const deliveries: Delivery[] = [];
    await bus.consume(QUEUE, (delivery) => (deliveries.push(delivery), Promise.resolve()), { prefetch: 1 });
    // Never started: flushAndStop publishes what SendFrame wrote.
    const relay = new OutboxRelay(db, bus, silentLogger(), { ...DEFAULT_RELAY_OPTIONS, pollMs: 10_000, batchSize: 10 });
    const downstreams = {
      analyzeFrame: () => analyzeFrame(sessionId),
      generateReport: () => Promise.reject(new Error('not used')),
    };
    const sampler = sampleIntervalMs === undefined ? undefined : new IntegritySampler(sampleIntervalMs);
    const interviews = new Interviews(store, downstreams, new Outbox(db, relay, silentLogger()), silentLogger(), sampler);
    const outcomes = [];
    for (const time of times) outcomes.push(await interviews.sendFrame(CANDIDATE, sessionId, image, 'jpeg', time));
    expect(await relay.flushAndStop(5_000)).toBe(0);
    await waitFor('the frame.captured deliveries', () => deliveries.length === times.length, 5_000, 10);
    const events = deliveries.map((delivery) => ({ delivery, event: decodeEvent(EVENTS.frameCaptured, delivery) }));
    return { sessionId, outcomes, deliveries: events.sort((a, b) => a.event.frameNumber - b.event.frameNumber) };
  }

  it('carries an analysed frame without its image, and its analysis without landmarks but with all the consumer stores', async () => {
    const { sessionId, outcome, delivery } = await sendFrame((id) => Promise.resolve(analysisOf(id)));
    // The caller gets the analysis as the emotion service answered it, landmarks included.
    expect(outcome).toEqual({ frameNumber: 1, analysis: analysisOf(sessionId) });

    expect(delivery.properties).toMatchObject({ contentType: CONTENT_TYPES.protobuf, correlationId: sessionId, type: EVENTS.frameCaptured.typeName });
    const event = decodeEvent(EVENTS.frameCaptured, delivery);
    expect(event.imageData).toHaveLength(0);
    expect(event.analysis?.faceMetrics?.landmarks).toEqual([]);
    const analysis = analysisOf(sessionId);
    expect(event).toEqual({
      sessionId,
      timestamp: CAPTURED_AT,
      imageData: Buffer.alloc(0),
      format: 'jpeg',
      frameNumber: 1,
      analysis: { ...analysis, faceMetrics: { ...analysis.faceMetrics!, landmarks: [] } },
    });
    // What the emotion consumer stores is all there.
    expect(event.analysis).toMatchObject({
      emotion: 'happy',
      confidence: 0.75,
      faceMetrics: { detected: true, detectionConfidence: 0.875, boundingBox: { x: 40, y: 20, width: 64, height: 72 } },
      blinkMetrics: { count: 2 },
    });
    expect(delivery.body.includes(image.subarray(0, 32))).toBe(false);
    expect(delivery.body.length).toBeLessThan(160);
  });

  it('carries a frame queued for analysis with its image, as raw bytes in binary protobuf', async () => {
    const { sessionId, outcome, delivery } = await sendFrame(() => Promise.reject(new UnavailableError('the emotion service is unavailable')));
    expect(outcome).toEqual({ frameNumber: 1, analysis: undefined });

    expect(delivery.properties).toMatchObject({ contentType: CONTENT_TYPES.protobuf, correlationId: sessionId });
    const event = decodeEvent(EVENTS.frameCaptured, delivery);
    expect(event).toEqual({ sessionId, timestamp: CAPTURED_AT, imageData: image, format: 'jpeg', frameNumber: 1, analysis: undefined });
    expect(delivery.body.includes(image)).toBe(true);
    // The image and a few tens of bytes of the other fields; base64 would have added a third.
    expect(delivery.body.length).toBeLessThan(image.length + 96);
  });

  it('refuses a frame after its interview was completed on this replica before analysing it: the memo of open interviews is cleared', async () => {
    const sessionId = await interview();
    let analysed = 0;
    const downstreams = {
      analyzeFrame: () => ((analysed += 1), Promise.resolve(analysisOf(sessionId))),
      generateReport: () => Promise.reject(new Error('not used')),
    };
    const relay = new OutboxRelay(db, new MemoryBus(silentLogger(), {}), silentLogger(), { ...DEFAULT_RELAY_OPTIONS, pollMs: 10_000, batchSize: 10 });
    const interviews = new Interviews(store, downstreams, new Outbox(db, relay, silentLogger()), silentLogger());
    expect(await interviews.sendFrame(CANDIDATE, sessionId, image, 'jpeg', CAPTURED_AT)).toMatchObject({ frameNumber: 1 });
    await interviews.complete(CANDIDATE, sessionId);
    await expect(interviews.sendFrame(CANDIDATE, sessionId, image, 'jpeg', new Date(CAPTURED_AT.getTime() + 500))).rejects.toThrow(/completed/);
    // The second frame never reached the emotion service: refused by the check before analysis, not when recorded.
    expect(analysed).toBe(1);
    await relay.flushAndStop(5_000);
  });

  it('leaves an unanalysed frame as it is, and the analysis it is given untouched', () => {
    const frame = { sessionId: 's', timestamp: CAPTURED_AT, imageData: image, format: 'jpeg', frameNumber: 3, analysis: undefined };
    expect(leanFrameCaptured(frame)).toBe(frame);
    const analysis = analysisOf('s');
    const lean = leanFrameCaptured({ ...frame, analysis });
    expect(lean.analysis?.faceMetrics?.landmarks).toEqual([]);
    expect(analysis).toEqual(analysisOf('s'));
    // No face: nothing to strip, nothing invented.
    const noFace: EmotionResponse = { ...analysis, emotion: '', confidence: 0, faceMetrics: undefined, blinkMetrics: undefined };
    expect(leanFrameCaptured({ ...frame, analysis: noFace })).toEqual({ ...frame, imageData: Buffer.alloc(0), analysis: noFace });
  });

  it('keeps the image of the analysed frames the integrity sampler picks: the first, then one per interval of capture time', async () => {
    const at = (ms: number) => new Date(CAPTURED_AT.getTime() + ms);
    // Two frames a second, as the clients send them; the fifth comes 40 ms early (within the 10 % tolerance).
    const times = [0, 500, 1_000, 1_500, 1_960, 2_400].map(at);
    const deliveries = (await sendFrames((id) => Promise.resolve(analysisOf(id)), times, 1_000)).deliveries.map((d) => d.event);
    expect(deliveries.map((e) => e.frameNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(deliveries.map((e) => e.imageData.length > 0)).toEqual([true, false, true, false, true, false]);
    // A sampled frame carries both: its image for the integrity service, its analysis (without landmarks) for the emotion consumer.
    expect(Buffer.from(deliveries[0].imageData).equals(image)).toBe(true);
    expect(deliveries[0].analysis?.faceMetrics?.landmarks).toEqual([]);
    expect(deliveries[0].analysis?.emotion).toBe('happy');
  });

  it('counts a queued frame, which carries its image anyway, as sampled; interval 0 samples no analysed frame', async () => {
    const at = (ms: number) => new Date(CAPTURED_AT.getTime() + ms);
    let calls = 0;
    // The first frame is queued (the emotion service unavailable), the next ones analysed.
    const flaky = (id: string) =>
      ++calls === 1 ? Promise.reject(new UnavailableError('the emotion service is unavailable')) : Promise.resolve(analysisOf(id));
    const sampled = await sendFrames(flaky, [0, 600, 1_100].map(at), 1_000);
    expect(sampled.deliveries.map(({ event: e }) => [e.analysis === undefined, e.imageData.length > 0])).toEqual([
      [true, true],
      [false, false],
      [false, true],
    ]);
    const off = await sendFrames((id) => Promise.resolve(analysisOf(id)), [0, 1_000, 2_000].map(at), 0);
    expect(off.deliveries.map(({ event }) => event.imageData.length)).toEqual([0, 0, 0]);
  });
});

describe('IntegritySampler', () => {
  it("picks an interview's first frame, then the first at least the interval (less 10 %) after the last sent with its image", () => {
    const sampler = new IntegritySampler(1_000);
    expect(sampler.isDue('a', 10_000)).toBe(true);
    // Nothing is remembered until the frame was sent.
    expect(sampler.isDue('a', 10_000)).toBe(true);
    sampler.sent('a', 10_000);
    expect([10_000, 10_500, 10_899].map((t) => sampler.isDue('a', t))).toEqual([false, false, false]);
    expect([10_900, 11_000, 15_000].map((t) => sampler.isDue('a', t))).toEqual([true, true, true]);
    // Each interview on its own.
    expect(sampler.isDue('b', 10_100)).toBe(true);
    // A late frame's send does not move the memo back.
    sampler.sent('a', 9_000);
    expect(sampler.isDue('a', 10_500)).toBe(false);
    // A frame earlier than the last sampled (reordered) is not due.
    expect(sampler.isDue('a', 8_000)).toBe(false);
  });

  it('samples nothing at interval 0', () => {
    const sampler = new IntegritySampler(0);
    expect(sampler.isDue('a', 10_000)).toBe(false);
  });

  it('remembers a bounded number of interviews, the least recently used forgotten first (then sampled again at once)', () => {
    const sampler = new IntegritySampler(1_000, 2);
    sampler.sent('a', 10_000);
    sampler.sent('b', 10_000);
    expect(sampler.isDue('a', 10_100)).toBe(false);
    sampler.sent('c', 10_000);
    // b was the least recently used (a was read since): forgotten.
    expect(sampler.isDue('b', 10_100)).toBe(true);
    expect(sampler.isDue('a', 10_100)).toBe(false);
    expect(sampler.isDue('c', 10_100)).toBe(false);
  });
});
