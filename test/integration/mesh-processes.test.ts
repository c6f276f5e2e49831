/**
 * The mesh as it is deployed: each service in its own process, real PostgreSQL and RabbitMQ
 * (a database and a vhost of their own), gRPC between processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Difficulty, InterviewState, ReportFormat } from '../../src/gen/interview';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { silentLogger } from '../../src/platform/log/logger';
import { TransportSecurity } from '../../src/platform/tls/transport-security';
import { createDownstreamClient } from '../../src/platform/service/downstream-client';
import { INTERVIEW_DOWNSTREAMS } from '../../src/services/interview/server';
import { checkHealth, listServicesByReflection, watchHealth } from '../support/grpc-clients';
import { signUp, SignedUp } from '../support/identity';
import { createTestDatabase, createTestVhost, Disposable } from '../support/infrastructure';
import { interviewClient, statusOf } from '../support/interview-client';
import { meshEnv, meshPorts, removeAuthKeys } from '../support/mesh-process';
import { ServiceProcess } from '../support/service-process';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const FIXTURES = path.resolve(__dirname, '../fixtures/faces');
const astronaut = fs.readFileSync(path.join(FIXTURES, 'astronaut.png'));
const coffee = fs.readFileSync(path.join(FIXTURES, 'coffee.png'));
const chelsea = fs.readFileSync(path.join(FIXTURES, 'chelsea.png'));

const NAMES: readonly string[] = ['emotion', 'scoring', 'notifier', 'auth', 'interview'];

describe('the mesh across processes, on PostgreSQL and RabbitMQ', () => {
  let database: Disposable<string> | undefined;
  let vhost: Disposable<string> | undefined;
  let env: Record<string, string>;
  let ports: Record<string, number>;
  const processes: Partial<Record<string, ServiceProcess>> = {};
  const address = (name: string) => `127.0.0.1:${ports[name]}`;
  let candidate: SignedUp;
  let client: ReturnType<typeof interviewClient> | undefined;
  let sql: Client | undefined;

  const count = async (query: string, params: unknown[]) => Number((await sql!.query<{ n: string }>(query, params)).rows[0].n);
  const waitScored = (id: string) =>
    waitFor(
      `interview ${id} to be scored`,
      async () => (await client!.getInterviewStatus({ interviewId: id })).state === InterviewState.INTERVIEW_STATE_SCORED,
    );

  beforeAll(async () => {
    [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
    ports = await meshPorts();
    env = {
      ...meshEnv(ports, database.value, vhost.value),
      EMOTION_ADDR: `127.0.0.1:${ports.emotion}`,
      SCORING_ADDR: `127.0.0.1:${ports.scoring}`,
      AUTH_ADDR: `127.0.0.1:${ports.auth}`,
    };
    for (const name of NAMES) processes[name] = ServiceProcess.start(name, env);
    try {
      await Promise.all(NAMES.map((name) => processes[name]!.waitServing(address(name), 90_000)));
    } catch (error) {
      for (const name of NAMES) console.error(`--- ${name} logs ---\n${processes[name]!.logs()}`);
      throw error;
    }
    candidate = await signUp(address('auth'), 'candidate');
    client = interviewClient(address('interview'), candidate.accessToken);
    sql = new Client({ connectionString: database.value });
    await sql.connect();
  });

  afterAll(async () => {
    client?.close();
    await sql?.end();
    await Promise.all(
      NAMES.map((name) => processes[name])
        .filter((p) => p !== undefined)
        .map((p) => p.stop('SIGKILL')),
    );
    await Promise.all([database?.dispose(), vhost?.dispose(), removeAuthKeys(env)]);
  });

  it('serves reflection listing every service, and health per service name', async () => {
    expect(await listServicesByReflection(address('interview'))).toEqual(['grpc.health.v1.Health', 'interview.v1.InterviewService']);
    expect(await listServicesByReflection(address('emotion'))).toEqual(['emotion.EmotionService', 'grpc.health.v1.Health']);
    expect(await listServicesByReflection(address('scoring'))).toEqual(['grpc.health.v1.Health', 'scoring.ScoringService']);
    expect(await listServicesByReflection(address('notifier'))).toEqual(['grpc.health.v1.Health']);
    expect(await checkHealth(address('emotion'), 'emotion.EmotionService')).toBe('SERVING');
    expect(await checkHealth(address('interview'), 'interview.dependency.emotion')).toBe('SERVING');
  });

  it('answers bad input with clear status codes and writes nothing', async () => {
    expect(
      await statusOf(client!.startInterview({ candidateId: 'someone-else', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 3 })),
    ).toBe("PERMISSION_DENIED: candidate_id must be empty or the caller's own id (the access token's subject)");
    expect(
      await statusOf(
        client!.startInterview({ candidateId: candidate.userId, categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 99 }),
      ),
    ).toBe('INVALID_ARGUMENT: question_count must be from 1 to 20, got 99');
    expect(await statusOf(client!.getInterview({ interviewId: '' }))).toBe('INVALID_ARGUMENT: interview_id is required');
    expect(await statusOf(client!.getInterview({ interviewId: 'abc' }))).toBe('INVALID_ARGUMENT: interview_id must be a UUID, got "abc"');
    expect(await statusOf(client!.getInterview({ interviewId: '00000000-0000-4000-8000-000000000000' }))).toBe(
      'NOT_FOUND: interview 00000000-0000-4000-8000-000000000000 not found',
    );

    const interview = await client!.startInterview({
      candidateId: candidate.userId,
      categories: [],
      difficulty: Difficulty.DIFFICULTY_UNSPECIFIED,
      questionCount: 2,
    });
    expect(await statusOf(client!.sendFrame({ interviewId: interview.id, imageData: Buffer.from('this is not an image'), format: '', timestampMs: 0 }))).toBe(
      'INVALID_ARGUMENT: image_data is not an image (expected JPEG or PNG bytes)',
    );
    expect(await statusOf(client!.sendFrame({ interviewId: interview.id, imageData: Buffer.alloc(0), format: '', timestampMs: 0 }))).toBe(
      'INVALID_ARGUMENT: image_data is required and must not be empty',
    );
    expect(
      await statusOf(
        client!.submitAnswer({ interviewId: interview.id, questionId: interview.questions[0].id, transcript: 'x', durationSeconds: -1, confidence: 0.5 }),
      ),
    ).toBe('INVALID_ARGUMENT: duration_seconds must be a number >= 0, got -1');
    // Nothing half-written: no frame, no answer recorded.
    expect(await count('select count(*) as n from interview.frames where session_id = $1', [interview.id])).toBe(0);
    expect(await count('select count(*) as n from interview.answers where session_id = $1', [interview.id])).toBe(0);
    expect((await client!.getInterviewStatus({ interviewId: interview.id })).framesReceived).toBe(0);
  });

  it('runs an interview to its stored scores and notification, every frame analyzed once', async () => {
    const interview = await client!.startInterview({
      candidateId: candidate.userId,
      categories: [],
      difficulty: Difficulty.DIFFICULTY_UNSPECIFIED,
      questionCount: 3,
    });
    expect(interview.state).toBe(InterviewState.INTERVIEW_STATE_IN_PROGRESS);
    expect(interview.questions).toHaveLength(3);

    const frames = [astronaut, coffee, chelsea, astronaut];
    const outcomes = [];
    for (const [i, imageData] of frames.entries())
      outcomes.push(await client!.sendFrame({ interviewId: interview.id, imageData, format: 'png', timestampMs: 1_700_000_000_000 + i * 500 }));
    expect(outcomes.map((o) => o.frameNumber)).toEqual([1, 2, 3, 4]);
    expect(outcomes.map((o) => o.analysis?.faceMetrics?.detected)).toEqual([true, false, false, true]);
    expect(outcomes[0].analysis!.emotion).toBe('happy');
    expect(outcomes[1].analysis!.emotion).toBe('');

    for (const question of interview.questions) {
      await client!.submitAnswer({
        interviewId: interview.id,
        questionId: question.id,
        transcript: `My answer to "${question.text}" starts from the requirements and the measured numbers.`,
        durationSeconds: 20,
        confidence: 0.9,
      });
    }
    expect(
      await statusOf(
        client!.submitAnswer({ interviewId: interview.id, questionId: interview.questions[0].id, transcript: 'again', durationSeconds: 1, confidence: 1 }),
      ),
    ).toMatch(/^ALREADY_EXISTS/);

    const completed = await client!.completeInterview({ interviewId: interview.id });
    expect(completed.state).toBe(InterviewState.INTERVIEW_STATE_COMPLETED);
    expect(await statusOf(client!.getReport({ interviewId: interview.id, includeEmotions: false, format: ReportFormat.REPORT_FORMAT_UNSPECIFIED }))).toMatch(
      /^FAILED_PRECONDITION/,
    );
    await waitScored(interview.id);

    expect(await count('select count(*) as n from scoring.scores where session_id = $1', [interview.id])).toBe(1);
    await waitFor(
      'the notification',
      async () => (await count('select count(*) as n from notifier.notifications where session_id = $1', [interview.id])) === 1,
      20_000,
    );
    const analyses = await sql!.query<{ frame_number: string; face_detected: boolean; emotion: string | null }>(
      'select frame_number, face_detected, emotion from emotion.emotion_analysis where session_id = $1 order by frame_number',
      [interview.id],
    );
    expect(analyses.rows.map((r) => [Number(r.frame_number), r.face_detected, r.emotion])).toEqual([
      [1, true, 'happy'],
      [2, false, null],
      [3, false, null],
      [4, true, 'happy'],
    ]);

    const report = await client!.getReport({ interviewId: interview.id, includeEmotions: true, format: ReportFormat.REPORT_FORMAT_UNSPECIFIED });
    const stored = (await sql!.query<{ overall_score: number }>('select * from scoring.scores where session_id = $1', [interview.id])).rows[0];
    expect(report.scores!.overall).toBeCloseTo(stored.overall_score, 4);
    // The deprecated report_json, as the callers written before the typed report read it.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const json = JSON.parse(report.reportJson.toString()) as { emotionSummary: unknown; answers: unknown[] };
    expect(json.emotionSummary).toMatchObject({ sampleCount: 4, faceDetectedCount: 2 });
    expect(json.answers).toHaveLength(3);
  });

  it('degrades when the emotion service stops: frames are queued, the breaker opens and fails fast, all recovers when it is back', async () => {
    const interview = await client!.startInterview({
      candidateId: candidate.userId,
      categories: [],
      difficulty: Difficulty.DIFFICULTY_UNSPECIFIED,
      questionCount: 2,
    });

    const watch = watchHealth(address('emotion'));
    await waitFor('the health watch', () => watch.statuses.length > 0, 5_000);
    expect(await processes.emotion!.stop('SIGTERM')).toBe(0);
    await watch.ended;
    watch.stop();
    expect(watch.statuses).toEqual(['SERVING', 'NOT_SERVING']);

    // The interview service keeps the work: every frame is accepted and queued.
    for (let i = 0; i < 6; i++) {
      const outcome = await client!.sendFrame({ interviewId: interview.id, imageData: i % 2 ? coffee : astronaut, format: 'png', timestampMs: 0 });
      expect(outcome).toMatchObject({ frameNumber: i + 1, queued: true, analysis: undefined });
    }
    await waitFor(
      'the emotion breaker to open',
      async () => (await checkHealth(address('interview'), 'interview.dependency.emotion')) === 'NOT_SERVING',
      10_000,
    );

    // A breaker of our own on the same downstream: once open, calls fail with UNAVAILABLE without trying.
    // Its channel is the interview service's own (its certificate, the emotion service's SPIFFE ID checked).
    const transport = new TransportSecurity(loadConfig(env).transport, silentLogger());
    const downstream = createDownstreamClient(INTERVIEW_DOWNSTREAMS.emotion, {
      target: address('emotion'),
      channel: transport.channel({ kind: 'service', name: 'interview' }, 'emotion'),
      deadlineMs: 2_000,
      log: silentLogger(),
      breaker: { volumeThreshold: 2, resetTimeoutMs: 1_000 },
    });
    const frame = { sessionId: interview.id, imageData: astronaut, timestamp: 0, format: 'png', traceContext: {} };
    const analyzeFrame = () => downstream.call('analyzeFrame', frame);
    for (let i = 0; i < 3; i++) await analyzeFrame().catch(() => undefined);
    expect(downstream.breakerState).toBe('open');
    expect(await statusOf(analyzeFrame())).toBe('UNAVAILABLE: emotion is unavailable (circuit open); retry later');

    processes.emotion = ServiceProcess.start('emotion', env);
    await processes.emotion.waitServing(address('emotion'), 90_000);
    // The queued frames reach analysis through RabbitMQ.
    await waitFor(
      'queued frames to be analyzed',
      async () => (await count('select count(*) as n from emotion.emotion_analysis where session_id = $1', [interview.id])) === 6,
    );
    // Half-open after each reset timeout (1 s), closed again once a trial call succeeds (the
    // channel may need a reconnect attempt or two first).
    await waitFor(
      'our breaker to close',
      async () =>
        analyzeFrame().then(
          (r) => r.emotion === 'happy',
          () => false,
        ),
      20_000,
    );
    expect(downstream.breakerState).toBe('closed');
    downstream.close();
    transport.close();
    // The interview service's own breaker closes too (its reset timeout is 5 s).
    await waitFor(
      'synchronous analysis again',
      async () => !(await client!.sendFrame({ interviewId: interview.id, imageData: astronaut, format: 'png', timestampMs: 0 })).queued,
      30_000,
    );
    expect(await checkHealth(address('interview'), 'interview.dependency.emotion')).toBe('SERVING');

    await client!.completeInterview({ interviewId: interview.id });
    await waitScored(interview.id);
    const sent = (await client!.getInterviewStatus({ interviewId: interview.id })).framesReceived;
    expect(await count('select count(distinct frame_number) as n from emotion.emotion_analysis where session_id = $1', [interview.id])).toBe(sent);
    expect(await count('select count(*) as n from emotion.emotion_analysis where session_id = $1', [interview.id])).toBe(sent);
  });

  it('shuts every service down gracefully on SIGTERM (exit code 0)', async () => {
    const codes = await Promise.all(NAMES.map((name) => processes[name]!.stop('SIGTERM')));
    expect(codes).toEqual([0, 0, 0, 0, 0]);
  });
});
