/**
 * The embedded default in one process (PGlite in memory, the in-process bus): readiness and
 * shutdown as health reports them, and an interview over the bidirectional stream.
 */
import { MeshMetrics } from '../../src/platform/telemetry/metrics';
import { TEST_MESH_ENV } from '../support/mesh-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Difficulty, InterviewState, ReportFormat } from '../../src/gen/interview';
import { IntegritySection, IntegrityStatus } from '../../src/gen/report';
import { EventBus } from '../../src/platform/bus/event-bus';
import { MemoryBus } from '../../src/platform/bus/memory-bus';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../../src/platform/db/database';
import { silentLogger } from '../../src/platform/log/logger';
import { migrate } from '../../src/mesh/infrastructure';
import { startMesh } from '../../src/mesh/start-mesh';
import { startService } from '../../src/platform/service/host';
import { CALL_POLICY } from '../../src/mesh/call-policy';
import { TransportSecurity } from '../../src/platform/tls/transport-security';
import { scoringService } from '../../src/services/scoring';
import { scoringSettings } from '../../src/services/scoring/settings';
import { SCORING_DOWNSTREAMS } from '../../src/services/scoring/server';
import { createDownstreamClient } from '../../src/platform/service/downstream-client';
import { meshTopology } from '../../src/mesh/topology';
import { SERVICES } from '../../src/mesh/registry';
import { InterviewStreamClient } from '../../src/demo/interview-stream-client';
import { checkHealth, waitForHealth, watchHealth } from '../support/grpc-clients';
import { signUp } from '../support/identity';
import { interviewClient } from '../support/interview-client';

import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const FIXTURES = path.resolve(__dirname, '../fixtures/faces');

describe('health follows readiness', () => {
  let db: DatabaseHandle;
  beforeAll(async () => {
    db = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrate(db, [scoringService], silentLogger());
  });
  afterAll(() => db.close());

  it('is NOT_SERVING until the broker is ready, SERVING once it is, NOT_SERVING while shutting down', async () => {
    let brokerUp = false;
    const memory = new MemoryBus(silentLogger(), meshTopology(SERVICES));
    const bus: EventBus = {
      declareTopology: () => memory.declareTopology(),
      publish: (...a) => memory.publish(...a),
      consume: (...a) => memory.consume(...a),
      close: () => memory.close(),
      isReady: () => brokerUp,
    };
    const config = { ...loadConfig({ ...TEST_MESH_ENV }), bindHost: '127.0.0.1' };
    // TLS with the tests' certificates (TEST_TLS_DIR): the scoring service's own, its port requiring a client certificate.
    const transport = new TransportSecurity(config.transport, silentLogger());
    // Its integrity downstream, never called here (no report is asked for): a client of an address nothing listens on.
    const integrity = createDownstreamClient(SCORING_DOWNSTREAMS.integrity, {
      target: '127.0.0.1:1',
      channel: transport.channel({ kind: 'service', name: 'scoring' }, 'integrity'),
      deadlineMs: SCORING_DOWNSTREAMS.integrity.deadlineMs,
      log: silentLogger(),
    });
    const service = await startService(
      scoringService,
      { config, log: silentLogger(), db, busFor: () => bus, transport, policy: CALL_POLICY, metrics: new MeshMetrics() },
      { port: 0, settings: scoringSettings({}), downstreams: { integrity } },
    );
    const address = service.server.address;

    expect(await checkHealth(address)).toBe('NOT_SERVING');
    expect(await checkHealth(address, 'scoring.ScoringService')).toBe('NOT_SERVING');
    brokerUp = true;
    await waitForHealth(address, 'SERVING', 10_000);
    expect(await checkHealth(address, 'scoring.ScoringService')).toBe('SERVING');

    const watch = watchHealth(address);
    await waitFor('the health watch', () => watch.statuses.length > 0, Infinity, 20);
    await service.stop(1_000);
    await watch.ended;
    watch.stop();
    integrity.close();
    transport.close();
    expect(watch.statuses).toEqual(['SERVING', 'NOT_SERVING']);
  });
});

