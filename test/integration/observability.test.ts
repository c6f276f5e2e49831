/**
 * Issue 12 end to end: the mesh as deployed (a process per service, PostgreSQL, RabbitMQ, TLS),
 * each process serving /metrics on a port of its own and exporting spans over OTLP to a real Jaeger
 * (built from its Go module); a real Prometheus (Debian's) scrapes them every second while one
 * interview runs. The test asserts through Prometheus's query API (request rates, latency
 * quantiles, breaker state, messages) and finds the interview's traces through Jaeger's: the
 * completion from the interview service through scoring to the notifier in one trace, and each
 * frame from the interview service to the emotion service. The PromQL results and the traces'
 * spans go to .cache/observability-results.json for whoever reports on them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { Difficulty, InterviewState, ReportFormat } from '../../src/gen/interview';
import { signUp } from '../support/identity';
import { createTestDatabase, createTestVhost, Disposable } from '../support/infrastructure';
import { interviewClient } from '../support/interview-client';
import { Jaeger, JaegerTrace, startJaeger } from '../support/jaeger';
import { meshEnv, meshPorts, removeAuthKeys } from '../support/mesh-process';
import { Prometheus, startPrometheus } from '../support/prometheus';
import { ServiceProcess } from '../support/service-process';
import { waitFor } from '../support/wait';

jest.setTimeout(300_000);

const FIXTURES = path.resolve(__dirname, '../fixtures/faces');
const NAMES: readonly string[] = ['emotion', 'scoring', 'notifier', 'auth', 'interview'];
const RESULTS = path.resolve(__dirname, '../../.cache/observability-results.json');

/** Span names of a trace, by service: what the assertions and the report read. */
function spansByService(found: JaegerTrace): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const span of [...found.spans].sort((a, b) => a.startTimeUs - b.startTimeUs)) (by[span.service] ??= []).push(span.operationName);
  return by;
}

/** `host:port` of a process's /metrics, from the line it logs once it serves them ("serving metrics"). */
function metricsAddressOf(process: ServiceProcess): string {
  for (const line of process.logs().split('\n')) {
    if (!line.includes('"msg":"serving metrics"')) continue;
    return new URL((JSON.parse(line) as { metrics: string }).metrics).host;
  }
  throw new Error(`${process.name} logged no "serving metrics" line:\n${process.logs().slice(-2000)}`);
}

