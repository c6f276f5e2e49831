/**
 * The fault suite (`npm run test:faults`): the mesh as deployed, on its own PostgreSQL and RabbitMQ,
 * through the faults a deployment meets. Each case counts the way Jepsen's RabbitMQ test does: a
 * frame counts as sent only once SendFrame confirmed it; after the fault, heal, drain, then report
 * lost, duplicated and unexpected. Every case asserts lost = 0 and duplicate effects = 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { CONTENT_TYPES, EVENTS, encodeEvent } from '../../src/platform/bus/event-catalog';
import { sleep, waitFor } from '../support/wait';
import { deadLetteredIn, drainAndAudit, FaultReport, formatReports } from './support/audit';
import { FaultMesh } from './support/fault-mesh';
import { Candidate, InterviewLoad, LoadOptions, signUpCandidates } from './support/interview-load';
import { publishRaw } from './support/publish-raw';

jest.setTimeout(300_000);

const REPORT_FILE = path.resolve(__dirname, '../../.cache/fault-report.md');
const DUPLICATE = 'duplicate message ignored';

describe('faults: nothing lost, nothing done twice', () => {
  let mesh: FaultMesh | undefined;
  /** One candidate per session of the largest case, signed up once. */
  let candidates: Candidate[] = [];
  let image: Buffer;
  const reports: FaultReport[] = [];

  beforeAll(async () => {
    // A small JPEG with one face: the load is about the mesh's plumbing, not the models' speed.
    image = await sharp(fs.readFileSync(path.resolve(__dirname, '../fixtures/faces/astronaut.png')))
      .resize(256, 256)
      .jpeg({ quality: 80 })
      .toBuffer();
    mesh = await FaultMesh.start();
    candidates = await signUpCandidates(mesh.address('auth'), mesh.address('interview'), 20);
  });

  afterAll(async () => {
    for (const { client } of candidates) client.close();
    await mesh?.close();
    const table = formatReports(reports);
    fs.mkdirSync(path.dirname(REPORT_FILE), { recursive: true });
    fs.writeFileSync(REPORT_FILE, `${table}\n`);
    console.log(`fault suite (npm run test:faults):\n${table}`);
  });

  /** Runs `options` worth of interviews, applies `fault` meanwhile, heals, drains and audits. */
  async function runCase(name: string, options: Omit<LoadOptions, 'image'>, fault: (load: InterviewLoad) => Promise<void>): Promise<FaultReport> {
    await mesh!.waitServing(['emotion', 'scoring', 'notifier', 'interview']);
    const absorbedBefore = mesh!.countLogs(DUPLICATE);
    const load = new InterviewLoad(candidates);
    await Promise.all([load.run({ ...options, image }), fault(load)]);
    const report = await drainAndAudit(name, mesh!, load, absorbedBefore);
    reports.push(report);
    console.log(`${name}: ${JSON.stringify(report)}`);
    if (report.details.length) {
      // Warnings and errors of the services, to see why (pino levels 40 and up).
      const trouble = mesh!
        .logs()
        .split('\n')
        .filter((line) => /"level":(40|50|60)/.test(line));
      console.error(`${name}: service warnings and errors (last 60 of ${trouble.length}):\n${trouble.slice(-60).join('\n')}`);
    }
    return report;
  }

  function expectNothingLostOrDoubled(report: FaultReport): void {
    expect(report.details).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.duplicateEffects).toBe(0);
    expect(report.sent).toBeGreaterThan(0);
    expect(report.interviewsScored).toBe(report.interviewsCompleted);
  }

  it('RabbitMQ restarted while 20 interviews stream frames', async () => {
    const report = await runCase('rabbitmq restart', { sessions: 20, seconds: 12, framesPerSecond: 2 }, async () => {
      await sleep(4_000);
      await mesh!.restartRabbitmq();
    });
    expectNothingLostOrDoubled(report);
    expect(report.deadLettered).toBe(0);
  });

  it('the emotion service killed (SIGKILL) mid-stream and restarted', async () => {
    const report = await runCase('emotion SIGKILL + restart', { sessions: 10, seconds: 10, framesPerSecond: 2 }, async () => {
      await sleep(3_000);
      await mesh!.stop('emotion', 'SIGKILL');
      await sleep(3_000);
      await mesh!.restart('emotion');
    });
    expectNothingLostOrDoubled(report);
    expect(report.deadLettered).toBe(0);
  });

  it('PostgreSQL restarted mid-run', async () => {
    const report = await runCase('postgres restart', { sessions: 10, seconds: 10, framesPerSecond: 2 }, async () => {
      await sleep(3_000);
      await mesh!.restartPostgres();
    });
    expectNothingLostOrDoubled(report);
    expect(report.deadLettered).toBe(0);
  });

  it('a consumer killed (SIGKILL) while holding unacknowledged messages', async () => {
    // Scoring is down while the interviews run, so its queues fill; started again, it is killed as
    // soon as it has processed some of them, with more of its prefetch in hand, then started again.
    const countSamples = async (ids: string[]) =>
      (await mesh!.query<{ n: number }>('select count(*)::int as n from scoring.emotion_samples where session_id = any($1::uuid[])', [ids]))[0].n;
    const report = await runCase('consumer SIGKILL with unacked', { sessions: 10, seconds: 8, framesPerSecond: 2 }, async (load) => {
      await mesh!.stop('scoring', 'SIGKILL');
      await waitFor('the ten interviews to complete', () => load.completed.size >= 10, Infinity, 200);
      const before = await countSamples(load.started);
      mesh!.launch('scoring');
      await waitFor('scoring to record samples', async () => (await countSamples(load.started)) !== before, Infinity, 10);
      await mesh!.stop('scoring', 'SIGKILL');
      await mesh!.restart('scoring');
    });
    expectNothingLostOrDoubled(report);
    expect(report.deadLettered).toBe(0);
  });

  it('SIGTERM during load: in-flight work finishes, the outbox is flushed, exit 0', async () => {
    const exits: (number | null)[] = [];
    let unpublishedAfterExit = -1;
    const report = await runCase('SIGTERM under load', { sessions: 10, seconds: 10, framesPerSecond: 2 }, async () => {
      await sleep(3_000);
      exits.push(...(await Promise.all([mesh!.stop('interview', 'SIGTERM'), mesh!.stop('scoring', 'SIGTERM')])));
      const left = await mesh!.query(
        'select seq, message_type, created_at, claimed_until, attempts, last_error from interview.outbox where published_at is null',
      );
      unpublishedAfterExit = left.length;
      if (left.length)
        console.error(
          `unpublished after SIGTERM: ${JSON.stringify(left)}\n${mesh!
            .logs()
            .split('\n')
            .filter((l) => /outbox|shutting down|stopped|grace/.test(l))
            .join('\n')}`,
        );
      await Promise.all([mesh!.restart('interview'), mesh!.restart('scoring')]);
    });
    expect(exits).toEqual([0, 0]);
    expect(unpublishedAfterExit).toBe(0);
    expectNothingLostOrDoubled(report);
  });

  it('network faults: latency past the deadline and connections reset, between services and toward the broker', async () => {
    const report = await runCase('network: latency + resets', { sessions: 10, seconds: 12, framesPerSecond: 2 }, async () => {
      await sleep(2_000);
      // Interview -> emotion slower than its 1.5 s deadline: calls fail DEADLINE_EXCEEDED, frames go to the queue.
      await mesh!.toxiproxy.addToxic('emotion', { name: 'slow', type: 'latency', attributes: { latency: 2_500, jitter: 0 } });
      await sleep(3_000);
      await mesh!.toxiproxy.removeToxic('emotion', 'slow');
      // Interview -> emotion connections reset mid-call.
      await mesh!.toxiproxy.addToxic('emotion', { name: 'reset', type: 'reset_peer', attributes: { timeout: 100 } });
      await sleep(2_000);
      await mesh!.toxiproxy.removeToxic('emotion', 'reset');
      // Every service's broker connection cut, and refused for two seconds.
      await mesh!.toxiproxy.setEnabled('amqp', false);
      await sleep(2_000);
      await mesh!.toxiproxy.setEnabled('amqp', true);
    });
    expectNothingLostOrDoubled(report);
    expect(report.deadLettered).toBe(0);
  });
  it('poison messages among good ones are parked with their reason and block nothing', async () => {
    const poison = async () => {
      await sleep(1_000);
      // Not JSON: unprocessable, dead-lettered at its first attempt.
      await publishRaw(mesh!, EVENTS.frameCaptured.routingKey, Buffer.from('{not json'), { type: EVENTS.frameCaptured.typeName, messageId: 'poison-not-json' });
      // Binary, as frames travel, but not protobuf (a varint cut short): unprocessable, dead-lettered at once too.
      await publishRaw(mesh!, EVENTS.frameCaptured.routingKey, Buffer.from([0x08, 0xff]), {
        type: EVENTS.frameCaptured.typeName,
        messageId: 'poison-not-protobuf',
        contentType: CONTENT_TYPES.protobuf,
      });
      // Well-formed, but its session id is no uuid: the database refuses it on every attempt, so it
      // is retried after 250, 500 and 1000 ms and then parked.
      const bad = encodeEvent(
        EVENTS.emotionAnalyzed,
        {
          sessionId: 'not-a-session',
          timestamp: new Date(),
          emotion: 'happy',
          confidence: 0.9,
          blinkCount: 0,
          metadata: {},
          frameNumber: 1,
          faceDetected: true,
          blinksTracked: false,
        },
        'not-a-session',
      );
      await publishRaw(mesh!, bad.routingKey, bad.body, { type: bad.properties.type, messageId: 'poison-bad-session' });
    };
    const report = await runCase('poison messages', { sessions: 6, seconds: 6, framesPerSecond: 2 }, poison);
    expectNothingLostOrDoubled(report);
    // The well-formed one is parked after its retries (250 + 500 + 1000 ms of retry-queue TTL):
    // the drain may end first, when the frames' own work was quicker.
    const drainedAt = Date.now();
    let depths = await mesh!.queueDepths();
    for (let waited = 0; !depths['scoring.emotions.dead'] && waited < 30_000; waited += 250) {
      await sleep(250);
      depths = await mesh!.queueDepths();
    }
    const trail = mesh!
      .logs()
      .split('\n')
      .filter((line) => line.includes('poison-bad-session'));
    console.log(`poison messages: queues holding messages after the drain (+${Date.now() - drainedAt} ms): ${JSON.stringify(depths)}\n${trail.join('\n')}`);
    expect(depths).toMatchObject({ 'emotion.analysis.dead': 2, 'scoring.emotions.dead': 1 });
    report.deadLettered = deadLetteredIn(depths); // the table shows the settled count
    expect(report.deadLettered).toBe(3);
    const parked = mesh!
      .logs()
      .split('\n')
      .filter((line) => line.includes('poison-bad-session') && line.includes('dead-lettered'));
    expect(parked).toHaveLength(1);
    expect(parked[0]).toContain('"attempt":4');
    expect(parked[0]).toContain('not-a-session');
    const notProtobuf = mesh!
      .logs()
      .split('\n')
      .filter((line) => line.includes('poison-not-protobuf') && line.includes('dead-lettered'));
    expect(notProtobuf).toHaveLength(1);
    expect(notProtobuf[0]).toContain('"attempt":1');
    expect(notProtobuf[0]).toContain('is not protobuf');
  });
});
