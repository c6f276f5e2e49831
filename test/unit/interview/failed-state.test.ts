/**
 * The FAILED state: interview.scoring.failed makes a completed interview FAILED with the scoring
 * service's reason (once per message), and leaves an unknown, in-progress or scored one as it is.
 * InterviewService shows the state and the reason, and GetReport on a failed interview answers
 * FAILED_PRECONDITION saying why. The consumer and the store run on PGlite; the RPCs are the
 * handlers themselves, called with a verified principal.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Kysely } from 'kysely';
import { InterviewState, ReportFormat } from '../../../src/gen/interview';
import { Delivery } from '../../../src/platform/bus/event-bus';
import { encodeEvent, EVENTS } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { toStatus } from '../../../src/platform/grpc/errors';
import { Principal, setPrincipal } from '../../../src/platform/identity/principal';
import { silentLogger } from '../../../src/platform/log/logger';
import { Outbox } from '../../../src/platform/messaging/outbox';
import { OutboxRelay } from '../../../src/platform/messaging/outbox-relay';
import { SCORING_FAILED_QUEUE, scoringFailedHandler } from '../../../src/services/interview/consumers';
import { SessionRecord } from '../../../src/services/interview/domain/interview';
import { interviewHandlers } from '../../../src/services/interview/handlers';
import { interviewService } from '../../../src/services/interview';
import { Interviews } from '../../../src/services/interview/interviews';
import { ReportLinks } from '../../../src/services/interview/report-links';
import { handlerLimits, interviewLimitSpecs } from '../../../src/services/interview/limits';
import { createRateLimit } from '../../../src/platform/limits/rate-limit';
import { interviewMigrations } from '../../../src/services/interview/migrations';
import { InterviewStore, InterviewTables } from '../../../src/services/interview/store';
import { toInterview, toState } from '../../../src/services/interview/to-proto';
import { testCallContext } from '../../support/call-context';

jest.setTimeout(30_000);

const CANDIDATE: Principal = { subject: 'candidate-1', role: 'candidate' };
const REASON = 'answer exceeds 50000 characters';

/** A scoring.failed delivery for `sessionId` as the bus hands it over (first attempt). */
function failedDelivery(sessionId: string, reason = REASON): Delivery {
  const event = encodeEvent(EVENTS.scoringFailed, { sessionId, userId: CANDIDATE.subject, reason, failedAt: new Date() }, sessionId);
  return { routingKey: event.routingKey, body: event.body, properties: event.properties, redelivered: false, attempt: 1, publisher: 'mesh-scoring' };
}

function callContext(principal: Principal): CallContext {
  const ctx = testCallContext('/interview.v1.InterviewService/Test');
  setPrincipal(ctx, principal);
  return ctx;
}

