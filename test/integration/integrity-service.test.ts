/**
 * The integrity service as deployed: its own process on real PostgreSQL (its own role) and
 * RabbitMQ (its own broker user), fed interview.frame.captured events published as the interview
 * service's user, read over mTLS gRPC with the operator's certificate. One session of real
 * photographs, a frame a second: the astronaut facing the camera, then a coffee cup with no face in
 * view (face_missing after 5 s), then basketball1.png, two persons (another_person on two object
 * checks). The events are stored, the risk rises, each event is announced on the exchange as
 * interview.integrity.flagged, and a frame delivered again (the same message, or the same frame
 * under another message id) counts once. Photographs: test/fixtures/faces and test/fixtures/people
 * (SOURCES.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import amqp, { Channel, ChannelModel } from 'amqplib';
import { Client } from 'pg';
import { FrameCaptured, IntegrityFlagged } from '../../src/gen/events';
import { AnalyzeFrameRequest, Assessment, EventKind, FrameIntegrity, GetAssessmentRequest, IntegrityServiceClient, Verdict } from '../../src/gen/integrity';
import { SERVICES } from '../../src/mesh/registry';
import { AmqpBus } from '../../src/platform/bus/amqp-bus';
import { EventOwners } from '../../src/platform/bus/broker-identity';
import { decodeEvent, encodeEvent, EncodedEvent, EVENTS } from '../../src/platform/bus/event-catalog';
import { deadLetterQueue, EXCHANGE } from '../../src/platform/bus/topology';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { silentLogger } from '../../src/platform/log/logger';
import { freePort } from '../support/grpc-clients';
import { createTestDatabase, createTestVhost, Disposable, serviceBrokerEnv, serviceDatabaseEnv } from '../support/infrastructure';
import { statusOf } from '../support/interview-client';
import { TEST_MESH_ENV } from '../support/mesh-env';
import { ServiceProcess } from '../support/service-process';
import { testCredentials } from '../support/tls';
import { waitFor } from '../support/wait';

jest.setTimeout(240_000);

const FIXTURES = path.resolve(__dirname, '../fixtures');
const ASTRONAUT = fs.readFileSync(path.join(FIXTURES, 'faces/astronaut.png'));
const COFFEE = fs.readFileSync(path.join(FIXTURES, 'faces/coffee.png'));
const BASKETBALL = fs.readFileSync(path.join(FIXTURES, 'people/basketball1.png'));
const T0 = 1_700_000_000_000;

describe('integrity service on PostgreSQL and RabbitMQ', () => {
  let database: Disposable<string> | undefined;
  let vhost: Disposable<string> | undefined;
  let service: ServiceProcess | undefined;
  let client: IntegrityServiceClient | undefined;
  let interview: AmqpBus | undefined;
  let sql: Client | undefined;
  let watcher: { connection: ChannelModel; channel: Channel } | undefined;
  const flagged: IntegrityFlagged[] = [];

  const options = () => ({ deadline: new Date(Date.now() + 20_000), metadata: new Metadata() });
  const getAssessment = (request: GetAssessmentRequest) => callUnary<GetAssessmentRequest, Assessment>(client!.getAssessment.bind(client), request, options());
  const analyzeFrame = (request: AnalyzeFrameRequest) => callUnary<AnalyzeFrameRequest, FrameIntegrity>(client!.analyzeFrame.bind(client), request, options());

  beforeAll(async () => {
    [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
    const port = await freePort();
    service = ServiceProcess.start('integrity', {
      DATABASE_URL: database.value,
      // Its own role and its own broker user, as provisioned.
      ...serviceDatabaseEnv(database.value),
      AMQP_URL: vhost.value,
      ...serviceBrokerEnv(vhost.value),
      BIND_HOST: '127.0.0.1',
      INTEGRITY_PORT: String(port),
      ...TEST_MESH_ENV,
    });
    try {
      await service.waitServing(`127.0.0.1:${port}`, 120_000);
    } catch (error) {
      console.error(`--- integrity logs ---\n${service.logs()}`);
      throw error;
    }
    // The operator's certificate: the port requires one, and the call policy lets operators call both RPCs.
    client = new IntegrityServiceClient(`127.0.0.1:${port}`, testCredentials());
    sql = new Client({ connectionString: database.value });
    await sql.connect();
    // Frames come from the interview service's own broker user, the owner of interview.frame.captured.
    const env = serviceBrokerEnv(vhost.value);
    interview = await AmqpBus.connect({
      url: env.INTERVIEW_AMQP_URL,
      log: silentLogger(),
      topology: {},
      owners: EventOwners.of(SERVICES, env.AMQP_USER_PREFIX),
    });
    // What the service announces, seen on the exchange by a queue of the test's (as the vhost's administrator).
    const connection = await amqp.connect(vhost.value);
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, EXCHANGE, EVENTS.integrityFlagged.routingKey);
    await channel.consume(queue, (message) => {
      if (!message) return;
      const { messageId = '', type = '', contentType } = message.properties as { messageId?: string; type?: string; contentType?: string };
      flagged.push(
        decodeEvent(EVENTS.integrityFlagged, {
          routingKey: message.fields.routingKey,
          body: message.content,
          properties: { messageId, correlationId: '', type, schemaVersion: '', timestamp: 0, contentType },
          redelivered: false,
          attempt: 1,
          publisher: '',
        }),
      );
      channel.ack(message);
    });
    watcher = { connection, channel };
  });

  afterAll(async () => {
    client?.close();
    await watcher?.connection.close();
    await interview?.close();
    await sql?.end();
    await service?.stop('SIGKILL');
    await Promise.all([database?.dispose(), vhost?.dispose()]);
  });

  const analysed = async (session: string): Promise<number> =>
    Number((await sql!.query<{ n: string }>('select count(*) as n from integrity.analyzed_frames where session_id = $1', [session])).rows[0].n);
  const publish = (event: EncodedEvent) => interview!.publish(event.routingKey, event.body, event.properties);
  const frameEvent = (session: string, frameNumber: number, image: Buffer): EncodedEvent =>
    encodeEvent(
      EVENTS.frameCaptured,
      {
        sessionId: session,
        timestamp: new Date(T0 + (frameNumber - 1) * 1_000),
        imageData: image,
        format: 'png',
        frameNumber,
        analysis: undefined,
      } satisfies FrameCaptured,
      session,
    );

  it("turns a session's frames into stored events, a risk and announcements, and counts a frame delivered twice once", async () => {
    const session = randomUUID();
    const images = [ASTRONAUT, ASTRONAUT, ...Array<Buffer>(6).fill(COFFEE), ...Array<Buffer>(4).fill(BASKETBALL)];
    let last: EncodedEvent | undefined;
    for (const [i, image] of images.entries()) {
      last = frameEvent(session, i + 1, image);
      await publish(last);
      // A frame a second, each analysed before the next comes, as a live interview's sampled frames are.
      await waitFor(`frame ${i + 1} to be analysed`, async () => (await analysed(session)) === i + 1, 60_000, 50);
    }

    const assessment = await getAssessment({ sessionId: session });
    // The session's risk timeline, for the closing note.
    console.log(
      [
        `verdict ${Verdict[assessment.verdict]}, risk ${assessment.risk.toFixed(3)}, peak ${assessment.peakRisk.toFixed(3)}:`,
        ...assessment.events.map(
          (e) =>
            `  frame ${e.frameNumber} (${(e.confirmedAt!.getTime() - T0) / 1000} s) ${EventKind[e.kind]} +${e.weight} -> ${e.riskAfter.toFixed(3)}: ${e.detail}`,
        ),
      ].join('\n'),
    );
    expect(assessment).toMatchObject({ sessionId: session, framesAnalyzed: images.length });
    expect(assessment.firstFrameAt).toEqual(new Date(T0));
    expect(assessment.lastFrameAt).toEqual(new Date(T0 + (images.length - 1) * 1_000));
    const kinds = assessment.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining([EventKind.EVENT_KIND_FACE_MISSING, EventKind.EVENT_KIND_ANOTHER_PERSON]));
    // The cup: from its first frame (2nd second) to the 5 s the policy asks, confirmed by the 8th frame.
    const missing = assessment.events.find((e) => e.kind === EventKind.EVENT_KIND_FACE_MISSING)!;
    expect(missing).toMatchObject({ startedAt: new Date(T0 + 2_000), confirmedAt: new Date(T0 + 7_000), frameNumber: 8, weight: 0.15 });
    // Two persons on two object checks (the 9th and 11th analysed frames: objects every 2nd).
    const person = assessment.events.find((e) => e.kind === EventKind.EVENT_KIND_ANOTHER_PERSON)!;
    expect(person).toMatchObject({ frameNumber: 11, weight: 0.4 });
    expect(person.detail).toMatch(/person/);
    expect(assessment.eventsTotal).toBe(assessment.events.length);
    expect(assessment.risk).toBeGreaterThan(0.35);
    expect(assessment.peakRisk).toBeGreaterThanOrEqual(assessment.risk);
    expect([Verdict.VERDICT_REVIEW, Verdict.VERDICT_FLAGGED]).toContain(assessment.verdict);
    expect(assessment.policy).toEqual({ halfLifeSeconds: 60, reviewThreshold: 0.35, flagThreshold: 0.65 });

    const stored = await sql!.query<{ kind: string; frame_number: string }>(
      'select kind, frame_number from integrity.integrity_events where session_id = $1 order by id',
      [session],
    );
    expect(stored.rows.map((r) => r.kind)).toEqual(assessment.events.map((e) => EventKind[e.kind].replace('EVENT_KIND_', '').toLowerCase()));

    // Each event announced once on the exchange, with the risk after it and the verdict so far.
    await waitFor('every event announced', () => flagged.filter((f) => f.sessionId === session).length === assessment.eventsTotal, 30_000, 50);
    const mine = flagged.filter((f) => f.sessionId === session);
    expect(mine.map((f) => [f.event?.kind, f.event?.frameNumber])).toEqual(assessment.events.map((e) => [e.kind, e.frameNumber]));
    expect(mine.map((f) => f.risk)).toEqual(assessment.events.map((e) => e.riskAfter));
    // Each with the verdict just after it: clear after face_missing (0.15), review once another person joins.
    expect(mine.map((f) => [f.event?.kind, f.verdict])).toEqual(
      expect.arrayContaining([
        [EventKind.EVENT_KIND_FACE_MISSING, Verdict.VERDICT_CLEAR],
        [EventKind.EVENT_KIND_ANOTHER_PERSON, Verdict.VERDICT_REVIEW],
      ]),
    );

    // The last frame again: the same message (a redelivery), and the same frame under a new message id.
    await publish(last!);
    await publish(frameEvent(session, images.length, BASKETBALL));
    await waitFor('both duplicates handled', () => (service!.logs().match(/duplicate message ignored/g) ?? []).length >= 2, 60_000, 100);
    expect(await analysed(session)).toBe(images.length);
    expect((await getAssessment({ sessionId: session })).framesAnalyzed).toBe(images.length);
    const announcements = await sql!.query<{ n: string }>('select count(*) as n from integrity.outbox where correlation_id = $1', [session]);
    expect(Number(announcements.rows[0].n)).toBe(assessment.eventsTotal);
  });

  it('answers AnalyzeFrame at once and statelessly, and refuses what it must', async () => {
    const found = await analyzeFrame({ imageData: ASTRONAUT, format: 'png', skipObjects: false });
    expect(found).toMatchObject({ width: 512, height: 512, objectsChecked: true });
    expect(found.faces).toHaveLength(1);
    expect(found.objects.map((o) => o.label)).toContain('person');
    expect(found.headPose).toBeDefined();
    expect(await statusOf(analyzeFrame({ imageData: Buffer.from('not an image'), format: '', skipObjects: true }))).toMatch(/^INVALID_ARGUMENT: /);
    expect(await statusOf(getAssessment({ sessionId: '' }))).toBe('INVALID_ARGUMENT: session_id is required');
    expect(await statusOf(getAssessment({ sessionId: 'x'.repeat(129) }))).toBe('INVALID_ARGUMENT: session_id is 129 characters; the limit is 128');
    expect(await statusOf(getAssessment({ sessionId: randomUUID() }))).toMatch(/^NOT_FOUND: no frame of session /);
  });

  it('dead-letters a frame whose image cannot be decoded, at once, and goes on with the next', async () => {
    const session = randomUUID();
    const dead = deadLetterQueue('integrity.frames');
    const before = (await watcher!.channel.checkQueue(dead)).messageCount;
    await publish(frameEvent(session, 1, Buffer.from('not an image')));
    await waitFor('the bad frame dead-lettered', async () => (await watcher!.channel.checkQueue(dead)).messageCount === before + 1, 30_000, 100);
    await publish(frameEvent(session, 2, ASTRONAUT));
    await waitFor('the next frame analysed', async () => (await analysed(session)) === 1, 30_000, 50);
    expect(await statusOf(getAssessment({ sessionId: session }))).toBe('OK');
  });
});
