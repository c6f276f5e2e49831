/**
 * The contract's bounds at the edge, over real gRPC (auth and interview through startMesh on PGlite
 * in memory): an input past a bound is refused up front, RESOURCE_EXHAUSTED or INVALID_ARGUMENT
 * naming the bound, with the same words the service behind would use, and nothing is written. A
 * 60,000-character answer used to be accepted and then refused by scoring, leaving its interview
 * unscored forever.
 */
import { startAuthAndInterview } from '../../support/auth-interview-mesh';
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { Difficulty, InterviewServiceClient } from '../../../src/gen/interview';
import { Mesh } from '../../../src/mesh/start-mesh';
import { BOUNDS } from '../../../src/platform/contracts/bounds';
import { bearer } from '../../../src/platform/identity/authentication';
import { callUnary, UnaryMethod } from '../../../src/platform/grpc/unary-call';
import { requireOpenForFrames, TooManyFramesError } from '../../../src/services/interview/domain/errors';
import { signUp } from '../../support/identity';
import { statusOf } from '../../support/interview-client';
import { testCredentials } from '../../support/tls';

jest.setTimeout(30_000);

describe('bounds at the edge', () => {
  let keysDir: string;
  let mesh: Mesh;
  let client: InterviewServiceClient;
  let token: string;

  const call =
    <Req, Res>(method: UnaryMethod<Req, Res>) =>
    (request: Req) => {
      return callUnary(method, request, { deadline: new Date(Date.now() + 10_000), metadata: bearer(token) });
    };
  const start = (categories: string[] = []) =>
    call(client.startInterview.bind(client))({ candidateId: '', categories, difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 2 });

  beforeAll(async () => {
    // No call below reaches emotion or scoring: every one is refused before.
    ({ mesh, keysDir } = await startAuthAndInterview('bounds'));
    ({ accessToken: token } = await signUp(mesh.address('auth'), 'candidate'));
    client = new InterviewServiceClient(mesh.address('interview'), testCredentials());
  });

  afterAll(async () => {
    client.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it('refuses an answer past BOUNDS.answerChars and stores nothing, and takes one at the bound', async () => {
    const interview = await start();
    const [first, second] = interview.questions;
    const answer = (transcript: string, questionId: string) =>
      call(client.submitAnswer.bind(client))({ interviewId: interview.id, questionId, transcript, durationSeconds: 60, confidence: 0.9 });
    expect(await statusOf(answer('x'.repeat(BOUNDS.answerChars + 10_000), first.id))).toBe(
      `RESOURCE_EXHAUSTED: transcript is ${BOUNDS.answerChars + 10_000} characters; the limit is ${BOUNDS.answerChars}`,
    );
    expect((await call(client.getInterviewStatus.bind(client))({ interviewId: interview.id })).progress?.answered).toBe(0);
    expect(await statusOf(answer('y'.repeat(BOUNDS.answerChars), second.id))).toBe('OK');
  });

  it('refuses more categories than BOUNDS.categories, or one longer than BOUNDS.categoryChars', async () => {
    expect(await statusOf(start(Array.from({ length: BOUNDS.categories + 1 }, (_, i) => `c${i}`)))).toBe(
      `RESOURCE_EXHAUSTED: categories has ${BOUNDS.categories + 1} entries; the limit is ${BOUNDS.categories}`,
    );
    expect(await statusOf(start(['t'.repeat(BOUNDS.categoryChars + 1)]))).toBe(
      `RESOURCE_EXHAUSTED: a category is ${BOUNDS.categoryChars + 1} characters; the limit is ${BOUNDS.categoryChars}`,
    );
  });

  it('refuses a frame the emotion service would refuse, before recording or queueing it', async () => {
    const interview = await start();
    const frame = (imageData: Buffer, format = '') => call(client.sendFrame.bind(client))({ interviewId: interview.id, imageData, format, timestampMs: 0 });
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'white' } })
      .gif()
      .toBuffer();
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    const huge = await sharp({ create: { width: 4097, height: 4097, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    expect(await statusOf(frame(Buffer.from('this is not an image')))).toBe('INVALID_ARGUMENT: image_data is not an image (expected JPEG or PNG bytes)');
    expect(await statusOf(frame(gif))).toBe('INVALID_ARGUMENT: image format gif is not supported; send jpeg or png');
    expect(await statusOf(frame(png, 'jpeg'))).toBe('INVALID_ARGUMENT: format says jpeg but image_data is png');
    expect(await statusOf(frame(huge))).toBe(`RESOURCE_EXHAUSTED: image is 4097x4097 pixels; the limit is ${BOUNDS.framePixels} pixels`);
    expect(await statusOf(frame(Buffer.concat([png, Buffer.alloc(BOUNDS.frameBytes)])))).toBe(
      `RESOURCE_EXHAUSTED: image_data is ${png.length + BOUNDS.frameBytes} bytes; the limit is ${BOUNDS.frameBytes}`,
    );
    expect((await call(client.getInterviewStatus.bind(client))({ interviewId: interview.id })).framesReceived).toBe(0);
  });

  it('closes an interview to frames at BOUNDS.framesPerInterview', () => {
    const actor = { subject: 'candidate', role: 'candidate' as const };
    const session = (framesReceived: number) => ({ status: 'in_progress' as const, candidateId: 'candidate', framesReceived });
    expect(() => {
      requireOpenForFrames(actor, 'i-1', session(BOUNDS.framesPerInterview - 1));
    }).not.toThrow();
    expect(() => {
      requireOpenForFrames(actor, 'i-1', session(BOUNDS.framesPerInterview));
    }).toThrow(new TooManyFramesError('i-1', BOUNDS.framesPerInterview));
  });
});