describe('the embedded mesh', () => {
  it('runs an interview over StreamInterview: emotion updates, questions, progress, errors that keep the stream open', async () => {
    const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mesh-keys-'));
    const env = {
      DATA_DIR: 'memory://',
      BIND_HOST: '127.0.0.1',
      INTERVIEW_PORT: '0',
      EMOTION_PORT: '0',
      SCORING_PORT: '0',
      NOTIFIER_PORT: '0',
      AUTH_PORT: '0',
      AUTH_SCRYPT_COST: '10',
      AUTH_KEYS_DIR: keysDir,
      // Not in this mesh, and nothing listens there: the report says its integrity section is unavailable.
      INTEGRITY_ADDR: '127.0.0.1:1',
      ...TEST_MESH_ENV,
    };
    const config = { ...loadConfig(env), dataDir: 'memory://' };
    const mesh = await startMesh(config, ['emotion', 'scoring', 'notifier', 'auth', 'interview'], silentLogger(), { env });
    const candidate = await signUp(mesh.address('auth'), 'candidate').catch(async (error: unknown) => {
      await mesh.stop(1_000);
      throw error;
    });
    const client = interviewClient(mesh.address('interview'), candidate.accessToken);
    try {
      const interview = await client.startInterview({
        candidateId: candidate.userId,
        categories: ['technical'],
        difficulty: Difficulty.DIFFICULTY_UNSPECIFIED,
        questionCount: 2,
      });
      expect(interview.questions.every((q) => q.category === 'technical')).toBe(true);

      const stream = new InterviewStreamClient(client.streamInterview());
      stream.send({ interviewId: interview.id, ping: { sentAtMs: 42 } });
      const opening = await stream.until((r) => r.pong !== undefined);
      expect(opening.map((r) => Object.keys(r).find((k) => r[k as keyof typeof r] !== undefined))).toEqual(['status', 'question', 'pong']);
      expect(opening[1].question!.id).toBe(interview.questions[0].id);
      expect(opening[2].pong!.sentAtMs).toBe(42);

      stream.send({ frame: { imageData: fs.readFileSync(path.join(FIXTURES, 'astronaut.png')), format: 'png', timestampMs: 1000 } });
      const [face] = await stream.until((r) => r.emotionUpdate !== undefined);
      expect(face.emotionUpdate).toMatchObject({ frameNumber: 1, faceDetected: true, emotion: 'happy', queued: false });
      // The interview's first face: its blinks are tracked from here (none yet); no rate under 15 s of frames.
      expect(face.emotionUpdate).toMatchObject({ blinkCount: 0, blinkRatePerMinute: undefined, blinkRateWindowSeconds: undefined });

      stream.send({ frame: { imageData: fs.readFileSync(path.join(FIXTURES, 'coffee.png')), format: 'png', timestampMs: 1500 } });
      const noFace = await stream.until((r) => r.error !== undefined);
      expect(noFace[0].emotionUpdate).toMatchObject({ frameNumber: 2, faceDetected: false, emotion: '' });
      expect(noFace[1].error).toMatchObject({ reason: 'FACE_NOT_DETECTED' });
      // No face now, but the interview's count so far is still known.
      expect(noFace[0].emotionUpdate?.blinkCount).toBe(0);

      // A blink as the emotion service measures it: lids closed (EAR 0.205) at 16 s, open (0.32) 300 ms later.
      stream.send({ frame: { imageData: fs.readFileSync(path.join(FIXTURES, 'astronaut-eyes-closed.png')), format: 'png', timestampMs: 16_000 } });
      const [closed] = await stream.until((r) => r.emotionUpdate !== undefined);
      expect(closed.emotionUpdate).toMatchObject({ frameNumber: 3, faceDetected: true, blinkCount: 0, blinkRatePerMinute: 0, blinkRateWindowSeconds: 15 });
      stream.send({ frame: { imageData: fs.readFileSync(path.join(FIXTURES, 'astronaut.png')), format: 'png', timestampMs: 16_300 } });
      const [reopened] = await stream.until((r) => r.emotionUpdate !== undefined);
      // One blink over the 15.3 s from the first tracked frame (1 s): 3.9 a minute.
      expect(reopened.emotionUpdate).toMatchObject({ frameNumber: 4, blinkCount: 1, blinkRatePerMinute: 3.9, blinkRateWindowSeconds: 15.3 });

      stream.send({ frame: { imageData: Buffer.from('garbage'), format: '', timestampMs: 0 } });
      const [bad] = await stream.until((r) => r.error !== undefined);
      expect(bad.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'image_data is not an image (expected JPEG or PNG bytes)' });

      for (const [i, question] of interview.questions.entries()) {
        stream.send({
          answer: {
            questionId: question.id,
            transcript: 'A hash map stores keys in buckets chosen by a hash function; collisions go to a chain.',
            durationSeconds: 10,
            confidence: 0.9,
          },
        });
        const status = (await stream.until((r) => r.status !== undefined)).pop()!;
        expect(status.status).toMatchObject({ answered: i + 1, totalQuestions: 2 });
      }
      stream.end();

      await client.completeInterview({ interviewId: interview.id });
      await waitFor(
        'the interview to be scored',
        async () => (await client.getInterviewStatus({ interviewId: interview.id })).state === InterviewState.INTERVIEW_STATE_SCORED,
        20_000,
        100,
      );
      const { report } = await client.getReport({ interviewId: interview.id, includeEmotions: false, format: ReportFormat.REPORT_FORMAT_UNSPECIFIED });
      expect(report?.emotionSummary).toMatchObject({ sampleCount: 4, faceDetectedCount: 3, timeline: [] });
      // The report's rate over the whole interview agrees with the stream's last live figure.
      expect(report?.blinks).toMatchObject({ blinkCount: 1, blinksPerMinute: 3.9 });
      // Scoring asked the integrity service, which did not answer: said so, and nothing made up.
      expect(report?.integrity).toEqual(IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE }));
    } finally {
      client.close();
      await mesh.stop(1_000);
      fs.rmSync(keysDir, { recursive: true, force: true });
    }
  });
});