describe('the FAILED state', () => {
  let database: DatabaseHandle;
  let db: Kysely<InterviewTables>;
  let store: InterviewStore;
  let outbox: Outbox<InterviewTables>;
  let handle: (delivery: Delivery) => Promise<void>;

  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrateSchema(database.forService('interview'), 'interview', interviewMigrations, silentLogger());
    db = database.forService<InterviewTables>('interview');
    store = new InterviewStore(db);
    // The relay is never started: the consumer publishes nothing.
    outbox = new Outbox(db, new OutboxRelay(db, new MemoryBus(silentLogger(), {}), silentLogger()), silentLogger());
    handle = scoringFailedHandler({ store, outbox, log: silentLogger() });
  });
  afterAll(() => database.close());

  /** A new interview of CANDIDATE with two questions, taken as far as `status`. */
  async function interviewIn(status: 'in_progress' | 'completed' | 'scored'): Promise<string> {
    const sessionId = randomUUID();
    await db.transaction().execute(async (trx) => {
      const questions = await store.drawQuestions(trx, sessionId, 2, [], undefined);
      await store.createSession(trx, sessionId, CANDIDATE.subject, questions, new Date());
      if (status !== 'in_progress') await store.markCompleted(trx, sessionId, new Date(), 60);
      if (status === 'scored') await store.markScored(trx, sessionId, new Date());
    });
    return sessionId;
  }

  const session = async (sessionId: string): Promise<SessionRecord> => (await store.getSession(db, sessionId))!;

  it('is consumed from interview.scoring-failed, bound to interview.scoring.failed', () => {
    expect(interviewService.consumes).toContainEqual({ queue: SCORING_FAILED_QUEUE, bindings: [EVENTS.scoringFailed.routingKey], prefetch: 8 });
    expect(SCORING_FAILED_QUEUE).toBe('interview.scoring-failed');
    expect(EVENTS.scoringFailed.routingKey).toBe('interview.scoring.failed');
  });

  it('marks a completed interview failed with the reason, once per message', async () => {
    const sessionId = await interviewIn('completed');
    const delivery = failedDelivery(sessionId);
    await handle(delivery);
    expect(await session(sessionId)).toMatchObject({ status: 'failed', failureReason: REASON });
    const row = await db.selectFrom('interview_sessions').select(['failed_at', 'failure_reason']).where('id', '=', sessionId).executeTakeFirstOrThrow();
    expect(row.failed_at).not.toBeNull();

    // The same message again: the inbox has it, nothing changes.
    await handle({ ...delivery, redelivered: true });
    expect(await session(sessionId)).toMatchObject({ status: 'failed', failureReason: REASON });
    const inbox = await db
      .selectFrom('inbox')
      .select('message_id')
      .where('consumer', '=', SCORING_FAILED_QUEUE)
      .where('message_id', '=', delivery.properties.messageId)
      .execute();
    expect(inbox).toHaveLength(1);
  });

  it('ignores an unknown interview, and leaves one in progress or scored as it is', async () => {
    await expect(handle(failedDelivery(randomUUID()))).resolves.toBeUndefined();
    const inProgress = await interviewIn('in_progress');
    await handle(failedDelivery(inProgress));
    expect(await session(inProgress)).toMatchObject({ status: 'in_progress', failureReason: null });
    const scored = await interviewIn('scored');
    await handle(failedDelivery(scored));
    expect(await session(scored)).toMatchObject({ status: 'scored', failureReason: null });
    expect(await db.selectFrom('interview_sessions').select('id').where('status', '=', 'failed').where('id', 'in', [inProgress, scored]).execute()).toEqual([]);
  });

  it('maps to INTERVIEW_STATE_FAILED with failure_reason, and the other states with none', async () => {
    const sessionId = await interviewIn('completed');
    await handle(failedDelivery(sessionId));
    const failed = await session(sessionId);
    expect(toState('failed')).toBe(InterviewState.INTERVIEW_STATE_FAILED);
    expect(toInterview(failed)).toMatchObject({ id: sessionId, state: InterviewState.INTERVIEW_STATE_FAILED, failureReason: REASON });
    const completed = await session(await interviewIn('completed'));
    expect(toInterview(completed)).toMatchObject({ state: InterviewState.INTERVIEW_STATE_COMPLETED, failureReason: '' });
  });

  it('shows the failure through InterviewService, and GetReport answers FAILED_PRECONDITION saying why', async () => {
    const sessionId = await interviewIn('completed');
    await handle(failedDelivery(sessionId));
    const generateReport = jest.fn(() => Promise.reject(new Error('the scoring service has no report of a failed interview')));
    const interviews = new Interviews(store, { analyzeFrame: () => Promise.reject(new Error('not used')), generateReport }, outbox, silentLogger());
    const rpc = interviewHandlers(
      interviews,
      handlerLimits(interviewLimitSpecs({}), (spec) => createRateLimit(spec, { kind: 'memory' })),
      new ReportLinks(randomBytes(32), 900, () => 'https://reports.test'),
    );
    const ctx = callContext(CANDIDATE);

    expect(await rpc.getInterview({ interviewId: sessionId }, ctx)).toMatchObject({ state: InterviewState.INTERVIEW_STATE_FAILED, failureReason: REASON });
    expect(await rpc.getInterviewStatus({ interviewId: sessionId }, ctx)).toMatchObject({
      interviewId: sessionId,
      state: InterviewState.INTERVIEW_STATE_FAILED,
      failureReason: REASON,
    });
    const error = await rpc.getReport({ interviewId: sessionId, includeEmotions: false, format: ReportFormat.REPORT_FORMAT_UNSPECIFIED }, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(toStatus(error)).toEqual({ code: status.FAILED_PRECONDITION, details: expect.stringContaining(REASON) as unknown });
    expect(toStatus(error).details).toMatch(/failed/);
    expect(generateReport).not.toHaveBeenCalled();
  });
});
