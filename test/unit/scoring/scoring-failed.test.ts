import { AnswerAnalyzer } from '../../../src/services/scoring/answer-analyzer';
import { provided } from '../../../src/platform/service/provisioned';
import { testEncoder } from '../../support/text-model';
/**
 * An interview scoring cannot process (an input it rejects, such as an answer past the analysis's
 * length limit) used to throw in the consumer: the message was dead-lettered and the interview left
 * COMPLETED with nobody told. Now its pending completion is dropped and interview.scoring.failed is
 * published with the reason, in the message's own transaction; any other error is still thrown
 * (retried, then dead-lettered). Runs on PGlite and the in-process bus, the relay publishing the
 * outbox.
 */
import { Kysely } from 'kysely';
import { InterviewCompleted } from '../../../src/gen/events';
import { Delivery } from '../../../src/platform/bus/event-bus';
import { decodeEvent, encodeEvent, EncodedEvent, EVENTS } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { InvalidInputError } from '../../../src/platform/errors/domain-errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { Outbox } from '../../../src/platform/messaging/outbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { completedHandler, emotionAnalyzedHandler, MAX_FAILURE_REASON_CHARS, SCORING_QUEUES } from '../../../src/services/scoring/consumers';
import { EmotionSample } from '../../../src/services/scoring/domain';
import { scoringMigrations } from '../../../src/services/scoring/migrations';
import { ScoringStore, ScoringTables } from '../../../src/services/scoring/store';
import { sleep, waitFor } from '../../support/wait';

const SESSION = '5f0c7d4e-2b1a-4c3d-8e9f-0a1b2c3d4e5f';
const USER = 'candidate-1';
/** The test's own queue of interview.scoring.failed, where the interview service's would be. */
const FAILED_QUEUE = 'test.scoring-failed';

function completion(transcript: string, framesSent: number): InterviewCompleted {
  return {
    sessionId: SESSION,
    userId: USER,
    completedAt: new Date(1_700_000_600_000),
    totalDuration: 600,
    answerCount: 1,
    startedAt: new Date(1_700_000_000_000),
    totalQuestions: 1,
    framesSent,
    answers: [
      {
        questionId: '9d3c1f0e-7a6b-4e2d-9c1b-8a7f6e5d4c3b',
        question: 'Tell me about a system you designed.',
        category: 'system_design',
        transcript,
        durationSeconds: 120,
        confidence: 0.9,
        answeredAt: new Date(1_700_000_500_000),
      },
    ],
  };
}

const TOO_LONG = 'word '.repeat(12_000); // 60,000 characters: past the analysis's limit.

jest.setTimeout(30_000);

