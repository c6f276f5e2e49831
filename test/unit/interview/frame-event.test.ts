/**
 * interview.frame.captured as SendFrame publishes it. A frame the emotion service analysed at once
 * travels without its image and with its analysis minus the face's landmarks, keeping everything
 * the emotion consumer stores (emotion, confidence, face box, detection confidence, blinks), while
 * the caller still gets the whole analysis; a frame queued for analysis travels with its image, as
 * binary protobuf (content type application/x-protobuf), not base64 in JSON. The use case runs on
 * PGlite with a scripted emotion service; the outbox relay publishes on the in-process bus.
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
import { leanFrameCaptured } from '../../../src/services/interview/frame-event';
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
    const interviews = new Interviews(store, downstreams, new Outbox(db, relay, silentLogger()), silentLogger());
    const outcome = await interviews.sendFrame(CANDIDATE, sessionId, image, 'jpeg', CAPTURED_AT);
    expect(await relay.flushAndStop(5_000)).toBe(0);
    await waitFor('the frame.captured delivery', () => deliveries.length === 1, 5_000, 10);
    return { sessionId, outcome, delivery: deliveries[0] };
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
});
