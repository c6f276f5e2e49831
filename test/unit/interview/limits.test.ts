/**
 * Issue 10 over real gRPC: auth and interview through startMesh (PGlite in memory, the in-process
 * bus, limits counted in memory), with small LIMIT_* values. A call past a limit ends
 * RESOURCE_EXHAUSTED naming the limit, with google.rpc.RetryInfo and google.rpc.ErrorInfo in its
 * status details (a stream event past the frame limit gets a StreamError instead, and the stream
 * goes on). Three meshes: one for the per-user limits, one with a small per-address limit (every
 * call here comes from 127.0.0.1, and each service counts its own), and one with the default limits
 * for account deletion, whose polling must not run into a small limit.
 */
import { startAuthAndInterview } from '../../support/auth-interview-mesh';
import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { ClientDuplexStream, Metadata, ServiceError as GrpcClientError, status } from '@grpc/grpc-js';
import sharp from 'sharp';
import { AuthServiceClient, Role } from '../../../src/gen/auth';
import { Difficulty, StreamInterviewRequest, StreamInterviewResponse } from '../../../src/gen/interview';
import { Mesh } from '../../../src/mesh/start-mesh';
import { callUnary, UnaryMethod } from '../../../src/platform/grpc/unary-call';
import { interviewLimitSpecs } from '../../../src/services/interview/limits';
import { signUp } from '../../support/identity';
import { interviewClient, statusOf } from '../../support/interview-client';
import { statusDetails, StatusDetails } from '../../support/status-details';
import { testCredentials } from '../../support/tls';
import { sleep, waitFor } from '../../support/wait';

jest.setTimeout(60_000);

const DEADLINE_MS = 20_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WRONG_CREDENTIALS = 'UNAUTHENTICATED: email or password is wrong';
const DELETED = 'UNAUTHENTICATED: the account of this access token was deleted';

type InterviewCalls = ReturnType<typeof interviewClient>;

/** How a call failed, its trailers included. */
interface Refusal {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata | undefined;
}

/** How `call` failed; fails the test when it succeeded. */
async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    const { code, details, metadata } = error as GrpcClientError;
    return { code, details, metadata };
  }
  throw new Error('the call succeeded');
}

/**
 * Checks that `refused` is a rate limit's refusal of `limit` (at most `max` per `windowSeconds`):
 * RESOURCE_EXHAUSTED naming it, and status details a client can act on.
 */
