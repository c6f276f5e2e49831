/**
 * Who may do what on interview.v1.InterviewService, over real gRPC: auth and interview through
 * startMesh (PGlite in memory, the in-process bus), callers with the auth service's own tokens.
 * A call without a valid token is UNAUTHENTICATED; a candidate reaches only their own interviews
 * (another's is NOT_FOUND, word for word as an unknown id); an interviewer reads every interview
 * but changes none (PERMISSION_DENIED); a refused call writes nothing.
 */
import { TEST_MESH_ENV } from '../../support/mesh-env';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Metadata, ServiceError as GrpcClientError, status } from '@grpc/grpc-js';
import { AuthServiceClient, Role } from '../../../src/gen/auth';
import { Difficulty, Interview, InterviewServiceClient, ReportFormat, StreamInterviewRequest, StreamInterviewResponse } from '../../../src/gen/interview';
import { Mesh, startMesh } from '../../../src/mesh/start-mesh';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { bearer } from '../../../src/platform/identity/authentication';
import { callUnary, UnaryMethod } from '../../../src/platform/grpc/unary-call';
import { silentLogger } from '../../../src/platform/log/logger';
import { checkHealth, listServicesByReflection, waitForHealth } from '../../support/grpc-clients';
import { statusOf } from '../../support/interview-client';
import { testCredentials } from '../../support/tls';

jest.setTimeout(30_000);

const PASSWORD = 'correct horse battery staple';
const INVITATION = 'code';
const DEADLINE_MS = 10_000;
/** The stream's deadline: short, so that a stream that never ends fails fast. */
const STREAM_DEADLINE_MS = 3_000;

/** The interview service's unary RPCs as promises, each with `metadata` (a caller's token, or none). */
function interviewCalls(client: InterviewServiceClient, metadata: () => Metadata) {
  const call =
    <Req, Res>(method: UnaryMethod<Req, Res>) =>
    (request: Req) =>
      callUnary(method, request, { deadline: new Date(Date.now() + DEADLINE_MS), metadata: metadata() });
  return {
    startInterview: call(client.startInterview.bind(client)),
    getInterview: call(client.getInterview.bind(client)),
    submitAnswer: call(client.submitAnswer.bind(client)),
    sendFrame: call(client.sendFrame.bind(client)),
    completeInterview: call(client.completeInterview.bind(client)),
    getInterviewStatus: call(client.getInterviewStatus.bind(client)),
    getReport: call(client.getReport.bind(client)),
    /** The stream's outcome for one first event: the responses up to its end or failure, and how it ended. */
    stream: (first: Partial<StreamInterviewRequest>) =>
      new Promise<{ responses: StreamInterviewResponse[]; end: string }>((resolve) => {
        const stream = client.streamInterview(metadata(), { deadline: Date.now() + STREAM_DEADLINE_MS });
        const responses: StreamInterviewResponse[] = [];
        stream.on('data', (response: StreamInterviewResponse) => {
          responses.push(response);
          // The opening (status, then the question) came: the stream was let in.
          if (responses.length === 2) stream.end();
        });
        stream.on('error', (error: GrpcClientError) => {
          resolve({ responses, end: `${status[error.code]}: ${error.details}` });
        });
        stream.on('end', () => {
          resolve({ responses, end: 'OK' });
        });
        stream.write(StreamInterviewRequest.fromPartial(first));
      }),
  };
}

type InterviewCalls = ReturnType<typeof interviewCalls>;