describe('metrics in Prometheus and traces in Jaeger, from a mesh of processes running an interview', () => {
  let database: Disposable<string> | undefined;
  let vhost: Disposable<string> | undefined;
  let jaeger: Jaeger | undefined;
  let prometheus: Prometheus | undefined;
  let env: Record<string, string> = {};
  let ports: Record<string, number>;
  const processes: Partial<Record<string, ServiceProcess>> = {};
  const address = (name: string) => `127.0.0.1:${ports[name]}`;

  beforeAll(async () => {
    [database, vhost, jaeger] = await Promise.all([createTestDatabase(), createTestVhost(), startJaeger()]);
    ports = await meshPorts();
    env = {
      ...meshEnv(ports, database.value, vhost.value),
      EMOTION_ADDR: `127.0.0.1:${ports.emotion}`,
      SCORING_ADDR: `127.0.0.1:${ports.scoring}`,
      AUTH_ADDR: `127.0.0.1:${ports.auth}`,
      ...jaeger.otelEnv(),
    };
    // Each process picks a free metrics port itself (METRICS_PORT=0, TEST_MESH_ENV's) and logs it: a
    // port chosen here first could be taken by someone's connection before the process binds it.
    for (const name of NAMES) processes[name] = ServiceProcess.start(name, env);
    try {
      await Promise.all(NAMES.map((name) => processes[name]!.waitServing(address(name), 90_000)));
    } catch (error) {
      for (const name of NAMES) console.error(`--- ${name} logs ---\n${processes[name]!.logs()}`);
      throw error;
    }
    prometheus = await startPrometheus({
      targets: NAMES.map((name) => ({ address: metricsAddressOf(processes[name]!), labels: { process: name } })),
      scrapeIntervalMs: 1_000,
    });
    await prometheus.waitForTargetsUp();
  });

  afterAll(async () => {
    await Promise.all(
      NAMES.map((name) => processes[name])
        .filter((p) => p !== undefined)
        .map((p) => p.stop('SIGTERM')),
    );
    await Promise.all([prometheus?.stop(), jaeger?.stop(), database?.dispose(), vhost?.dispose(), removeAuthKeys(env)]);
  });

  it('sees the interview in the golden signals and follows it as traces across every service', async () => {
    const candidate = await signUp(address('auth'), 'candidate');
    const client = interviewClient(address('interview'), candidate.accessToken);
    const sql = new Client({ connectionString: database!.value });
    await sql.connect();
    let interviewId = '';
    try {
      const interview = await client.startInterview({ candidateId: '', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 2 });
      interviewId = interview.id;
      for (const [i, file] of ['astronaut.png', 'chelsea.png', 'astronaut.png'].entries()) {
        await client.sendFrame({ interviewId, imageData: fs.readFileSync(path.join(FIXTURES, file)), format: 'png', timestampMs: 1_700_000_000_000 + i * 500 });
      }
      for (const question of interview.questions) {
        await client.submitAnswer({
          interviewId,
          questionId: question.id,
          transcript: `For "${question.text}" I start from the requirements, measure, and change one thing at a time.`,
          durationSeconds: 20,
          confidence: 0.9,
        });
      }
      await client.completeInterview({ interviewId });
      await waitFor(
        'the interview to be scored',
        async () => (await client.getInterviewStatus({ interviewId })).state === InterviewState.INTERVIEW_STATE_SCORED,
        60_000,
      );
      await waitFor(
        'the notification',
        async () => (await sql.query('select 1 from notifier.notifications where session_id = $1', [interviewId])).rowCount === 1,
        30_000,
      );
      await client.getReport({ interviewId, includeEmotions: true, format: ReportFormat.REPORT_FORMAT_UNSPECIFIED });
    } finally {
      client.close();
      await sql.end();
    }

    // Prometheus, through its query API.
    const p = prometheus!;
    const promql: Record<string, number> = {};
    const record = async (expression: string, check: (value: number) => boolean) => {
      promql[expression] = await p.waitForValue(expression, check, 30_000);
    };
    await record('sum(rpc_server_call_duration_seconds_count{service="interview",rpc_method="CompleteInterview",rpc_grpc_status_code="0"})', (v) => v === 1);
    await record('sum(rpc_server_call_duration_seconds_count{service="interview",rpc_method="SendFrame",rpc_grpc_status_code="0"})', (v) => v === 3);
    // Each frame on the interview's AnalyzeStream, as the interview service saw it (the call's own series covers the whole stream).
    await record(
      'sum(mesh_stream_message_duration_seconds_count{service="interview",server="emotion",rpc_method="AnalyzeStream",rpc_grpc_status_code="0"})',
      (v) => v === 3,
    );
    await record('sum(rate(rpc_server_call_duration_seconds_count{service="interview",rpc_method="SendFrame"}[1m]))', (v) => v > 0);
    // The success rate of every RPC the interview service served: all OK.
    await record(
      'sum(rate(rpc_server_call_duration_seconds_count{service="interview",rpc_grpc_status_code="0"}[1m])) / sum(rate(rpc_server_call_duration_seconds_count{service="interview"}[1m]))',
      (v) => v === 1,
    );
    // The frames' latency quantiles as the emotion service served them: within their 2 s budget.
    for (const q of [0.5, 0.95, 0.99]) {
      await record(
        `histogram_quantile(${q}, sum by (le) (rate(emotion_stream_frame_duration_seconds_bucket{rpc_grpc_status_code="0"}[1m])))`,
        (v) => v > 0 && v < 2,
      );
    }
    await record('max(mesh_breaker_state{service="interview",downstream="emotion"})', (v) => v === 0);
    await record('max(mesh_breaker_state{service="interview",downstream="scoring"})', (v) => v === 0);
    await record('sum(mesh_messages_total{service="notifier",queue="notification.email",outcome="handled"})', (v) => v >= 1);
    await record('sum(mesh_messages_total{service="scoring",queue="scoring.process",outcome="handled"})', (v) => v >= 1);
    await record('sum(mesh_messages_total{outcome="dead_lettered"})', (v) => v === 0);
    await record('max(mesh_outbox_waiting_messages)', (v) => v === 0);
    await record('max(emotion_inference_duration_seconds_count{model="detection"})', (v) => v >= 1);

    // Jaeger, through its query API. The completion, from the interview service to the scoring service, is one trace.
    const j = jaeger!;
    const conversation = { 'messaging.message.conversation_id': interviewId };
    const [completion] = await j.waitForTraces('scoring', { operation: 'scoring.process process', tags: conversation });
    const completionSpans = spansByService((await j.trace(completion.traceId))!);
    expect(completionSpans.interview).toEqual(expect.arrayContaining(['interview.v1.InterviewService/CompleteInterview', 'interview.completed publish']));
    expect(completionSpans.scoring).toEqual(expect.arrayContaining(['scoring.process process']));
    // The score is published by whichever event completed the set (the completion, or the last frame's
    // emotions, which may come after it): the notification continues that event's trace, from the
    // interview service's call through the scoring service to the notifier and back to the interview service.
    const [notification] = await j.waitForTraces('notifier', { operation: 'notification.email process', tags: conversation });
    const scoredSpans = spansByService((await j.trace(notification.traceId))!);
    expect(Object.keys(scoredSpans)).toEqual(expect.arrayContaining(['interview', 'notifier', 'scoring']));
    expect(scoredSpans.interview).toEqual(expect.arrayContaining(['interview.scored process']));
    expect(
      scoredSpans.interview.some((name) => ['interview.v1.InterviewService/CompleteInterview', 'interview.v1.InterviewService/SendFrame'].includes(name)),
    ).toBe(true);
    expect(scoredSpans.scoring).toEqual(expect.arrayContaining(['interview.scored publish']));
    expect(scoredSpans.notifier).toEqual(['notification.email process']);
    // Each frame: the interview service's SendFrame, the frame on its stream to the emotion service, the frame event it
    // published, the emotion service's analysis of it, and the scoring service's copy of the result.
    const frames = await j.waitForTraces('emotion', { operation: 'emotion.analysis process', tags: conversation }, (found) => found.length === 3);
    const frameTrace = (await j.trace(frames[0].traceId))!;
    const frameSpans = spansByService(frameTrace);
    // (the frame that completed the set also carries the score on to the notifier, as above)
    expect(Object.keys(frameSpans)).toEqual(expect.arrayContaining(['emotion', 'interview', 'scoring']));
    expect(frameSpans.interview).toEqual(
      expect.arrayContaining(['interview.v1.InterviewService/SendFrame', 'emotion.EmotionService/AnalyzeStream', 'interview.frame.captured publish']),
    );
    expect(frameSpans.emotion).toEqual(
      expect.arrayContaining(['emotion.EmotionService/AnalyzeStream', 'emotion.analysis process', 'interview.emotion.analyzed publish']),
    );
    expect(frameSpans.scoring).toEqual(expect.arrayContaining(['scoring.emotions process']));

    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, JSON.stringify({ interviewId, promql, completion: completionSpans, scored: scoredSpans, frame: frameSpans }, null, 2));
  });
});