function expectRateLimited(refused: Refusal, limit: string, max: number, windowSeconds: number): StatusDetails {
  expect(describeEnd(refused)).toMatch(new RegExp(`^RESOURCE_EXHAUSTED: limit ${limit} reached \\(${max} [a-z ]+ per [a-z0-9 ]+\\); retry in \\d+ m?s$`));
  const details = statusDetails(refused.metadata);
  if (!details) throw new Error(`no grpc-status-details-bin with ${refused.details}`);
  expect(details.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(details.message).toBe(refused.details);
  expect(details.retryDelayMs).toBeGreaterThan(0);
  expect(details.retryDelayMs).toBeLessThanOrEqual(windowSeconds * 1000);
  expect(details.errorInfo).toEqual({
    reason: 'RATE_LIMIT_EXCEEDED',
    domain: 'interview-mesh',
    metadata: { limit, max: String(max), window_seconds: String(windowSeconds) },
  });
  return details;
}

/** `CODE: details` of how a call ended. */
function describeEnd(end: Refusal): string {
  return `${status[end.code]}: ${end.details}`;
}

/** What a mesh of auth and interview needs, with `limits` (LIMIT_* variables) on top. */
function startLimitedMesh(prefix: string, limits: Record<string, string>): Promise<{ mesh: Mesh; keysDir: string }> {
  return startAuthAndInterview(prefix, limits);
}

/** auth.v1.AuthService's RPCs as promises, without a token (none needs one). */
function authCalls(client: AuthServiceClient) {
  const call =
    <Req, Res>(method: UnaryMethod<Req, Res>) =>
    (request: Req) =>
      callUnary(method, request, { deadline: new Date(Date.now() + DEADLINE_MS), metadata: new Metadata() });
  return {
    register: call(client.register.bind(client)),
    login: call(client.login.bind(client)),
    refresh: call(client.refresh.bind(client)),
    deleteAccount: call(client.deleteAccount.bind(client)),
    getJwks: call(client.getJwks.bind(client)),
  };
}

const startRequest = (questionCount = 2) => ({ candidateId: '', categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount });

/** A StreamInterview call from the client's side: what came so far, and how it ended. */
class Conversation {
  readonly responses: StreamInterviewResponse[] = [];
  readonly ended: Promise<Refusal>;
  finished = false;

  constructor(private readonly call: ClientDuplexStream<StreamInterviewRequest, StreamInterviewResponse>) {
    call.on('data', (response: StreamInterviewResponse) => {
      this.responses.push(response);
    });
    this.ended = new Promise((resolve) => {
      call.on('error', (error: GrpcClientError) => {
        this.finished = true;
        resolve({ code: error.code, details: error.details, metadata: error.metadata });
      });
      call.on('end', () => {
        this.finished = true;
        resolve({ code: status.OK, details: '', metadata: undefined });
      });
    });
  }

  static open(calls: InterviewCalls): Conversation {
    return new Conversation(calls.streamInterview({ deadline: Date.now() + DEADLINE_MS }));
  }

  send(request: Partial<StreamInterviewRequest>): void {
    this.call.write(StreamInterviewRequest.fromPartial(request));
  }

  /** Waits until `count` responses match `which`, and returns them; fails if the stream ends first. */
  async until(what: string, which: (response: StreamInterviewResponse) => boolean, count = 1): Promise<StreamInterviewResponse[]> {
    await waitFor(
      what,
      async () => {
        if (this.responses.filter(which).length >= count) return true;
        if (this.finished) throw new Error(`the stream ended before ${what}: ${describeEnd(await this.ended)}`);
        return false;
      },
      DEADLINE_MS,
      20,
    );
    return this.responses.filter(which);
  }

  /** Ends the client's side; resolves with how the stream ended. */
  close(): Promise<Refusal> {
    this.call.end();
    return this.ended;
  }
}

it('sets the interview limits with LIMIT_<NAME>, with seed 002 section 7 values by default', () => {
  const defaults = interviewLimitSpecs({});
  expect([defaults.requestsPerAddress, defaults.requestsPerUser, defaults.framesPerInterview, defaults.interviewsPerUser, defaults.streamsPerUser]).toEqual([
    { name: 'requests_per_address_per_minute', max: 1000, windowSeconds: 60, unit: 'requests', perReplica: true },
    { name: 'requests_per_user_per_minute', max: 100, windowSeconds: 60, unit: 'requests', perReplica: false },
    { name: 'frames_per_interview_per_second', max: 10, windowSeconds: 1, unit: 'frames', perReplica: true },
    { name: 'interviews_per_user_per_hour', max: 20, windowSeconds: 3600, unit: 'interviews', perReplica: false },
    expect.objectContaining({ name: 'streams_per_user', max: 3 }),
  ]);
  const set = interviewLimitSpecs({ LIMIT_STREAMS_PER_USER: '1', LIMIT_FRAMES_PER_INTERVIEW_PER_SECOND: '2' });
  expect([set.streamsPerUser.max, set.framesPerInterview.max]).toEqual([1, 2]);
  expect(() => interviewLimitSpecs({ LIMIT_INTERVIEWS_PER_USER_PER_HOUR: '0' })).toThrow('LIMIT_INTERVIEWS_PER_USER_PER_HOUR');
});

describe('per-user, per-interview and per-stream limits', () => {
  const PER_USER = 6;
  const FRAMES = 2;
  const INTERVIEWS = 2;
  let keysDir: string;
  let mesh: Mesh;
  let frame: Buffer;
  const clients: InterviewCalls[] = [];

  /** A new candidate's interview calls. */
  async function candidate(): Promise<InterviewCalls> {
    const { accessToken } = await signUp(mesh.address('auth'), 'candidate');
    const calls = interviewClient(mesh.address('interview'), accessToken);
    clients.push(calls);
    return calls;
  }

  const sendFrame = (calls: InterviewCalls, interviewId: string) => calls.sendFrame({ interviewId, imageData: frame, format: 'png', timestampMs: 0 });

  beforeAll(async () => {
    ({ mesh, keysDir } = await startLimitedMesh('limits', {
      LIMIT_REQUESTS_PER_USER_PER_MINUTE: String(PER_USER),
      LIMIT_FRAMES_PER_INTERVIEW_PER_SECOND: String(FRAMES),
      LIMIT_INTERVIEWS_PER_USER_PER_HOUR: String(INTERVIEWS),
      LIMIT_STREAMS_PER_USER: '1',
    }));
    frame = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    for (const calls of clients) calls.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it('refuses a user past requests_per_user_per_minute with RetryInfo and ErrorInfo, streams included, and still serves another user', async () => {
    const [flooder, other] = await Promise.all([candidate(), candidate()]);
    const interview = await flooder.startInterview(startRequest());
    for (let i = 1; i < PER_USER; i++) expect(await statusOf(flooder.getInterview({ interviewId: interview.id }))).toBe('OK');
    expectRateLimited(await refusal(flooder.getInterview({ interviewId: interview.id })), 'requests_per_user_per_minute', PER_USER, 60);
    // Another RPC, and a stream when it opens, are the same user's requests.
    expectRateLimited(await refusal(flooder.getInterviewStatus({ interviewId: interview.id })), 'requests_per_user_per_minute', PER_USER, 60);
    const stream = Conversation.open(flooder);
    stream.send({ interviewId: interview.id, ping: { sentAtMs: 1 } });
    expectRateLimited(await stream.ended, 'requests_per_user_per_minute', PER_USER, 60);
    expect(stream.responses).toEqual([]);

    const own = await other.startInterview(startRequest());
    expect(await statusOf(other.getInterview({ interviewId: own.id }))).toBe('OK');
  });

  it('does not count SendFrame per user, refuses frames past frames_per_interview_per_second, and records no refused frame', async () => {
    const calls = await candidate();
    const interview = await calls.startInterview(startRequest());
    let accepted = 0;
    // Two rounds of frames sent together (so that they fall in one second), a window apart: more
    // SendFrames than the per-user limit, none refused by it.
    for (let round = 0; round < 2; round++) {
      const outcomes = await Promise.all(
        Array.from({ length: FRAMES + 2 }, () =>
          sendFrame(calls, interview.id).then(
            () => undefined,
            (error: unknown) => error as GrpcClientError,
          ),
        ),
      );
      const refused = outcomes.filter((outcome) => outcome !== undefined);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBeLessThan(outcomes.length);
      const delays = refused.map((error) => expectRateLimited(error, 'frames_per_interview_per_second', FRAMES, 1).retryDelayMs ?? 0);
      accepted += outcomes.length - refused.length;
      expect((await calls.getInterviewStatus({ interviewId: interview.id })).framesReceived).toBe(accepted);
      await sleep(Math.max(...delays) + 100);
    }
    // Every frame recorded is numbered: the refused ones took no number.
    expect(await statusOf(sendFrame(calls, interview.id))).toBe('OK');
    expect((await calls.getInterviewStatus({ interviewId: interview.id })).framesReceived).toBe(accepted + 1);
    // 2 * (FRAMES + 2) + 1 SendFrames and 4 other calls: past PER_USER if frames counted, yet within it.
    expect(await statusOf(calls.getInterview({ interviewId: interview.id }))).toBe('OK');
  });

  it('refuses a user past interviews_per_user_per_hour, not counting a start refused as invalid', async () => {
    const calls = await candidate();
    expect(await statusOf(calls.startInterview(startRequest(99)))).toMatch(/^INVALID_ARGUMENT: question_count must be from 1 to/);
    for (let i = 0; i < INTERVIEWS; i++) expect((await calls.startInterview(startRequest())).id).toMatch(UUID);
    const details = expectRateLimited(await refusal(calls.startInterview(startRequest())), 'interviews_per_user_per_hour', INTERVIEWS, 3600);
    expect(details.message).toContain(`(${INTERVIEWS} interviews per hour)`);
  });

  it('refuses a second concurrent stream past streams_per_user, and opens a new one once the first has ended', async () => {
    const calls = await candidate();
    const interview = await calls.startInterview(startRequest());
    const first = Conversation.open(calls);
    first.send({ interviewId: interview.id, ping: { sentAtMs: 1 } });
    await first.until('the first stream to answer its ping', (r) => r.pong !== undefined);

    const second = Conversation.open(calls);
    second.send({ interviewId: interview.id, ping: { sentAtMs: 2 } });
    expectRateLimited(await second.ended, 'streams_per_user', 1, interviewLimitSpecs({}).streamsPerUser.windowSeconds);
    expect(second.responses).toEqual([]);

    expect((await first.close()).code).toBe(status.OK);
    const third = Conversation.open(calls);
    third.send({ interviewId: interview.id, ping: { sentAtMs: 3 } });
    const [pong] = await third.until('the new stream to answer its ping', (r) => r.pong !== undefined);
    expect(pong.pong?.sentAtMs).toBe(3);
    expect((await third.close()).code).toBe(status.OK);
  });

  it('answers a stream frame past frames_per_interview_per_second with a StreamError RATE_LIMIT_EXCEEDED, and the stream goes on', async () => {
    const calls = await candidate();
    const interview = await calls.startInterview(startRequest());
    const stream = Conversation.open(calls);
    stream.send({ interviewId: interview.id, ping: { sentAtMs: 1 } });
    await stream.until('the pong', (r) => r.pong !== undefined);

    const count = FRAMES + 4;
    for (let i = 0; i < count; i++) stream.send({ frame: { imageData: frame, format: 'png', timestampMs: 0 } });
    const limited = (r: StreamInterviewResponse) => r.error?.reason === 'RATE_LIMIT_EXCEEDED';
    await stream.until(`an outcome for each of ${count} frames`, (r) => r.emotionUpdate !== undefined || limited(r), count);
    const updates = stream.responses.filter((r) => r.emotionUpdate !== undefined);
    const refused = stream.responses.filter(limited).map((r) => r.error);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const error of refused) {
      expect({ code: error?.code, reason: error?.reason }).toEqual({ code: 'RESOURCE_EXHAUSTED', reason: 'RATE_LIMIT_EXCEEDED' });
      expect(error?.message).toMatch(/^limit frames_per_interview_per_second reached \(2 frames per second\); retry in (\d{1,3} ms|1 s)$/);
      expect(error?.retryAfterMs).toBeGreaterThan(0);
      expect(error?.retryAfterMs).toBeLessThanOrEqual(1000);
    }
    // No other error: every frame was either taken or refused by the limit.
    expect(stream.responses.filter((r) => r.error !== undefined && !limited(r))).toEqual([]);

    stream.send({ ping: { sentAtMs: 42 } });
    const pongs = await stream.until('the pong after the refused frames', (r) => r.pong !== undefined, 2);
    expect(pongs[1].pong?.sentAtMs).toBe(42);
    expect((await stream.close()).code).toBe(status.OK);
    expect((await calls.getInterviewStatus({ interviewId: interview.id })).framesReceived).toBe(updates.length);
  });
});

describe('the per-address limit, counted by each service on its own', () => {
  const PER_ADDRESS = 5;
  let keysDir: string;
  let mesh: Mesh;
  let authClient: AuthServiceClient;
  let auth: ReturnType<typeof authCalls>;
  let calls: InterviewCalls;
  let anonymous: InterviewCalls;

  beforeAll(async () => {
    ({ mesh, keysDir } = await startLimitedMesh('address-limits', { LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE: String(PER_ADDRESS) }));
    authClient = new AuthServiceClient(mesh.address('auth'), testCredentials());
    auth = authCalls(authClient);
    // Register and Login: two of auth's calls from this address.
    const { accessToken } = await signUp(mesh.address('auth'), 'candidate');
    calls = interviewClient(mesh.address('interview'), accessToken);
    anonymous = interviewClient(mesh.address('interview'), 'no-token');
  });

  afterAll(async () => {
    authClient.close();
    calls.close();
    anonymous.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it('refuses Login past requests_per_address_per_minute, the right password too, and never limits GetJwks', async () => {
    const login = (password: string) => auth.login({ email: `nobody-${randomUUID()}@example.com`, password });
    // signUp made two calls; three wrong guesses reach the limit.
    for (let i = 2; i < PER_ADDRESS; i++) expect(await statusOf(login('guess'))).toBe(WRONG_CREDENTIALS);
    expectRateLimited(await refusal(login('guess')), 'requests_per_address_per_minute', PER_ADDRESS, 60);
    expectRateLimited(
      await refusal(
        auth.register({ email: `new-${randomUUID()}@example.com`, password: 'a good long password', role: Role.ROLE_CANDIDATE, invitationCode: '' }),
      ),
      'requests_per_address_per_minute',
      PER_ADDRESS,
      60,
    );
    for (let i = 0; i < PER_ADDRESS * 3; i++) expect((await auth.getJwks({})).keys.length).toBeGreaterThanOrEqual(1);
  });

  it('counts the interview service apart from auth, before authentication, SendFrame and streams included', async () => {
    // Auth refuses this address now; the interview service still has its own count.
    expect((await refusal(auth.login({ email: 'a@example.com', password: 'x' }))).code).toBe(status.RESOURCE_EXHAUSTED);
    for (let i = 0; i < PER_ADDRESS; i++) expect(await statusOf(calls.getInterview({ interviewId: randomUUID() }))).toMatch(/^NOT_FOUND: /);
    const limited = (refused: Refusal) => expectRateLimited(refused, 'requests_per_address_per_minute', PER_ADDRESS, 60);
    limited(await refusal(calls.getInterview({ interviewId: randomUUID() })));
    limited(await refusal(calls.sendFrame({ interviewId: randomUUID(), imageData: Buffer.from('x'), format: 'png', timestampMs: 0 })));
    // Counted before the token is looked at: not UNAUTHENTICATED.
    limited(await refusal(anonymous.getInterview({ interviewId: randomUUID() })));
    const stream = Conversation.open(calls);
    stream.send({ interviewId: randomUUID(), ping: { sentAtMs: 1 } });
    limited(await stream.ended);
  });
});

describe('account deletion', () => {
  const PASSWORD = 'correct horse battery staple';
  let keysDir: string;
  let mesh: Mesh;
  let authClient: AuthServiceClient;
  let auth: ReturnType<typeof authCalls>;
  const clients: InterviewCalls[] = [];

  const calls = (accessToken: string) => {
    const made = interviewClient(mesh.address('interview'), accessToken);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    ({ mesh, keysDir } = await startLimitedMesh('deletion', {}));
    authClient = new AuthServiceClient(mesh.address('auth'), testCredentials());
    auth = authCalls(authClient);
  });

  afterAll(async () => {
    authClient.close();
    for (const made of clients) made.close();
    await mesh.stop(1_000);
    await fs.rm(keysDir, { recursive: true, force: true });
  });

  it('changes nothing with a wrong password; with the right one, ends logins and refreshes at once and the access tokens once the event is consumed', async () => {
    const email = `deleted-${randomUUID()}@example.com`;
    const { userId } = await auth.register({ email, password: PASSWORD, role: Role.ROLE_CANDIDATE, invitationCode: '' });
    const first = await auth.login({ email, password: PASSWORD });
    const candidate = calls(first.accessToken);
    const interview = await candidate.startInterview(startRequest());

    expect(await statusOf(auth.deleteAccount({ email, password: 'not the password' }))).toBe(WRONG_CREDENTIALS);
    expect(await statusOf(auth.deleteAccount({ email: `unknown-${randomUUID()}@example.com`, password: PASSWORD }))).toBe(WRONG_CREDENTIALS);
    // Nothing changed: the account logs in, its refresh token works, its access token is accepted.
    const second = await auth.login({ email, password: PASSWORD });
    const refreshed = await auth.refresh({ refreshToken: first.refreshToken });
    // Time enough for an auth.user.deleted, had one been published, to be consumed (see the polling below).
    await sleep(1_000);
    expect(await statusOf(candidate.getInterview({ interviewId: interview.id }))).toBe('OK');

    expect(await statusOf(auth.deleteAccount({ email, password: PASSWORD }))).toBe('OK');
    expect(await statusOf(auth.login({ email, password: PASSWORD }))).toBe(WRONG_CREDENTIALS);
    for (const refreshToken of [second.refreshToken, refreshed.refreshToken]) {
      expect(await statusOf(auth.refresh({ refreshToken }))).toMatch(/^UNAUTHENTICATED: the refresh token is /);
    }
    expect(await statusOf(auth.deleteAccount({ email, password: PASSWORD }))).toBe(WRONG_CREDENTIALS);

    // The access tokens are still unexpired: the interview service refuses them once it has consumed auth.user.deleted.
    let last = '';
    await waitFor(
      'the interview service to refuse the deleted account',
      async () => (last = await statusOf(candidate.getInterview({ interviewId: interview.id }))) === DELETED,
      10_000,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last: ${last}`);
    });
    expect(await statusOf(calls(refreshed.accessToken).getInterviewStatus({ interviewId: interview.id }))).toBe(DELETED);
    const stream = Conversation.open(candidate);
    stream.send({ interviewId: interview.id, ping: { sentAtMs: 1 } });
    const ended = await stream.ended;
    expect(describeEnd(ended)).toBe(DELETED);

    // The email is free again: a new account, whose tokens are accepted while the old ones stay refused.
    const again = await auth.register({ email, password: PASSWORD, role: Role.ROLE_CANDIDATE, invitationCode: '' });
    expect(again.userId).toMatch(UUID);
    expect(again.userId).not.toBe(userId);
    const newcomer = calls((await auth.login({ email, password: PASSWORD })).accessToken);
    const theirs = await newcomer.startInterview(startRequest());
    expect(theirs.candidateId).toBe(again.userId);
    expect(await statusOf(newcomer.getInterview({ interviewId: interview.id }))).toMatch(/^NOT_FOUND: /);
    expect(await statusOf(candidate.getInterview({ interviewId: theirs.id }))).toBe(DELETED);
  });
});
