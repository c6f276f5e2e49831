/**
 * The integrity service's handlers and frame consumer on PGlite, the models scripted (each frame's
 * findings set by the test): the consumer's skips (no image; within the sampling interval of the
 * session's last analysed frame; earlier than it), its idempotency by (session, frame number)
 * whatever the message id, objects checked on every INTEGRITY_OBJECTS_EVERY-th analysed frame, the
 * risk engine's events stored and announced in the frame's transaction, a malformed event or a bad
 * image rejected (the platform dead-letters it); GetAssessment's and AnalyzeFrame's validation.
 */
import { status } from '@grpc/grpc-js';
import { Kysely } from 'kysely';
import { FrameCaptured, IntegrityFlagged } from '../../../src/gen/events';
import { EventKind, Verdict } from '../../../src/gen/integrity';
import { Delivery } from '../../../src/platform/bus/event-bus';
import { decodeBody } from '../../../src/platform/bus/event-encoding';
import { encodeEvent, EVENTS } from '../../../src/platform/bus/event-catalog';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { classifyError } from '../../../src/platform/errors/classify';
import { toStatus } from '../../../src/platform/grpc/errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { Outbox } from '../../../src/platform/messaging/outbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { InvalidFrameError } from '../../../src/platform/vision/frame-errors';
import { LateResource, provided } from '../../../src/platform/service/provisioned';
import { consumeFrame, FrameOutcome, FramesConsumerDeps } from '../../../src/services/integrity/consumers';
import { FrameFindings } from '../../../src/services/integrity/domain/frame-integrity';
import { DEFAULT_RISK_POLICY } from '../../../src/services/integrity/domain/risk';
import { IntegrityAnalyzeOptions, IntegrityFrameAnalyzer } from '../../../src/services/integrity/frame-analyzer';
import { integrityHandlers, MAX_SESSION_ID_CHARS } from '../../../src/services/integrity/handlers';
import { integrityMigrations } from '../../../src/services/integrity/migrations';
import { integritySettings } from '../../../src/services/integrity/settings';
import { IntegrityStore, IntegrityTables } from '../../../src/services/integrity/store';
import { testCallContext } from '../../support/call-context';

const T0 = 1_700_000_000_000;
const NO_TIMINGS = { faces: 0, mesh: 0, pose: 0, gaze: 0, objects: 0 };

/** One face, head straight, looking at the screen: nothing to report. */
const CANDIDATE: FrameFindings = {
  width: 640,
  height: 480,
  faces: [{ box: { x: 260, y: 120, width: 120, height: 140 }, score: 0.95 }],
  headPose: { yaw: 2, pitch: -3, roll: 1, rotation: new Float64Array(9), scale: 1, translation: [0, 0, 0], rmsResidual: 0.5 },
  gaze: { direction: 'screen', yaw: 1, pitch: -2, eyes: {} },
  objectsChecked: false,
  objects: [],
  timings: NO_TIMINGS,
};
/** Nobody in view. */
const EMPTY: FrameFindings = { width: 640, height: 480, faces: [], objectsChecked: false, objects: [], timings: NO_TIMINGS };