describe('scoring an interview it cannot process', () => {
  let database: DatabaseHandle;
  let db: Kysely<ScoringTables>;
  let bus: MemoryBus;
  let relay: OutboxRelay;

  beforeEach(async () => {
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrateSchema(database.forService('scoring'), 'scoring', scoringMigrations, silentLogger());
    db = database.forService<ScoringTables>('scoring');
  });
  afterEach(async () => {
    await relay.flushAndStop(1_000);
    await bus.close();
    await database.close();
  });

  /**
   * The scoring consumers on an in-process bus (retries after 5 and 10 ms), the relay running, and
   * a consumer of interview.scoring.failed collecting what arrives. `handled` counts the deliveries
   * each scoring consumer finished, successfully or not.
   */
  async function scoringWith(store: ScoringStore = new ScoringStore(db)) {
    bus = new MemoryBus(
      silentLogger(),
      {
        [SCORING_QUEUES.completed]: [EVENTS.completed.routingKey],
        [SCORING_QUEUES.emotionAnalyzed]: [EVENTS.emotionAnalyzed.routingKey],
        [FAILED_QUEUE]: [EVENTS.scoringFailed.routingKey],
      },
      { delaysMs: [5, 10] },
    );
    relay = new OutboxRelay(db, bus, silentLogger(), { ...DEFAULT_RELAY_OPTIONS, pollMs: 50, batchSize: 10 });
    const outbox = new Outbox(db, relay, silentLogger());
    relay.start();
    const deps = { store, outbox, log: silentLogger(), analyzer: new AnswerAnalyzer(provided(await testEncoder()), undefined) };
    const handled: Record<string, number> = { [SCORING_QUEUES.completed]: 0, [SCORING_QUEUES.emotionAnalyzed]: 0 };
    const counted = (queue: string, handler: (d: Delivery) => Promise<void>) => (d: Delivery) =>
      handler(d).finally(() => {
        handled[queue] += 1;
      });
    await bus.consume(SCORING_QUEUES.completed, counted(SCORING_QUEUES.completed, completedHandler(deps)), { prefetch: 2 });
    await bus.consume(SCORING_QUEUES.emotionAnalyzed, counted(SCORING_QUEUES.emotionAnalyzed, emotionAnalyzedHandler(deps)), { prefetch: 8 });
    const failures: Delivery[] = [];
    await bus.consume(FAILED_QUEUE, (d) => (failures.push(d), Promise.resolve()), { prefetch: 8 });
    return { handled, failures };
  }

  const publish = (event: EncodedEvent) => bus.publish(event.routingKey, event.body, event.properties);
  const pending = () => db.selectFrom('pending_completions').select('session_id').where('session_id', '=', SESSION).execute();
  const scores = () => db.selectFrom('scores').select('id').where('session_id', '=', SESSION).execute();
  const failedEventsInOutbox = () => db.selectFrom('outbox').select('message_id').where('routing_key', '=', EVENTS.scoringFailed.routingKey).execute();
  const deadLetters = () => [...bus.deadLetters(SCORING_QUEUES.completed), ...bus.deadLetters(SCORING_QUEUES.emotionAnalyzed)];

  it('publishes interview.scoring.failed with the reason instead of dead-lettering the completion, once however often it is delivered', async () => {
    const { handled, failures } = await scoringWith();
    const completed = encodeEvent(EVENTS.completed, completion(TOO_LONG, 0), SESSION);
    await publish(completed);
    await waitFor('interview.scoring.failed', () => failures.length === 1, 5_000, 10);

    const failed = decodeEvent(EVENTS.scoringFailed, failures[0]);
    expect(failed).toMatchObject({ sessionId: SESSION, userId: USER, reason: expect.stringMatching(/^answer exceeds \d+ characters$/) as unknown });
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect(failures[0].properties).toMatchObject({ correlationId: SESSION, type: 'interview.events.v1.ScoringFailed' });
    expect(deadLetters()).toEqual([]);
    expect(await pending()).toEqual([]);
    expect(await scores()).toEqual([]);

    // The same message again (a redelivery, or the outbox publishing it twice): the inbox has it.
    await publish(completed);
    await waitFor('the redelivery to be handled', () => handled[SCORING_QUEUES.completed] === 2, 5_000, 10);
    expect(await failedEventsInOutbox()).toHaveLength(1);
    await sleep(100);
    expect(failures).toHaveLength(1);
    expect(deadLetters()).toEqual([]);
  });

  it('drops the pending completion when the last frame arrives and scoring then rejects the interview', async () => {
    const { handled, failures } = await scoringWith();
    await publish(encodeEvent(EVENTS.completed, completion(TOO_LONG, 1), SESSION));
    await waitFor('the completion to wait for its frame', async () => (await pending()).length === 1, 5_000, 10);
    expect(handled[SCORING_QUEUES.completed]).toBe(1);

    await publish(
      encodeEvent(
        EVENTS.emotionAnalyzed,
        {
          sessionId: SESSION,
          timestamp: new Date(1_700_000_100_000),
          emotion: 'neutral',
          confidence: 0.8,
          blinkCount: 0,
          metadata: undefined,
          frameNumber: 1,
          faceDetected: true,
          blinksTracked: false,
        },
        SESSION,
      ),
    );
    await waitFor('interview.scoring.failed', () => failures.length === 1, 5_000, 10);
    expect(decodeEvent(EVENTS.scoringFailed, failures[0]).reason).toMatch(/^answer exceeds \d+ characters$/);
    expect(await pending()).toEqual([]);
    expect(await scores()).toEqual([]);
    // The frame's sample is kept: it was stored, only the scoring was refused.
    expect(await db.selectFrom('emotion_samples').select('frame_number').where('session_id', '=', SESSION).execute()).toEqual([{ frame_number: 1 }]);
    expect(deadLetters()).toEqual([]);
  });

  it("takes a frame's sample once however often it is announced, with no inbox row, and a duplicate does not complete the interview", async () => {
    const { handled, failures } = await scoringWith();
    await publish(encodeEvent(EVENTS.completed, completion(TOO_LONG, 2), SESSION));
    await waitFor('the completion to wait for its frames', async () => (await pending()).length === 1, 5_000, 10);
    const frame = (frameNumber: number) =>
      encodeEvent(
        EVENTS.emotionAnalyzed,
        {
          sessionId: SESSION,
          timestamp: new Date(1_700_000_100_000 + frameNumber),
          emotion: 'neutral',
          confidence: 0.8,
          blinkCount: 0,
          metadata: undefined,
          frameNumber,
          faceDetected: true,
          blinksTracked: false,
        },
        SESSION,
      );
    const first = frame(1);
    await publish(first);
    await publish(first); // a redelivery
    await publish(frame(1)); // the same frame announced again, under a new message id
    await waitFor('the three deliveries of frame 1', () => handled[SCORING_QUEUES.emotionAnalyzed] === 3, 5_000, 10);
    const samples = await db.selectFrom('emotion_samples').select(['frame_number', 'stored_at']).where('session_id', '=', SESSION).execute();
    expect(samples.map((sample) => sample.frame_number)).toEqual([1]);
    expect(samples[0].stored_at).toBeInstanceOf(Date);
    expect(await pending()).toHaveLength(1);
    expect(failures).toEqual([]);
    // Only the completion's consumer keeps an inbox.
    expect(await db.selectFrom('inbox').select('consumer').execute()).toEqual([{ consumer: SCORING_QUEUES.completed }]);

    await publish(frame(2));
    await waitFor('interview.scoring.failed', () => failures.length === 1, 5_000, 10);
    expect(await pending()).toEqual([]);
  });

  it('keeps nothing a rejected attempt wrote, and cuts a long reason to its first 500 characters', async () => {
    class RejectingStore extends ScoringStore {
      override async insertScores(...args: Parameters<ScoringStore['insertScores']>): Promise<void> {
        await super.insertScores(...args);
        throw new InvalidInputError('x'.repeat(MAX_FAILURE_REASON_CHARS + 100));
      }
    }
    const { failures } = await scoringWith(new RejectingStore(db));
    await publish(encodeEvent(EVENTS.completed, completion('A short answer.', 0), SESSION));
    await waitFor('interview.scoring.failed', () => failures.length === 1, 5_000, 10);
    expect(decodeEvent(EVENTS.scoringFailed, failures[0]).reason).toBe('x'.repeat(MAX_FAILURE_REASON_CHARS));
    expect(await scores()).toEqual([]);
    expect(await db.selectFrom('reports').select('session_id').execute()).toEqual([]);
    expect(deadLetters()).toEqual([]);
  });

  it('still throws any other error: the completion is retried, then dead-lettered, and no failure is announced', async () => {
    class BrokenStore extends ScoringStore {
      override loadSamples(): Promise<EmotionSample[]> {
        return Promise.reject(new Error('disk on fire'));
      }
    }
    const { failures } = await scoringWith(new BrokenStore(db));
    await publish(encodeEvent(EVENTS.completed, completion('A short answer.', 0), SESSION));
    await waitFor('the completion to be dead-lettered', () => bus.deadLetters(SCORING_QUEUES.completed).length === 1, 5_000, 10);
    expect(bus.deadLetters(SCORING_QUEUES.completed)[0].delivery.attempt).toBe(3);
    expect(await failedEventsInOutbox()).toEqual([]);
    expect(failures).toEqual([]);
  });
});