describe('interview ownership', () => {
  let keysDir: string;
  let mesh: Mesh;
  let address: string;
  let authClient: AuthServiceClient;
  let interviewClient: InterviewServiceClient;
  let anonymous: InterviewCalls;
  let candidateA: InterviewCalls;
  let candidateB: InterviewCalls;
  let interviewer: InterviewCalls;
  let aId: string;
  let aToken: string;
  let bId: string;
  let interview: Interview;

  /** Registers `email` with `role` and logs in: its user id and a client carrying its access token. */
  async function user(email: string, role: Role): Promise<{ userId: string; token: string; calls: InterviewCalls }> {
    const unary =
      <Req, Res>(method: UnaryMethod<Req, Res>) =>
      (request: Req) =>
        callUnary(method, request, { deadline: new Date(Date.now() + DEADLINE_MS) });
    const { userId } = await unary(authClient.register.bind(authClient))({
      email,
      password: PASSWORD,
      role,
      invitationCode: role === Role.ROLE_INTERVIEWER ? INVITATION : '',
    });
    const { accessToken } = await unary(authClient.login.bind(authClient))({ email, password: PASSWORD });
    return { userId, token: accessToken, calls: interviewCalls(interviewClient, () => bearer(accessToken)) };
  }

  /** `details` with the interview id `id` written as <id>: what B is told of A's interview must not differ from an unknown one. */
  const withoutId = (result: string, id: string) => result.split(id).join('<id>');

  beforeAll(async () => {
    keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ownership-keys-'));
    const env = {
      DATA_DIR: 'memory://',
      ...TEST_MESH_ENV,
      BIND_HOST: '127.0.0.1',
      AUTH_SCRYPT_COST: '10',
      AUTH_INTERVIEWER_INVITATION_CODE: INVITATION,
      AUTH_KEYS_DIR: keysDir,
      AUTH_PORT: '0',
      INTERVIEW_PORT: '0',
      // Emotion and scoring do not run here: the interview service only needs where they would be,
      // and no call below reaches them (every one is refused before, or never needs them).
      EMOTION_ADDR: '127.0.0.1:9',
      SCORING_ADDR: '127.0.0.1:9',
      NOTIFIER_PORT: '0',
    };
    const config = { ...loadConfig(env), dataDir: 'memory://' };
    mesh = await startMesh(config, ['auth', 'interview'], silentLogger(), { env });
    address = mesh.address('interview');
    await Promise.all([waitForHealth(mesh.address('auth'), 'SERVING', 10_000), waitForHealth(address, 'SERVING', 10_000)]);
    authClient = new AuthServiceClient(mesh.address('auth'), testCredentials());
    interviewClient = new InterviewServiceClient(address, testCredentials());
    anonymous = interviewCalls(interviewClient, () => new Metadata());

    const [a, b, boss] = await Promise.all([
      user('a@example.com', Role.ROLE_CANDIDATE),
      user('b@example.com', Role.ROLE_CANDIDATE),
      user('boss@example.com', Role.ROLE_INTERVIEWER),
    ]);
    ({ userId: aId, token: aToken, calls: candidateA } = a);
    ({ userId: bId, calls: candidateB } = b);
    interviewer = boss.calls;
    interview = await candidateA.startInterview({ candidateId: '', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 2 });
  });

  afterAll(async () => {
    authClient.close();
    interviewClient.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  const answer = () => ({ interviewId: interview.id, questionId: interview.questions[0].id, transcript: 'An answer.', durationSeconds: 3, confidence: 0.9 });
  const frame = (interviewId: string) => ({ interviewId, imageData: Buffer.from('not an image, never looked at'), format: 'png', timestampMs: 0 });

  it('gives the interview to its caller: candidate_id empty or their own id, PERMISSION_DENIED for another', async () => {
    expect(interview.candidateId).toBe(aId);
    const own = await candidateA.startInterview({ candidateId: aId, categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 1 });
    expect(own.candidateId).toBe(aId);
    expect(
      await statusOf(candidateA.startInterview({ candidateId: bId, categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 1 })),
    ).toBe("PERMISSION_DENIED: candidate_id must be empty or the caller's own id (the access token's subject)");
  });

  it('refuses calls without a token, on unary RPCs and on the stream, with UNAUTHENTICATED', async () => {
    const needsToken = 'UNAUTHENTICATED: this call needs `authorization: Bearer <access token>` (log in with auth.v1.AuthService)';
    expect(await statusOf(anonymous.getInterview({ interviewId: interview.id }))).toBe(needsToken);
    expect(
      await statusOf(anonymous.startInterview({ candidateId: aId, categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 1 })),
    ).toBe(needsToken);
    const stream = await anonymous.stream({ interviewId: interview.id, ping: { sentAtMs: 1 } });
    expect(stream).toEqual({ responses: [], end: needsToken });
  });

  it('refuses a garbage token, a token in another scheme, and a token cut short with UNAUTHENTICATED', async () => {
    const token = (metadata: Metadata) => interviewCalls(interviewClient, () => metadata);
    const garbage = token(bearer('garbage'));
    expect(await statusOf(garbage.getInterview({ interviewId: interview.id }))).toBe('UNAUTHENTICATED: the access token is not valid');
    expect((await garbage.stream({ interviewId: interview.id })).end).toBe('UNAUTHENTICATED: the access token is not valid');
    const basic = new Metadata();
    basic.set('authorization', 'Basic YTpi');
    expect(await statusOf(token(basic).getInterview({ interviewId: interview.id }))).toMatch(/^UNAUTHENTICATED: this call needs/);
    expect(await statusOf(token(bearer(aToken.slice(0, -4))).getInterview({ interviewId: interview.id }))).toBe(
      'UNAUTHENTICATED: the access token is not valid',
    );
    // The same token whole is A's.
    expect(await statusOf(token(bearer(aToken)).getInterview({ interviewId: interview.id }))).toBe('OK');
  });

  it('tells another candidate NOT_FOUND on every unary RPC against the interview, word for word as for an unknown id', async () => {
    const unknown = randomUUID();
    const rpcs: [string, (id: string) => Promise<unknown>][] = [
      ['GetInterview', (id) => candidateB.getInterview({ interviewId: id })],
      ['GetInterviewStatus', (id) => candidateB.getInterviewStatus({ interviewId: id })],
      ['SubmitAnswer', (id) => candidateB.submitAnswer({ ...answer(), interviewId: id })],
      ['SendFrame', (id) => candidateB.sendFrame(frame(id))],
      ['CompleteInterview', (id) => candidateB.completeInterview({ interviewId: id })],
      ['GetReport', (id) => candidateB.getReport({ interviewId: id, includeEmotions: true, format: ReportFormat.REPORT_FORMAT_UNSPECIFIED })],
    ];
    for (const [name, rpc] of rpcs) {
      const theirs = withoutId(await statusOf(rpc(interview.id)), interview.id);
      const none = withoutId(await statusOf(rpc(unknown)), unknown);
      expect({ name, theirs, none }).toEqual({ name, theirs: 'NOT_FOUND: interview <id> not found', none: 'NOT_FOUND: interview <id> not found' });
    }
  });

  it("ends another candidate's stream at its first event with the same NOT_FOUND as an unknown id", async () => {
    const unknown = randomUUID();
    const [theirs, none] = await Promise.all([
      candidateB.stream({ interviewId: interview.id, ping: { sentAtMs: 1 } }),
      candidateB.stream({ interviewId: unknown, ping: { sentAtMs: 1 } }),
    ]);
    expect({ responses: theirs.responses, end: withoutId(theirs.end, interview.id) }).toEqual({ responses: [], end: 'NOT_FOUND: interview <id> not found' });
    expect({ responses: none.responses, end: withoutId(none.end, unknown) }).toEqual({ responses: [], end: 'NOT_FOUND: interview <id> not found' });
  });

  it('lets an interviewer read the interview (Get, GetStatus) and change nothing (PERMISSION_DENIED)', async () => {
    const read = await interviewer.getInterview({ interviewId: interview.id });
    expect(read).toMatchObject({ id: interview.id, candidateId: aId });
    expect(await interviewer.getInterviewStatus({ interviewId: interview.id })).toMatchObject({ interviewId: interview.id, framesReceived: 0 });

    const denied = (what: string) => `PERMISSION_DENIED: only the candidate ${what}; interviewers read interviews and reports`;
    expect(
      await statusOf(interviewer.startInterview({ candidateId: '', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 1 })),
    ).toBe(denied('starts an interview'));
    expect(await statusOf(interviewer.submitAnswer(answer()))).toBe(denied('answers'));
    expect(await statusOf(interviewer.sendFrame(frame(interview.id)))).toBe(denied('sends frames'));
    expect(await statusOf(interviewer.completeInterview({ interviewId: interview.id }))).toBe(denied('completes the interview'));
    // An unknown interview is NOT_FOUND for an interviewer too.
    expect(await statusOf(interviewer.getInterview({ interviewId: randomUUID() }))).toMatch(/^NOT_FOUND: interview .* not found$/);
  });

  it("remembers a frame check passed for the interview's candidate only: another candidate and an interviewer are refused after it", async () => {
    // A's frame passes the check before the analysis (then fails as no image): the interview is remembered open for A.
    expect(await statusOf(candidateA.sendFrame(frame(interview.id)))).toMatch(/^INVALID_ARGUMENT: /);
    expect(withoutId(await statusOf(candidateB.sendFrame(frame(interview.id))), interview.id)).toBe('NOT_FOUND: interview <id> not found');
    expect(await statusOf(interviewer.sendFrame(frame(interview.id)))).toMatch(/^PERMISSION_DENIED: only the candidate sends frames/);
  });

  it("ends an interviewer's stream at its first event with PERMISSION_DENIED", async () => {
    const stream = await interviewer.stream({ interviewId: interview.id, ping: { sentAtMs: 1 } });
    expect(stream).toEqual({
      responses: [],
      end: 'PERMISSION_DENIED: only the candidate holds the interview stream; interviewers read interviews and reports',
    });
  });

  it('writes nothing for refused calls: the interview has no answer and no frame, and is in progress', async () => {
    await statusOf(candidateB.submitAnswer(answer()));
    await statusOf(candidateB.sendFrame(frame(interview.id)));
    await statusOf(interviewer.submitAnswer(answer()));
    await statusOf(interviewer.sendFrame(frame(interview.id)));
    await statusOf(candidateB.completeInterview({ interviewId: interview.id }));
    await statusOf(interviewer.completeInterview({ interviewId: interview.id }));
    const image = { imageData: Buffer.from('not an image'), format: 'png', timestampMs: 0 };
    await Promise.all([
      candidateB.stream({ interviewId: interview.id, frame: image }),
      interviewer.stream({ interviewId: interview.id, frame: image }),
      candidateB.stream({ interviewId: interview.id, answer: { questionId: interview.questions[0].id, transcript: 'x', durationSeconds: 1, confidence: 0.5 } }),
    ]);
    const state = await candidateA.getInterviewStatus({ interviewId: interview.id });
    expect(state).toMatchObject({ framesReceived: 0, progress: { answered: 0, totalQuestions: 2, percent: 0 } });
    const own = await candidateA.getInterview({ interviewId: interview.id });
    expect(own.answeredQuestionIds).toEqual([]);
    expect(own.completedAt).toBeUndefined();
  });

  it('lets the candidate hold their own stream, which ends OK when they close it', async () => {
    const { responses, end } = await candidateA.stream({ interviewId: interview.id, ping: { sentAtMs: 7 } });
    expect(responses[0].status).toMatchObject({ answered: 0, totalQuestions: 2 });
    expect(responses[1].question?.id).toBe(interview.questions[0].id);
    expect(end).toBe('OK');
  });

  it('answers health and reflection without a token', async () => {
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await checkHealth(address, 'interview.v1.InterviewService')).toBe('SERVING');
    expect(await listServicesByReflection(address)).toContain('interview.v1.InterviewService');
  });
});