/** An analyzer whose findings the test scripts; records the options of each call. */
class ScriptedAnalyzer implements IntegrityFrameAnalyzer {
  findings: FrameFindings = CANDIDATE;
  failure: Error | undefined;
  /** Runs while the next frame is "in the models", once: what another replica does meanwhile. */
  meanwhile: (() => Promise<unknown>) | undefined;
  readonly calls: IntegrityAnalyzeOptions[] = [];
  readonly waitingFrames = 0;
  async analyze(_image: Uint8Array, _format: string, options: IntegrityAnalyzeOptions): Promise<FrameFindings> {
    this.calls.push(options);
    const meanwhile = this.meanwhile;
    this.meanwhile = undefined;
    await meanwhile?.();
    if (this.failure) return Promise.reject(this.failure);
    // As the pipeline: objects checked (and found) only when asked.
    return Promise.resolve({ ...this.findings, objectsChecked: options.objects, objects: options.objects ? this.findings.objects : [] });
  }
  observe(): () => void {
    return () => undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A delivery of `frame` as the bus hands it to the consumer; `messageId` to send the same message again. */
function deliveryOf(frame: FrameCaptured, messageId?: string): Delivery {
  const event = encodeEvent(EVENTS.frameCaptured, frame, frame.sessionId);
  return {
    routingKey: event.routingKey,
    body: event.body,
    properties: { ...event.properties, messageId: messageId ?? event.properties.messageId },
    redelivered: messageId !== undefined,
    attempt: 1,
    publisher: 'mesh-interview',
  };
}

const IMAGE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe('the integrity service', () => {
  let database: DatabaseHandle;
  let db: Kysely<IntegrityTables>;
  let store: IntegrityStore;
  let analyzer: ScriptedAnalyzer;
  let deps: FramesConsumerDeps;
  let session: string;
  let sessions = 0;

  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrateSchema(database.forService('integrity'), 'integrity', integrityMigrations, silentLogger());
    db = database.forService<IntegrityTables>('integrity');
    store = new IntegrityStore(db);
  });
  afterAll(() => database.close());

  beforeEach(() => {
    session = `session-${++sessions}`;
    analyzer = new ScriptedAnalyzer();
    // A relay never started: the outbox rows stay in the table for the test to read.
    const relay = new OutboxRelay(db, new MemoryBus(silentLogger(), {}), silentLogger(), { ...DEFAULT_RELAY_OPTIONS, pollMs: 60_000 });
    deps = {
      analyzer: provided(analyzer),
      store,
      outbox: new Outbox(db, relay, silentLogger()),
      policy: DEFAULT_RISK_POLICY,
      sampleIntervalMs: 1_000,
      objectsEvery: 2,
      log: silentLogger(),
    };
  });

  /** Frame `n` of the test's session captured at T0 + `ms`, with an image unless said otherwise. */
  const frame = (n: number, ms: number, imageData: Buffer = IMAGE): FrameCaptured => ({
    sessionId: session,
    timestamp: new Date(T0 + ms),
    imageData,
    format: 'png',
    frameNumber: n,
    analysis: undefined,
  });
  const consume = (f: FrameCaptured, messageId?: string): Promise<FrameOutcome> => consumeFrame(deps, deliveryOf(f, messageId));
  const announced = async (): Promise<IntegrityFlagged[]> => {
    const rows = await db.selectFrom('outbox').selectAll().where('correlation_id', '=', session).orderBy('seq').execute();
    return rows.map((row) => decodeBody(IntegrityFlagged, row.content_type, Buffer.from(row.body), row.message_type, row.message_id));
  };
  const handlers = () => integrityHandlers(provided(analyzer), store, DEFAULT_RISK_POLICY);
  const assessment = () => handlers().getAssessment({ sessionId: session }, testCallContext('/integrity.v1.IntegrityService/GetAssessment'));

  it('skips a frame without its image, and one within the interval of (or before) the last analysed, without the models', async () => {
    expect(await consume(frame(1, 0, Buffer.alloc(0)))).toBe('skipped_no_image');
    expect(analyzer.calls).toHaveLength(0);
    expect(await consume(frame(2, 500))).toBe('analyzed');
    // 10 % tolerance: 899 ms after is too early, 900 ms is due.
    expect(await consume(frame(3, 1_399))).toBe('skipped_interval');
    expect(await consume(frame(4, 400))).toBe('skipped_interval');
    expect(await consume(frame(5, 1_400))).toBe('analyzed');
    expect(analyzer.calls).toHaveLength(2);
    const row = await db.selectFrom('session_risk').selectAll().where('session_id', '=', session).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ frames_analyzed: 2, first_frame_at: new Date(T0 + 500), last_frame_at: new Date(T0 + 1_400), peak_risk: 0 });
    expect(Number(row.last_frame_number)).toBe(5);
    const keys = await db.selectFrom('analyzed_frames').select('frame_number').where('session_id', '=', session).orderBy('frame_number').execute();
    expect(keys.map((k) => Number(k.frame_number))).toEqual([2, 5]);
  });

  it('counts a frame once, redelivered or under another message id, the models not run again', async () => {
    const first = deliveryOf(frame(1, 0));
    expect(await consumeFrame(deps, first)).toBe('analyzed');
    expect(await consume(frame(1, 0), first.properties.messageId)).toBe('duplicate');
    expect(await consume(frame(1, 0))).toBe('duplicate');
    expect(analyzer.calls).toHaveLength(1);
    expect((await assessment()).framesAnalyzed).toBe(1);
  });

  it('decides again under the session lock: a frame overtaken while in the models is skipped when no longer due', async () => {
    await consume(frame(1, 0));
    // Frame 2 (1.0 s) passes the first check; while it is in the models, another replica analyses
    // and commits a frame of 0.9 s, after which 1.0 s is too soon (the engine alone would apply it).
    let overtaking: FrameOutcome | undefined;
    analyzer.meanwhile = async () => (overtaking = await consume(frame(3, 900)));
    expect(await consume(frame(2, 1_000))).toBe('skipped_interval');
    expect(overtaking).toBe('analyzed');
    const keys = await db.selectFrom('analyzed_frames').select('frame_number').where('session_id', '=', session).orderBy('frame_number').execute();
    expect(keys.map((k) => Number(k.frame_number))).toEqual([1, 3]);
    expect((await assessment()).lastFrameAt).toEqual(new Date(T0 + 900));
  });

  it('runs the object detector on the 1st, 3rd, 5th ... analysed frame of a session (INTEGRITY_OBJECTS_EVERY 2)', async () => {
    for (let n = 1; n <= 5; n++) await consume(frame(n, (n - 1) * 1_000));
    expect(analyzer.calls.map((c) => [c.objects, c.background])).toEqual([
      [true, true],
      [false, true],
      [true, true],
      [false, true],
      [true, true],
    ]);
  });

  it('analyses nothing at interval 0', async () => {
    deps = { ...deps, sampleIntervalMs: 0 };
    expect(await consume(frame(1, 0))).toBe('skipped_interval');
    expect(analyzer.calls).toHaveLength(0);
  });

  it('stores and announces the events the risk engine confirms, in the frame transaction; GetAssessment reads them', async () => {
    // The candidate, then nobody for 6 s (face_missing: 3 frames and 5 s), then two persons on two object checks (another_person).
    await consume(frame(1, 0));
    analyzer.findings = EMPTY;
    for (let n = 2; n <= 7; n++) await consume(frame(n, (n - 1) * 1_000));
    analyzer.findings = {
      ...CANDIDATE,
      objects: [
        { label: 'person', classIndex: 0, score: 0.8, box: { x: 10, y: 10, width: 200, height: 400 } },
        { label: 'person', classIndex: 0, score: 0.7, box: { x: 300, y: 10, width: 200, height: 400 } },
      ],
    };
    for (let n = 8; n <= 11; n++) await consume(frame(n, (n - 1) * 1_000));

    const flagged = await announced();
    expect(flagged.map((f) => f.event?.kind)).toEqual([EventKind.EVENT_KIND_FACE_MISSING, EventKind.EVENT_KIND_ANOTHER_PERSON]);
    // face_missing from frame 2 (1 s) confirmed by frame 7 (6 s): 5 s.
    expect(flagged[0]).toMatchObject({ sessionId: session, risk: 0.15, verdict: Verdict.VERDICT_CLEAR });
    expect(flagged[0].event).toMatchObject({ startedAt: new Date(T0 + 1_000), confirmedAt: new Date(T0 + 6_000), frameNumber: 7, weight: 0.15 });
    expect(flagged[1].verdict).toBe(Verdict.VERDICT_REVIEW);

    const a = await assessment();
    expect(a).toMatchObject({ sessionId: session, verdict: Verdict.VERDICT_REVIEW, framesAnalyzed: 11, eventsTotal: 2 });
    expect(a.firstFrameAt).toEqual(new Date(T0));
    expect(a.lastFrameAt).toEqual(new Date(T0 + 10_000));
    expect(a.events.map((e) => [e.kind, e.frameNumber])).toEqual([
      [EventKind.EVENT_KIND_FACE_MISSING, 7],
      [EventKind.EVENT_KIND_ANOTHER_PERSON, flagged[1].event!.frameNumber],
    ]);
    expect(a.risk).toBeGreaterThan(0.35);
    expect(a.peakRisk).toBeCloseTo(flagged[1].risk, 10);
    expect(a.peakAt).toEqual(flagged[1].event!.confirmedAt);
    expect(a.policy).toEqual({ halfLifeSeconds: 60, reviewThreshold: 0.35, flagThreshold: 0.65 });
    const stored = await db
      .selectFrom('integrity_events')
      .select(['kind', 'verdict_after', 'detail'])
      .where('session_id', '=', session)
      .orderBy('id')
      .execute();
    expect(stored.map((e) => [e.kind, e.verdict_after])).toEqual([
      ['face_missing', 'clear'],
      ['another_person', 'review'],
    ]);
    expect(stored[0].detail).toMatch(/for 5\.0 s over 6 frames/);
  });

  it('rejects a malformed frame event and an image the decoder refuses: the platform dead-letters them (class rejected)', async () => {
    const malformed = consume({ ...frame(1, 0), sessionId: '' });
    await expect(malformed).rejects.toThrow(/session_id must be 1 to 128 characters/);
    expect(classifyError(await malformed.catch((e: unknown) => e))).toBe('rejected');
    analyzer.failure = new InvalidFrameError('image_data is not an image (expected JPEG or PNG bytes)');
    const bad = consume(frame(2, 0));
    expect(classifyError(await bad.catch((e: unknown) => e))).toBe('rejected');
    // Nothing was stored for either.
    expect(await store.session(session)).toBeUndefined();
  });

  it('retries (class transient) a frame while the models are still loading', async () => {
    deps = { ...deps, analyzer: new LateResource<IntegrityFrameAnalyzer>('integrity models are still loading; retry shortly') };
    const error = await consume(frame(1, 0)).catch((e: unknown) => e);
    expect(classifyError(error)).toBe('transient');
  });

  describe('GetAssessment', () => {
    const statusOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'OK',
        (error: unknown) => `${status[toStatus(error).code]}: ${toStatus(error).details}`,
      );

    it('refuses a session id empty or longer than 128 characters (INVALID_ARGUMENT)', async () => {
      const ctx = testCallContext('/integrity.v1.IntegrityService/GetAssessment');
      expect(await statusOf(handlers().getAssessment({ sessionId: '  ' }, ctx))).toBe('INVALID_ARGUMENT: session_id is required');
      expect(await statusOf(handlers().getAssessment({ sessionId: 'x'.repeat(MAX_SESSION_ID_CHARS + 1) }, ctx))).toBe(
        'INVALID_ARGUMENT: session_id is 129 characters; the limit is 128',
      );
      expect(await statusOf(handlers().getAssessment({ sessionId: 'x'.repeat(MAX_SESSION_ID_CHARS) }, ctx))).toMatch(/^NOT_FOUND: /);
    });

    it('is NOT_FOUND for a session none of whose frames was analysed', async () => {
      await consume(frame(1, 0, Buffer.alloc(0)));
      expect(await statusOf(assessment())).toBe(`NOT_FOUND: no frame of session ${session} has been analysed`);
    });
  });

  describe('AnalyzeFrame', () => {
    it('refuses an empty image (INVALID_ARGUMENT) and passes skip_objects to the models', async () => {
      const ctx = testCallContext('/integrity.v1.IntegrityService/AnalyzeFrame');
      await expect(handlers().analyzeFrame({ imageData: Buffer.alloc(0), format: '', skipObjects: false }, ctx)).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
      });
      const answer = await handlers().analyzeFrame({ imageData: IMAGE, format: 'png', skipObjects: true }, ctx);
      expect(analyzer.calls.at(-1)).toMatchObject({ objects: false });
      expect(answer).toMatchObject({ width: 640, height: 480, objectsChecked: false, faces: [{ score: 0.95 }] });
      expect(answer.gaze).toEqual({ direction: 1, yawDegrees: 1, pitchDegrees: -2 });
      expect(answer.headPose).toEqual({ yawDegrees: 2, pitchDegrees: -3, rollDegrees: 1 });
      // Stateless: no session is touched.
      expect(await db.selectFrom('analyzed_frames').selectAll().where('session_id', '=', session).execute()).toEqual([]);
    });
  });

  describe('settings', () => {
    it('default to a frame a second, objects every 2nd, 4 live frames waiting, one worker thread and the default policy', () => {
      expect(integritySettings({})).toMatchObject({
        sampleIntervalMs: 1_000,
        objectsEvery: 2,
        maxWaitingFrames: 4,
        analysisThreads: 1,
        policy: DEFAULT_RISK_POLICY,
      });
      expect(integritySettings({ INTEGRITY_ANALYSIS_THREADS: '2' })).toMatchObject({ analysisThreads: 2 });
      expect(integritySettings({ INTEGRITY_SAMPLE_INTERVAL_MS: '0', INTEGRITY_OBJECTS_EVERY: '1', INTEGRITY_MAX_WAITING_FRAMES: '0' })).toMatchObject({
        sampleIntervalMs: 0,
        objectsEvery: 1,
        maxWaitingFrames: 0,
      });
    });

    it('refuse a malformed variable, naming it (ConfigError)', () => {
      expect(() => integritySettings({ INTEGRITY_SAMPLE_INTERVAL_MS: '-1' })).toThrow(/INTEGRITY_SAMPLE_INTERVAL_MS must be an integer from 0 to 60000/);
      expect(() => integritySettings({ INTEGRITY_OBJECTS_EVERY: '0' })).toThrow(/INTEGRITY_OBJECTS_EVERY must be an integer from 1/);
      expect(() => integritySettings({ INTEGRITY_MAX_WAITING_FRAMES: 'many' })).toThrow(/INTEGRITY_MAX_WAITING_FRAMES/);
      expect(() => integritySettings({ INTEGRITY_ANALYSIS_THREADS: '0' })).toThrow(/INTEGRITY_ANALYSIS_THREADS must be an integer from 1/);
    });
  });
});
