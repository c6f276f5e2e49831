/**
 * The emotion service as deployed with two replicas: two processes on one PostgreSQL database and
 * one RabbitMQ vhost, a session's frames alternating between them. Blinks are counted on real
 * frames: astronaut.png (eyes open) and astronaut-eyes-closed.png, the same photograph with the
 * lids closed (made by scripts/fixtures/close-eyes.ts: the photo's own upper-lid skin stretched
 * down over each eye; see test/fixtures/faces/SOURCES.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import { Client } from 'pg';
import sharp from 'sharp';
import { BlinkResponse, EmotionResponse, EmotionServiceClient, FrameRequest } from '../../src/gen/emotion';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { MAX_FRAME_BYTES } from '../../src/platform/vision/image/decode-frame';
import { freePort } from '../support/grpc-clients';
import { createTestDatabase, createTestVhost, Disposable, serviceBrokerEnv } from '../support/infrastructure';
import { statusOf } from '../support/interview-client';
import { ServiceProcess } from '../support/service-process';
import { testCredentials } from '../support/tls';
import { TEST_MESH_ENV } from '../support/mesh-env';

jest.setTimeout(120_000);

const FIXTURES = path.resolve(__dirname, '../fixtures/faces');
const open = fs.readFileSync(path.join(FIXTURES, 'astronaut.png'));
const closed = fs.readFileSync(path.join(FIXTURES, 'astronaut-eyes-closed.png'));
const coffee = fs.readFileSync(path.join(FIXTURES, 'coffee.png'));
const T0 = 1_700_000_000_000;

describe('emotion service, two replicas on one PostgreSQL', () => {
  let database: Disposable<string> | undefined;
  let vhost: Disposable<string> | undefined;
  const replicas: ServiceProcess[] = [];
  const clients: EmotionServiceClient[] = [];
  let sql: Client | undefined;

  const options = () => ({ deadline: new Date(Date.now() + 10_000), metadata: new Metadata() });
  const analyzeFrame = (replica: number, request: FrameRequest) =>
    callUnary<FrameRequest, EmotionResponse>(clients[replica].analyzeFrame.bind(clients[replica]), request, options());
  const detectBlink = (replica: number, request: FrameRequest) =>
    callUnary<FrameRequest, BlinkResponse>(clients[replica].detectBlink.bind(clients[replica]), request, options());

  beforeAll(async () => {
    [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      replicas.push(
        ServiceProcess.start('emotion', {
          DATABASE_URL: database.value,
          AMQP_URL: vhost.value,
          // As its own broker user (createTestVhost).
          ...serviceBrokerEnv(vhost.value),
          BIND_HOST: '127.0.0.1',
          EMOTION_PORT: String(port),
          ...TEST_MESH_ENV,
        }),
      );
    }
    try {
      await Promise.all(ports.map((port, i) => replicas[i].waitServing(`127.0.0.1:${port}`, 90_000)));
    } catch (error) {
      replicas.forEach((r, i) => {
        console.error(`--- replica ${i} logs ---\n${r.logs()}`);
      });
      throw error;
    }
    // The operator's certificate: the emotion service's port requires one, and its call policy lets operators analyse frames.
    for (const port of ports) clients.push(new EmotionServiceClient(`127.0.0.1:${port}`, testCredentials()));
    sql = new Client({ connectionString: database.value });
    await sql.connect();
  });

  afterAll(async () => {
    clients.forEach((c) => {
      c.close();
    });
    await sql?.end();
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    await Promise.all([database?.dispose(), vhost?.dispose()]);
  });

  it('counts blinks of one session whose frames alternate between the replicas', async () => {
    const session = 'replicas-blinks';
    // 5 frames per second: open, closed (one 200 ms blink), open, open, closed, closed (400 ms), open.
    const frames = [open, open, closed, open, open, closed, closed, open];
    const responses: BlinkResponse[] = [];
    for (const [i, imageData] of frames.entries()) {
      responses.push(await detectBlink(i % 2, { sessionId: session, imageData, timestamp: T0 + i * 200, format: 'png', traceContext: {} }));
    }
    expect(responses.map((r) => r.faceDetected)).toEqual(frames.map(() => true));
    expect(responses.map((r) => r.eyeAspectRatio < 0.25)).toEqual(frames.map((f) => f === closed));
    expect(responses.map((r) => r.blinkCount)).toEqual([0, 0, 0, 1, 1, 1, 1, 2]);
    const last = responses[responses.length - 1];
    expect(last.blinkTimestamps).toEqual([T0 + 400, T0 + 1_000]);
    // 2 blinks over 1.4 s of frames.
    expect(last.blinkRate).toBeCloseTo(2 / (1_400 / 60_000), 3);

    // AnalyzeFrame on either replica reports the same session's blinks so far, and adds its frame.
    const analysis = await analyzeFrame(0, { sessionId: session, imageData: open, timestamp: T0 + 1_800, format: 'png', traceContext: {} });
    expect(analysis.blinkMetrics).toMatchObject({ count: 2, avgDuration: 300 });
    expect(analysis.blinkMetrics!.eyeAspectRatio).toBeGreaterThan(0.25);
    const row = (
      await sql!.query<{ frames: number; blink_timestamps: string[] }>('select frames, blink_timestamps from emotion.blink_tracks where session_id = $1', [
        session,
      ])
    ).rows[0];
    expect(row.frames).toBe(frames.length + 1);
    expect(row.blink_timestamps.map(Number)).toEqual([T0 + 400, T0 + 1_000]);

    // A frame sent again (a client retry, or to the other replica) is not counted twice.
    const again = await detectBlink(1, { sessionId: session, imageData: open, timestamp: T0 + 1_800, format: 'png', traceContext: {} });
    expect(again.blinkCount).toBe(2);
    expect((await sql!.query<{ frames: number }>('select frames from emotion.blink_tracks where session_id = $1', [session])).rows[0].frames).toBe(
      frames.length + 1,
    );
  });

  it("keeps every replica's update when both write one session at once (row lock)", async () => {
    // Each round sends frames of two new sessions to both replicas at once: the first frame of a
    // session races for the row's insert, the next ones for its lock.
    const sessions = ['race-a', 'race-b'];
    const rounds = 4;
    for (let i = 0; i < rounds; i++) {
      const calls = sessions.flatMap((sessionId, s) =>
        [0, 1].map((replica) =>
          detectBlink(replica, { sessionId, imageData: open, timestamp: T0 + i * 1_000 + replica * 10 + s, format: 'png', traceContext: {} }),
        ),
      );
      const results = await Promise.all(calls);
      expect(results.every((r) => r.faceDetected)).toBe(true);
    }
    const rows = (
      await sql!.query<{ session_id: string; frames: number; last_timestamp_ms: string }>(
        'select session_id, frames, last_timestamp_ms from emotion.blink_tracks where session_id = any($1) order by session_id',
        [sessions],
      )
    ).rows;
    // Per round the later of the two timestamps always counts; the earlier counts when it was applied first.
    for (const row of rows) {
      expect(row.frames).toBeGreaterThanOrEqual(4);
      expect(row.frames).toBeLessThanOrEqual(8);
    }
    expect(rows.map((r) => r.session_id)).toEqual(sessions);
    // The last round's later frame is each session's latest: it always counts and no frame counts
    // after it, so an update that overwrote it (a lost update) leaves another timestamp. int8 comes as text.
    expect(rows.map((r) => Number(r.last_timestamp_ms))).toEqual(sessions.map((_, s) => T0 + (rounds - 1) * 1_000 + 10 + s));
  });

  it('streams AnalyzeBatch: one response per frame in order, a bad frame an error at its position', async () => {
    const frames: FrameRequest[] = [
      { sessionId: '', imageData: open, timestamp: T0 + 10_000, format: 'png', traceContext: {} },
      { sessionId: '', imageData: Buffer.from('not an image'), timestamp: T0 + 10_100, format: '', traceContext: {} },
      { sessionId: '', imageData: closed, timestamp: T0 + 10_200, format: 'png', traceContext: {} },
      { sessionId: '', imageData: Buffer.alloc(0), timestamp: T0 + 10_300, format: '', traceContext: {} },
      { sessionId: '', imageData: coffee, timestamp: T0 + 10_400, format: 'png', traceContext: {} },
      { sessionId: '', imageData: open, timestamp: T0 + 10_500, format: 'jpeg', traceContext: {} },
      { sessionId: '', imageData: open, timestamp: T0 + 10_600, format: 'png', traceContext: {} },
    ];
    const responses: EmotionResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = clients[1].analyzeBatch({ sessionId: 'batch-session', frames }, new Metadata(), { deadline: new Date(Date.now() + 20_000) });
      call.on('data', (r: EmotionResponse) => responses.push(r));
      call.on('error', reject);
      call.on('end', resolve);
    });
    expect(responses.map((r) => r.timestamp)).toEqual(frames.map((f) => f.timestamp));
    expect(responses.map((r) => r.sessionId)).toEqual(frames.map(() => 'batch-session'));
    expect(responses.map((r) => r.error && `${status[r.error.code]}: ${r.error.message}`)).toEqual([
      undefined,
      'INVALID_ARGUMENT: image_data is not an image (expected JPEG or PNG bytes)',
      undefined,
      'INVALID_ARGUMENT: image_data is empty',
      undefined,
      'INVALID_ARGUMENT: format says jpeg but image_data is png',
      undefined,
    ]);
    expect(responses.map((r) => r.emotion)).toEqual(['happy', '', expect.any(String), '', '', '', 'happy']);
    expect(responses[4].faceMetrics).toMatchObject({ detected: false, landmarks: [] });
    expect(responses[0].faceMetrics!.landmarks.map((l) => l.type)).toEqual(
      expect.arrayContaining(['right_eye', 'left_eye', 'right_eyebrow', 'left_eyebrow', 'nose', 'mouth', 'jaw']),
    );
    // open, closed, (coffee: no face), open: one blink in the batch's session.
    expect(responses[6].blinkMetrics!.count).toBe(1);
  });

  it('answers AnalyzeStream frame by frame, in order, as AnalyzeFrame would; a bad frame an error at its position, the stream going on', async () => {
    const session = 'stream-session';
    const frames: FrameRequest[] = [
      { sessionId: session, imageData: open, timestamp: T0 + 20_000, format: 'png', traceContext: {} },
      { sessionId: session, imageData: Buffer.from('not an image'), timestamp: T0 + 20_100, format: '', traceContext: {} },
      { sessionId: session, imageData: closed, timestamp: T0 + 20_200, format: 'png', traceContext: {} },
      { sessionId: session, imageData: Buffer.alloc(0), timestamp: T0 + 20_300, format: '', traceContext: {} },
      { sessionId: session, imageData: open, timestamp: T0 + 20_400, format: 'png', traceContext: {} },
    ];
    const responses: EmotionResponse[] = [];
    const call = clients[0].analyzeStream(new Metadata());
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (r: EmotionResponse) => {
        responses.push(r);
        // One frame at a time, as the interview service sends them: the next once this one is answered.
        if (responses.length < frames.length) call.write(frames[responses.length]);
        else call.end();
      });
      call.on('error', reject);
      call.on('end', resolve);
    });
    call.write(frames[0]);
    await ended;
    expect(responses.map((r) => r.timestamp)).toEqual(frames.map((f) => f.timestamp));
    expect(responses.map((r) => r.error && `${status[r.error.code]}: ${r.error.message}`)).toEqual([
      undefined,
      'INVALID_ARGUMENT: image_data is not an image (expected JPEG or PNG bytes)',
      undefined,
      'INVALID_ARGUMENT: image_data is required and must not be empty',
      undefined,
    ]);
    expect(responses[0].emotion).toBe('happy');
    // open, closed (200 ms), open: one blink, as the same frames on AnalyzeFrame count it.
    expect(responses[4].blinkMetrics).toMatchObject({ count: 1, avgDuration: 200 });
    // Counted in the stream's memory and written behind: the row holds every frame by the time the stream ended.
    const row = (
      await sql!.query<{ frames: number; blink_timestamps: string[] }>('select frames, blink_timestamps from emotion.blink_tracks where session_id = $1', [
        session,
      ])
    ).rows[0];
    expect(row.frames).toBe(3);
    expect(row.blink_timestamps.map(Number)).toEqual([T0 + 20_200]);
    const byUnary = await analyzeFrame(1, { sessionId: 'unary-twin', imageData: open, timestamp: T0 + 20_000, format: 'png', traceContext: {} });
    expect({ ...responses[0], sessionId: 'unary-twin', blinkMetrics: undefined }).toEqual({ ...byUnary, blinkMetrics: undefined });
  });

  it('answers bad frames with INVALID_ARGUMENT or RESOURCE_EXHAUSTED saying which', async () => {
    const frame = (imageData: Buffer, format = '') => ({ sessionId: '', imageData, timestamp: 0, format, traceContext: {} });
    const jpeg = await sharp(open).jpeg().toBuffer();
    const gif = await sharp(coffee).resize(16, 16).gif().toBuffer();
    const side = 4_097;
    const tooManyPixels = await sharp({ create: { width: side, height: side, channels: 3, background: '#888' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(await statusOf(analyzeFrame(0, frame(Buffer.alloc(0))))).toBe('INVALID_ARGUMENT: image_data is required and must not be empty');
    expect(await statusOf(analyzeFrame(0, frame(jpeg.subarray(0, jpeg.length / 2))))).toMatch(/^INVALID_ARGUMENT: image_data could not be decoded as jpeg/);
    expect(await statusOf(analyzeFrame(0, frame(Buffer.from('GET / HTTP/1.1'))))).toBe(
      'INVALID_ARGUMENT: image_data is not an image (expected JPEG or PNG bytes)',
    );
    expect(await statusOf(analyzeFrame(1, frame(gif)))).toBe('INVALID_ARGUMENT: image format gif is not supported; send jpeg or png');
    expect(await statusOf(analyzeFrame(1, frame(tooManyPixels)))).toBe(
      `RESOURCE_EXHAUSTED: image is ${side}x${side} pixels; the limit is ${4096 * 4096} pixels`,
    );
    expect(await statusOf(analyzeFrame(1, frame(Buffer.concat([jpeg, Buffer.alloc(MAX_FRAME_BYTES)]))))).toMatch(
      /^RESOURCE_EXHAUSTED: image_data is \d+ bytes; the limit is 8388608/,
    );
    expect(await statusOf(detectBlink(0, { sessionId: 's', imageData: open, timestamp: 0, format: '', traceContext: {} }))).toBe(
      "INVALID_ARGUMENT: timestamp must be the frame's capture time in milliseconds since the epoch (> 0), got 0",
    );
    expect(await statusOf(detectBlink(0, { sessionId: '', imageData: open, timestamp: T0, format: '', traceContext: {} }))).toBe(
      'INVALID_ARGUMENT: session_id is required',
    );
  });

  it('DetectFace gives the box and typed mesh landmarks, or detected=false', async () => {
    const face = await callUnary(
      clients[0].detectFace.bind(clients[0]),
      { sessionId: '', imageData: open, timestamp: 0, format: 'png', traceContext: {} },
      options(),
    );
    expect(face.detected).toBe(true);
    expect(face.box!.x).toBeGreaterThan(150);
    expect(face.landmarks.length).toBeGreaterThan(100);
    const none = await callUnary(
      clients[1].detectFace.bind(clients[1]),
      { sessionId: '', imageData: coffee, timestamp: 0, format: 'png', traceContext: {} },
      options(),
    );
    expect(none).toEqual({ detected: false, box: undefined, landmarks: [] });
  });
});
