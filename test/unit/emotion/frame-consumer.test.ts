/**
 * The emotion service's frame consumer decides what a failed analysis means. A frame the models
 * reject (not an image) is stored once, as analyzed with no face and the reason; a frame that never
 * reached the models because the service could not take it (shutting down, models loading) is no
 * verdict on the frame: the message is retried, spending no attempt, and analyzed once the models
 * are back. Before, both were ServiceErrors and the shutdown case was stored as a bad frame. Runs on
 * PGlite and the in-process bus.
 */
import { Kysely } from 'kysely';
import { EmotionResponse } from '../../../src/gen/emotion';
import { FrameCaptured } from '../../../src/gen/events';
import { DEAD_LETTER_HEADERS } from '../../../src/platform/bus/event-bus';
import { encodeEvent, EVENTS } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { UnavailableError } from '../../../src/platform/errors/domain-errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { Outbox } from '../../../src/platform/messaging/outbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { LateResource } from '../../../src/platform/service/provisioned';
import { FrameAnalysisService } from '../../../src/services/emotion/analysis-pool';
import { ANALYSIS_QUEUE, frameCapturedHandler } from '../../../src/services/emotion/consumers';
import { InvalidFrameError } from '../../../src/platform/vision/frame-errors';
import { FrameAnalysis } from '../../../src/services/emotion/domain/frame-analyzer';
import { emotionMigrations } from '../../../src/services/emotion/migrations';
import { SessionBlinks } from '../../../src/services/emotion/session-blinks';
import { EmotionStore, EmotionTables } from '../../../src/services/emotion/store';
import { waitFor } from '../../support/wait';
import { NO_FACE } from '../../support/emotion-fakes';

const SESSION = '0b9e2a52-5c1e-4d4e-9a53-6f2d6c0f4b11';

/** An analyzer whose answer the test sets: an analysis, or an error to throw. */
class ScriptedAnalyzer implements FrameAnalysisService {
  next: () => Promise<FrameAnalysis> = () => Promise.resolve(NO_FACE);
  calls = 0;
  analyze(): Promise<FrameAnalysis> {
    this.calls += 1;
    return this.next();
  }
  analyzeBatch(): never {
    throw new Error('not used by the consumer');
  }
  detectFace(): never {
    throw new Error('not used by the consumer');
  }
}

