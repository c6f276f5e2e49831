/**
 * The gateway end to end over HTTPS and WSS: auth, interview and gateway through startMesh
 * (PGlite in memory, the tests' TLS; emotion and scoring absent, so frames are queued). A candidate
 * signs up and logs in through REST, starts an interview, sends a frame of the fixture photograph,
 * answers, reads the status, completes; then does the same over the WebSocket. Errors come as
 * google.rpc.Status JSON with google.api's HTTP statuses; no token, a bad token and another
 * candidate's interview are refused over REST and WebSocket, and a refused call writes nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LINGER_EXCESS_BYTES } from '../../../src/services/gateway/app';
import { Mesh, startMesh } from '../../../src/mesh/start-mesh';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { silentLogger } from '../../../src/platform/log/logger';
import { waitForHealth } from '../../support/grpc-clients';
import { freePort, openSocket, request } from '../../support/gateway-client';
import { TEST_INVITATION_CODE } from '../../support/identity';
import { TEST_MESH_ENV } from '../../support/mesh-env';

jest.setTimeout(60_000);

const PASSWORD = 'correct horse battery staple';
let mesh: Mesh;
let keysDir: string;
let port: number;
let image: string;

beforeAll(async () => {
  keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gateway-keys-'));
  port = await freePort();
  const env = {
    DATA_DIR: 'memory://',
    ...TEST_MESH_ENV,
    BIND_HOST: '127.0.0.1',
    AUTH_SCRYPT_COST: '10',
    AUTH_KEYS_DIR: keysDir,
    AUTH_PORT: '0',
    INTERVIEW_PORT: '0',
    GATEWAY_PORT: '0',
    GATEWAY_HTTPS_PORT: String(port),
    GATEWAY_CORS_ORIGINS: 'https://app.example',
    // The API only, whether or not dist/web was built (the demo's --web and the browser suite build it): with the app, an unknown path is its page.
    GATEWAY_WEB_DIR: 'none',
    EMOTION_ADDR: '127.0.0.1:9',
    SCORING_ADDR: '127.0.0.1:9',
    LIMIT_WEBSOCKET_FRAMES_PER_SECOND: '2',
    AUTH_INTERVIEWER_INVITATION_CODE: TEST_INVITATION_CODE,
  };
  mesh = await startMesh({ ...loadConfig(env), dataDir: 'memory://' }, ['auth', 'interview', 'gateway'], silentLogger(), { env });
  await waitForHealth(mesh.address('gateway'), 'SERVING', 10_000);
  image = (await fs.readFile(path.resolve(__dirname, '../../fixtures/faces/astronaut.png'))).toString('base64');
});

afterAll(async () => {
  await mesh.stop();
  await fs.rm(keysDir, { recursive: true, force: true });
});

async function signUp(role: 'candidate' | 'interviewer' = 'candidate'): Promise<string> {
  const email = `c-${Math.random().toString(36).slice(2)}@example.com`;
  const extra = role === 'interviewer' ? { role, invitation_code: TEST_INVITATION_CODE } : {};
  const created = await request(port, 'POST', '/api/v1/auth/register', { body: { email, password: PASSWORD, ...extra } });
  expect(created.status).toBe(201);
  const login = await request(port, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  const tokens = login.body as { access_token: string; refresh_token: string };
  const refreshed = await request(port, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.refresh_token } });
  expect(refreshed.status).toBe(200);
  return (refreshed.body as { access_token: string }).access_token;
}

test('REST: start, get, frame, answer, status, complete', async () => {
  const token = await signUp();
  const started = await request(port, 'POST', '/api/v1/interviews/start', { token, body: { question_count: 2, difficulty: 'easy' } });
  expect(started.status).toBe(201);
  const interview = started.body as { id: string; state: string; questions: { id: string }[] };
  expect(interview.state).toBe('in_progress');
  expect(interview.questions).toHaveLength(2);
  expect(started.headers['strict-transport-security']).toMatch(/max-age=/);
  expect(started.headers['x-content-type-options']).toBe('nosniff');
  expect(started.headers['content-security-policy']).toContain("frame-ancestors 'none'");

  const got = await request(port, 'GET', `/api/v1/interviews/${interview.id}`, { token });
  expect(got.status).toBe(200);
  const frame = await request(port, 'POST', `/api/v1/interviews/${interview.id}/frames`, { token, body: { image, format: 'png', timestamp: Date.now() } });
  expect(frame.status).toBe(200);
  expect(frame.body).toMatchObject({ frame_number: 1, queued: true });
  const answer = await request(port, 'POST', `/api/v1/interviews/${interview.id}/answers`, {
    token,
    body: { question_id: interview.questions[0].id, transcript: 'I build services in TypeScript.', duration: 45.5 },
  });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ status: { progress: 50, current_question: 2, total_questions: 2 } });
  const statusAnswer = await request(port, 'GET', `/api/v1/interviews/${interview.id}/status`, { token });
  expect(statusAnswer.body).toMatchObject({ state: 'in_progress', frames_received: 1, total_questions: 2 });
  const completed = await request(port, 'POST', `/api/v1/interviews/${interview.id}/complete`, { token });
  expect(completed.status).toBe(200);
  expect(completed.body).toMatchObject({ state: 'completed' });
  // Not scored yet (scoring is absent): the report is refused as the interview service says.
  const report = await request(port, 'GET', `/api/v1/interviews/${interview.id}/report`, { token });
  expect(report.status).toBe(400);
  expect(report.body).toMatchObject({ error: { code: 400, status: 'FAILED_PRECONDITION' } });
});

test('errors: google.rpc.Status JSON, bounds, auth, another candidate', async () => {
  const alice = await signUp();
  const bob = await signUp();
  const started = await request(port, 'POST', '/api/v1/interviews/start', { token: alice, body: {} });
  const id = (started.body as { id: string }).id;

  expect(await request(port, 'GET', `/api/v1/interviews/${id}`)).toMatchObject({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
  expect(await request(port, 'GET', `/api/v1/interviews/${id}`, { token: 'not.a.token' })).toMatchObject({ status: 401 });
  const other = await request(port, 'GET', `/api/v1/interviews/${id}`, { token: bob });
  expect(other).toMatchObject({ status: 404, body: { error: { status: 'NOT_FOUND' } } });
  // Bob's frame is refused and nothing is written to Alice's interview.
  expect((await request(port, 'POST', `/api/v1/interviews/${id}/frames`, { token: bob, body: { image } })).status).toBe(404);
  expect((await request(port, 'GET', `/api/v1/interviews/${id}/status`, { token: alice })).body).toMatchObject({ frames_received: 0 });

  const bad = await request(port, 'POST', `/api/v1/interviews/${id}/answers`, { token: alice, body: { question_id: 'x', transcript: 1 } });
  expect(bad).toMatchObject({ status: 400, body: { error: { status: 'INVALID_ARGUMENT' } } });
  expect(
    (await request(port, 'POST', `/api/v1/interviews/${id}/answers`, { token: alice, body: { question_id: id, transcript: 'a', duration: 1, extra: 1 } }))
      .status,
  ).toBe(400);
  expect((await request(port, 'POST', `/api/v1/interviews/${id}/frames`, { token: alice, body: { image: 'not base64!' } })).status).toBe(400);
  expect((await request(port, 'POST', `/api/v1/interviews/${id}/frames`, { token: alice, rawBody: '{"image":' })).status).toBe(400);
  expect((await request(port, 'GET', '/api/v1/interviews/not-a-uuid', { token: alice })).status).toBe(400);
  expect((await request(port, 'GET', '/nowhere')).status).toBe(404);
  // A body a little past its bound is read and dropped after its 413, the connection kept (a client
  // still sending reads its answer); one far past it is cut (Connection: close).
  const slightly = await request(port, 'POST', '/api/v1/interviews/start', { token: alice, rawBody: JSON.stringify({ categories: ['x'.repeat(20_000)] }) });
  expect(slightly.status).toBe(413);
  expect(slightly.headers.connection).not.toBe('close');
  const far = String(16 * 1024 + LINGER_EXCESS_BYTES + 1);
  const cut = await request(port, 'POST', '/api/v1/interviews/start', { token: alice, rawBody: '{}', headers: { 'content-length': far } });
  expect(cut).toMatchObject({ status: 413, headers: { connection: 'close' } });
  expect((await request(port, 'GET', `/api/v1/interviews/${id}/status`, { token: alice })).body).toMatchObject({ frames_received: 0 });
});

test('CORS: only the allow-list', async () => {
  const allowed = await request(port, 'OPTIONS', '/api/v1/interviews/start', {
    headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
  });
  expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
  const refused = await request(port, 'OPTIONS', '/api/v1/interviews/start', {
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  expect(refused.headers['access-control-allow-origin']).toBeUndefined();
});

test('OpenAPI document and health are served', async () => {
  const doc = await request(port, 'GET', '/openapi.json');
  expect(doc.status).toBe(200);
  expect(doc.body).toMatchObject({ openapi: '3.1.0' });
  expect((await request(port, 'GET', '/healthz')).body).toEqual({ status: 'serving' });
});

test('WebSocket: auth first, then frames, answers and pings bridged to StreamInterview', async () => {
  const token = await signUp();
  const started = await request(port, 'POST', '/api/v1/interviews/start', { token, body: { question_count: 2 } });
  const { id, questions } = started.body as { id: string; questions: { id: string }[] };
  const ws = await openSocket(port, `/ws/interviews/${id}`);
  ws.send({ type: 'auth', data: { token } });
  await ws.next((m) => m.type === 'status');
  const first = await ws.next((m) => m.type === 'question');
  expect(first.data).toMatchObject({ id: questions[0].id });

  const mark = ws.messages.length;
  ws.send({ type: 'frame', data: { session_id: id, timestamp: Date.now(), image } });
  // Queued (no emotion service here): nothing measured, so the blinks are null rather than 0.
  expect((await ws.next((m) => m.type === 'emotion_update', mark)).data).toEqual({
    emotion: '',
    confidence: 0,
    timestamp: expect.any(Number) as number,
    frame_number: 1,
    face_detected: false,
    queued: true,
    blink_count: null,
    blink_rate_per_minute: null,
    blink_rate_window_seconds: null,
  });
  // Past 2 frames a second (the test's limit): an error, the socket stays open.
  ws.send({ type: 'frame', data: { image } });
  ws.send({ type: 'frame', data: { image } });
  expect((await ws.next((m) => m.type === 'error' && m.data.code === 'RATE_LIMIT_EXCEEDED', mark)).data.retry_after_ms).toBeGreaterThan(0);

  ws.send({ type: 'ping', data: {} });
  await ws.next((m) => m.type === 'pong', mark);
  ws.send({ type: 'nonsense', data: {} });
  await ws.next((m) => m.type === 'error' && m.data.code === 'INVALID_ARGUMENT', mark);
  const answered = ws.messages.length;
  ws.send({ type: 'answer', data: { question_id: questions[0].id, transcript: 'My answer...', duration: 45.5 } });
  expect((await ws.next((m) => m.type === 'status', answered)).data).toMatchObject({ progress: 50, current_question: 2, total_questions: 2 });
  expect((await ws.next((m) => m.type === 'question', answered)).data).toMatchObject({ id: questions[1].id });
  ws.socket.close(1000);
  expect((await ws.closed).code).toBe(1000);
});

test('WebSocket refusals: no auth in time, bad token, another candidate', async () => {
  const alice = await signUp();
  const bob = await signUp();
  const id = ((await request(port, 'POST', '/api/v1/interviews/start', { token: alice, body: {} })).body as { id: string }).id;

  const wrongFirst = await openSocket(port, `/ws/interviews/${id}`);
  wrongFirst.send({ type: 'frame', data: { image } });
  expect((await wrongFirst.closed).code).toBe(4401);

  const badToken = await openSocket(port, `/ws/interviews/${id}`);
  badToken.send({ type: 'auth', data: { token: 'not.a.token' } });
  expect((await badToken.closed).code).toBe(4401);

  const other = await openSocket(port, `/ws/interviews/${id}`);
  other.send({ type: 'auth', data: { token: bob } });
  expect((await other.closed).code).toBe(4404);
  expect((await request(port, 'GET', `/api/v1/interviews/${id}/status`, { token: alice })).body).toMatchObject({ frames_received: 0 });
});

interface Page {
  interviews: { id: string; candidate_id: string; started_at: string }[];
  next_page_token: string;
}

test('GET /api/v1/interviews: newest first, paged by an opaque token; a candidate sees their own only, an interviewer all', async () => {
  const alice = await signUp();
  const bob = await signUp();
  const interviewer = await signUp('interviewer');
  const start = async (token: string) => ((await request(port, 'POST', '/api/v1/interviews/start', { token, body: {} })).body as { id: string }).id;
  const alices = [await start(alice), await start(alice), await start(alice)];
  const bobs = [await start(bob)];

  const list = async (token: string, query = '') => {
    const answer = await request(port, 'GET', `/api/v1/interviews${query}`, { token });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    return answer.body as Page;
  };
  const all = async (token: string, size: number) => {
    const ids: string[] = [];
    let page = await list(token, `?page_size=${size}`);
    for (let n = 0; ; n += 1) {
      expect(page.interviews.length).toBeLessThanOrEqual(size);
      ids.push(...page.interviews.map((i) => i.id));
      if (page.next_page_token === '' || n > 50) break;
      page = await list(token, `?page_size=${size}&page_token=${page.next_page_token}`);
    }
    return ids;
  };

  // Alice: her three, newest first, over two pages; never Bob's.
  expect(await all(alice, 2)).toEqual([...alices].reverse());
  const first = await list(alice, '?page_size=2');
  expect(first.interviews).toHaveLength(2);
  expect(first.next_page_token).not.toBe('');
  expect(first.interviews.every((i) => i.candidate_id === first.interviews[0].candidate_id)).toBe(true);
  expect(await all(bob, 100)).toEqual(bobs);
  // A page token of Alice's used by Bob still lists Bob's only.
  expect((await list(bob, `?page_token=${first.next_page_token}`)).interviews.map((i) => i.id).filter((id) => alices.includes(id))).toEqual([]);
  // The interviewer: everyone's, newest first, each once.
  const everyone = await all(interviewer, 3);
  expect(new Set(everyone).size).toBe(everyone.length);
  for (const id of [...alices, ...bobs]) expect(everyone).toContain(id);
  const mine = everyone.filter((id) => [...alices, ...bobs].includes(id));
  expect(mine).toEqual([bobs[0], ...[...alices].reverse()]);

  // Bounds and tokens refused as INVALID_ARGUMENT; no token, 401.
  for (const query of ['?page_size=101', '?page_size=-1', '?page_size=x', '?page_token=bm90LWEtdG9rZW4', '?other=1']) {
    expect([query, await request(port, 'GET', `/api/v1/interviews${query}`, { token: alice })]).toMatchObject([
      query,
      { status: 400, body: { error: { status: 'INVALID_ARGUMENT' } } },
    ]);
  }
  expect((await request(port, 'GET', '/api/v1/interviews')).status).toBe(401);
});