describe('the frame consumer on a failed analysis', () => {
  let database: DatabaseHandle;
  let db: Kysely<EmotionTables>;

  beforeEach(async () => {
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrateSchema(database.forService('emotion'), 'emotion', emotionMigrations, silentLogger());
    db = database.forService<EmotionTables>('emotion');
  });
  afterEach(() => database.close());

  /** A frame still to be analysed: its image (not one, as far as the scripted models care) and no analysis. */
  const QUEUED: FrameCaptured = {
    sessionId: SESSION,
    timestamp: new Date(1_700_000_000_000),
    imageData: Buffer.from([1, 2, 3]),
    format: 'png',
    frameNumber: 1,
    analysis: undefined,
  };

  /** The consumer on `emotion.analysis` of an in-process bus whose retries wait 5 and 10 ms, sent `frame`. */
  async function consumerWith(analyzer: ScriptedAnalyzer, frame: FrameCaptured = QUEUED) {
    const bus = new MemoryBus(silentLogger(), { [ANALYSIS_QUEUE]: [EVENTS.frameCaptured.routingKey] }, { delaysMs: [5, 10] });
    const relay = new OutboxRelay(db, bus, silentLogger(), { ...DEFAULT_RELAY_OPTIONS, pollMs: 10_000, batchSize: 10 });
    const outbox = new Outbox(db, relay, silentLogger());
    const models = new LateResource<FrameAnalysisService>('models are still loading; retry shortly');
    models.set(analyzer);
    const store = new EmotionStore(db);
    const handler = frameCapturedHandler({ analyzer: models, blinks: new SessionBlinks(store), store, outbox, log: silentLogger() });
    const attempts: number[] = [];
    const handled = { count: 0 };
    await bus.consume(ANALYSIS_QUEUE, (delivery) => (attempts.push(delivery.attempt), handler(delivery).finally(() => (handled.count += 1))), { prefetch: 1 });
    const event = encodeEvent(EVENTS.frameCaptured, frame, SESSION);
    await bus.publish(event.routingKey, event.body, event.properties);
    return { bus, attempts, handled };
  }

  const stored = () => db.selectFrom('emotion_analysis').select(['frame_number', 'face_detected', 'metadata']).where('session_id', '=', SESSION).execute();

  it('stores a frame that comes analysed, without its image or landmarks, with all of its analysis, and never calls the models', async () => {
    const analyzer = new ScriptedAnalyzer();
    const analysis: EmotionResponse = {
      sessionId: SESSION,
      timestamp: 1_700_000_000_000,
      emotion: 'happy',
      confidence: 0.75,
      faceMetrics: { detected: true, detectionConfidence: 0.875, boundingBox: { x: 40, y: 20, width: 64, height: 72 }, landmarks: [] },
      blinkMetrics: { count: 2, rate: 12.5, avgDuration: 150, eyeAspectRatio: 0.3125 },
      error: undefined,
    };
    const { attempts } = await consumerWith(analyzer, { ...QUEUED, imageData: Buffer.alloc(0), analysis });
    await waitFor('the analysed frame to be stored', async () => (await stored()).length === 1, 5_000, 10);
    const row = await db.selectFrom('emotion_analysis').selectAll().where('session_id', '=', SESSION).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      frame_number: 1,
      timestamp: new Date(1_700_000_000_000),
      emotion: 'happy',
      confidence: 0.75,
      face_detected: true,
      face_box: { x: 40, y: 20, width: 64, height: 72 },
      blink_count: 2,
      metadata: { source: 'synchronous', detection_confidence: 0.875 },
    });
    expect(row.metadata).not.toHaveProperty('error');
    expect(analyzer.calls).toBe(0);
    expect(attempts).toEqual([1]);
  });

  it('stores an analysed frame delivered twice, and under another message id, once and announces it once, with no inbox row', async () => {
    const analysis: EmotionResponse = {
      sessionId: SESSION,
      timestamp: 1_700_000_000_000,
      emotion: 'neutral',
      confidence: 0.5,
      faceMetrics: { detected: true, detectionConfidence: 0.9, boundingBox: { x: 1, y: 2, width: 3, height: 4 }, landmarks: [] },
      blinkMetrics: { count: 0, rate: 0, avgDuration: 0, eyeAspectRatio: 0.3 },
      error: undefined,
    };
    const frame = { ...QUEUED, imageData: Buffer.alloc(0), analysis };
    const { bus, handled } = await consumerWith(new ScriptedAnalyzer(), frame);
    const event = encodeEvent(EVENTS.frameCaptured, frame, SESSION);
    await bus.publish(event.routingKey, event.body, event.properties); // the same message again
    const other = encodeEvent(EVENTS.frameCaptured, frame, SESSION); // the same frame under a new message id
    await bus.publish(other.routingKey, other.body, other.properties);
    await waitFor('the three deliveries to be handled', () => Promise.resolve(handled.count === 3), 5_000, 10);
    expect(await stored()).toHaveLength(1);
    const announced = await db.selectFrom('outbox').select('routing_key').execute();
    expect(announced).toEqual([{ routing_key: EVENTS.emotionAnalyzed.routingKey }]);
    expect(await db.selectFrom('inbox').selectAll().execute()).toEqual([]);
  });

  it('stores a frame the models reject once, with the reason', async () => {
    const analyzer = new ScriptedAnalyzer();
    analyzer.next = () => Promise.reject(new InvalidFrameError('image_data is not an image (expected JPEG or PNG bytes)'));
    const { attempts } = await consumerWith(analyzer);
    await waitFor('the rejected frame to be stored', async () => (await stored()).length === 1, 5_000, 10);
    const [row] = await stored();
    expect(row.face_detected).toBe(false);
    expect(row.metadata).toMatchObject({ source: 'queue', error: 'image_data is not an image (expected JPEG or PNG bytes)' });
    expect(attempts).toEqual([1]);
  });

  it('retries a frame the service could not take (shutting down) instead of storing it as unanalyzable, and analyzes it once it can', async () => {
    const analyzer = new ScriptedAnalyzer();
    let refusals = 3;
    analyzer.next = () => (refusals-- > 0 ? Promise.reject(new UnavailableError('the emotion service is shutting down')) : Promise.resolve(NO_FACE));
    const { bus, attempts } = await consumerWith(analyzer);
    await waitFor('the frame to be analyzed', async () => (await stored()).length === 1, 5_000, 10);
    const [row] = await stored();
    expect(row.metadata).not.toHaveProperty('error');
    expect(row.metadata).toMatchObject({ source: 'queue' });
    // Four deliveries, none spending an attempt (a transient failure), nothing dead-lettered.
    expect(analyzer.calls).toBe(4);
    expect(attempts).toEqual([1, 1, 1, 1]);
    expect(bus.deadLetters(ANALYSIS_QUEUE).map((d) => d.headers[DEAD_LETTER_HEADERS.reason])).toEqual([]);
  });
});
