/**
 * A TEST DOUBLE of the gateway's REST and WebSocket API (seed 003 sections 4 and 5, the gateway's
/**
 * A TEST DOUBLE of the gateway's REST and WebSocket API (seed 003 sections 4 and 5, the gateway's
 * auth routes, the interviewer's list and the report), in memory, for the web app's UI tests
 * (web-app.test.ts): states the real mesh cannot be made to show on demand (limits hit, the
 * connection cut, scoring failed). It answers in the real gateway's shapes (src/services/gateway/to-json.ts and
 * interview-routes.ts; mesh-interview.test.ts drives the same page against the real one), but
 * analyses nothing: its emotion updates are whatever the test scripts (`feedback`), so a test on it
 * proves the page's flows, states and what the page sends (frames every ~500 ms, JPEG, over the
 * WebSocket), never an analysis. Tokens are unsigned JWT-shaped strings the page can read its role
 * from. A completed interview is not scored until the test says so (`score`, or `failScoring`), and
 * until then its report is 400 FAILED_PRECONDITION with the interview service's message, as
 * google.api's mapping gives it (src/platform/http/http-errors.ts); emotion updates carry
 * blink_count, blink_rate_per_minute and blink_rate_window_seconds, null when not measured.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

import type { Handler } from './static-server';

export interface ReceivedFrame {
  readonly at: number;
  readonly interviewId: string;
  readonly sessionId: unknown;
  readonly format: unknown;
  readonly timestamp: unknown;
  /** The decoded image's first bytes (JPEG: FF D8 FF). */
  readonly magic: string;
  readonly bytes: number;
}

interface MockInterview {
  id: string;
  candidate_id: string;
  state: 'in_progress' | 'completed' | 'scored' | 'failed';
  questions: { id: string; text: string; category: string; difficulty: string; expected_duration_seconds: number }[];
  answered_question_ids: string[];
  started_at: string;
  completed_at: string | null;
  failure_reason: string;
}

const QUESTIONS = [
  { text: 'Tell me about yourself.', category: 'introduction', expected_duration_seconds: 90 },
  { text: 'Describe a hard bug you fixed.', category: 'technical', expected_duration_seconds: 120 },
  { text: 'Why this role?', category: 'motivation', expected_duration_seconds: 60 },
];

/** What the double answers for a report's PDF: a PDF's header, no document (the real one is the scoring service's). */
const MOCK_PDF = Buffer.from("%PDF-1.7\n% a test double's stand-in, not a document\n");

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class MockGateway {
  readonly frames: ReceivedFrame[] = [];
  readonly answers: { interviewId: string; data: Record<string, unknown>; via: 'ws' | 'rest' }[] = [];
  readonly interviews = new Map<string, MockInterview>();
  /** Each GET of a report, with the HTTP status it was answered. */
  readonly reportRequests: { interviewId: string; status: number }[] = [];
  /** How many times the report's PDF was asked for (GET .../report?format=pdf). */
  pdfDownloads = 0;
  /** What the next emotion updates say (scripted by the test, not analysed). */
  feedback: Feedback = {
    face_detected: true,
    emotion: 'neutral',
    confidence: 0.8,
    blink_count: 14,
    blink_rate_per_minute: 14,
    blink_rate_window_seconds: 60,
  };
  private readonly users = new Map<string, { id: string; password: string; role: string }>();
  private readonly sockets = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });

  readonly handler: Handler = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://test');
    if (!url.pathname.startsWith('/api/')) return false;
    const body = request.method === 'POST' ? await readJson(request) : {};
    this.route(request.method ?? 'GET', url, body, request.headers.authorization ?? '', response);
    return true;
  };

  /** For the static server's 'upgrade' event: WebSockets on /ws/interviews/:id. */
  readonly upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = /^\/ws\/interviews\/([^/?]+)/.exec(request.url ?? '');
    if (!match) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.connected(ws, decodeURIComponent(match[1]));
    });
  };

  /** Cuts every open WebSocket as a network would (no close frame): the page must reconnect. */
  dropSockets(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Sends every open socket what the gateway sends past seed 002's 10 frames/s. */
  limit(retryAfterMs: number): void {
    this.broadcast({
      type: 'error',
      data: { code: 'RATE_LIMIT_EXCEEDED', status: 'RESOURCE_EXHAUSTED', message: 'too many frames', retry_after_ms: retryAfterMs },
    });
  }

  /** Scoring done: the interview's report is served from now on. */
  score(interviewId: string): void {
    const interview = this.interview(interviewId);
    if (interview.state !== 'completed') throw new Error(`interview ${interviewId} is ${interview.state}, not completed`);
    interview.state = 'scored';
  }

  /** Scoring failed: no report ever, as the interview service's failed state says. */
  failScoring(interviewId: string, reason: string): void {
    const interview = this.interview(interviewId);
    interview.state = 'failed';
    interview.failure_reason = reason;
  }

  /** An interview of `candidateId` already completed (the page can open its report by URL). */
  addCompleted(candidateId: string): string {
    const id = randomUUID();
    const now = new Date().toISOString();
    this.interviews.set(id, {
      id,
      candidate_id: candidateId,
      state: 'completed',
      questions: QUESTIONS.map((q) => ({ ...q, id: randomUUID(), difficulty: 'medium' })),
      answered_question_ids: [],
      started_at: now,
      completed_at: now,
      failure_reason: '',
    });
    return id;
  }

  private interview(id: string): MockInterview {
    const interview = this.interviews.get(id);
    if (!interview) throw new Error(`no interview ${id} in the mock`);
    return interview;
  }

  get openSockets(): number {
    return [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN).length;
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private broadcast(message: object): void {
    for (const ws of this.sockets) if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  private tokens(user: { id: string; role: string }) {
    const access = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: user.id, role: user.role, exp: Math.floor(Date.now() / 1000) + 900 })}.mock`;
    return { access_token: access, refresh_token: `refresh-${user.id}`, expires_in: 900, token_type: 'Bearer' };
  }

  private progress(i: MockInterview) {
    const total = i.questions.length;
    const answered = i.answered_question_ids.length;
    return { progress: Math.round((100 * answered) / total), current_question: Math.min(answered + 1, total), total_questions: total, answered };
  }

  private answer(i: MockInterview, data: Record<string, unknown>, via: 'ws' | 'rest') {
    this.answers.push({ interviewId: i.id, data, via });
    if (typeof data.question_id === 'string' && !i.answered_question_ids.includes(data.question_id)) i.answered_question_ids.push(data.question_id);
    return i.questions.find((q) => !i.answered_question_ids.includes(q.id)) ?? null;
  }

  private route(method: string, url: URL, body: Record<string, unknown>, authorization: string, response: ServerResponse): void {
    const send = (status: number, value?: object) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(value === undefined ? undefined : JSON.stringify(value));
    };
    const path = url.pathname;
    if (method === 'POST' && path === '/api/v1/auth/register') {
      const id = randomUUID();
      const role = body.role === 'interviewer' ? 'interviewer' : 'candidate';
      this.users.set(String(body.email), { id, password: String(body.password), role });
      send(201, { user_id: id, role });
      return;
    }
    if (method === 'POST' && path === '/api/v1/auth/login') {
      const user = this.users.get(String(body.email));
      if (user === undefined || user.password !== body.password) {
        send(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Wrong email or password.', details: [] } });
        return;
      }
      send(200, this.tokens(user));
      return;
    }
    if (method === 'POST' && path === '/api/v1/auth/logout') {
      send(204);
      return;
    }
    if (method === 'POST' && path === '/api/v1/auth/refresh') {
      const user = [...this.users.values()].find((u) => `refresh-${u.id}` === body.refresh_token);
      if (user) send(200, this.tokens(user));
      else send(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'refresh token refused', details: [] } });
      return;
    }
    if (!authorization.startsWith('Bearer ')) {
      send(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'no token', details: [] } });
      return;
    }
    const sub = (JSON.parse(Buffer.from(authorization.slice(7).split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
    if (method === 'POST' && path === '/api/v1/interviews/start') {
      const id = randomUUID();
      const interview: MockInterview = {
        id,
        candidate_id: sub,
        state: 'in_progress',
        questions: QUESTIONS.map((q) => ({ ...q, id: randomUUID(), difficulty: 'medium' })),
        answered_question_ids: [],
        started_at: new Date().toISOString(),
        completed_at: null,
        failure_reason: '',
      };
      this.interviews.set(id, interview);
      send(201, interview);
      return;
    }
    if (method === 'GET' && path === '/api/v1/interviews') {
      send(200, { interviews: [...this.interviews.values()].reverse(), next_page_token: '' });
      return;
    }
    const match = /^\/api\/v1\/interviews\/([^/]+)(?:\/(\w+))?$/.exec(path);
    const interview = match ? this.interviews.get(match[1]) : undefined;
    if (!match || !interview) {
      send(404, { error: { code: 404, status: 'NOT_FOUND', message: 'no such interview', details: [] } });
      return;
    }
    // An optional group: undefined at run time when absent, whatever its type says.
    const [, , action = ''] = match;
    if (method === 'GET' && action === '') send(200, interview);
    else if (method === 'POST' && action === 'answers')
      send(200, { answer_id: randomUUID(), next_question: this.answer(interview, body, 'rest'), status: this.progress(interview) });
    else if (method === 'POST' && action === 'complete') {
      // Completed, not scored: scoring runs afterwards (the test's `score`).
      if (interview.state === 'in_progress') {
        interview.state = 'completed';
        interview.completed_at = new Date().toISOString();
      }
      send(200, interview);
    } else if (method === 'GET' && action === 'status')
      send(200, { interview_id: interview.id, state: interview.state, ...this.progress(interview), frames_received: this.frames.length });
    else if (method === 'GET' && action === 'report') {
      const refusal = this.reportRefusal(interview);
      this.reportRequests.push({ interviewId: interview.id, status: refusal ? 400 : 200 });
      if (refusal) send(400, { error: { code: 400, status: 'FAILED_PRECONDITION', message: refusal, details: [] } });
      else if (url.searchParams.get('format') === 'pdf') {
        this.pdfDownloads += 1;
        response
          .writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': `attachment; filename="interview-${interview.id}.pdf"` })
          .end(MOCK_PDF);
      } else send(200, this.report(interview));
    } else send(404, { error: { code: 404, status: 'NOT_FOUND', message: 'no such route', details: [] } });
  }

  /** The interview service's GetReport refusal (requireScored), which the gateway answers 400 FAILED_PRECONDITION; undefined once scored. */
  private reportRefusal(i: MockInterview): string | undefined {
    if (i.state === 'scored') return undefined;
    if (i.state === 'failed') return `interview ${i.id} failed: it could not be scored (${i.failure_reason || 'no reason given'}), so it has no report`;
    return `interview ${i.id} is ${i.state}; the report exists once it is scored`;
  }

  /** A fixed report shaped as the gateway returns one (InterviewReport's proto3 JSON inside, the proto's snake_case names, zeros and falses left out). */
  private report(i: MockInterview) {
    const start = Date.parse(i.started_at);
    const timeline = Array.from({ length: 20 }, (_, n) =>
      n < 8 || n >= 16
        ? { timestamp_ms: start + n * 500, face_detected: true, emotion: n % 3 === 0 ? 'happy' : 'neutral', confidence: 0.7 }
        : { timestamp_ms: start + n * 500 },
    );
    return {
      interview_id: i.id,
      scores: { technical: 62, communication: 71, emotion: 80, overall: 68 },
      feedback: 'A mock report.',
      report: {
        schema_version: 2,
        session_id: i.id,
        started_at: i.started_at,
        scores: { technical: 62, communication: 71, emotion: 80, overall: 68 },
        feedback: 'Clear answers; the technical one could go deeper.',
        answers: i.questions.map((q) => ({
          question_id: q.id,
          question: q.text,
          category: q.category,
          duration_seconds: 20,
          word_count: 40,
          relevance_score: 70,
          clarity_score: 75,
          depth_score: 55,
          keywords: ['example'],
          feedback: 'Fine.',
        })),
        emotion_summary: { sample_count: 20, face_detected_count: 12, dominant_emotion: 'neutral', timeline },
        blinks: { blink_count: 3, tracked_seconds: 10, blinks_per_minute: 18, normal_low_per_minute: 10.5, normal_high_per_minute: 32.5 },
        insights: [{ category: 'presence', description: 'Face out of view for 4 s.', impact: -0.1, evidence: ['frames 8-15'] }],
        // The frames without a face (8-15) as the integrity service would assess them: one event, review.
        integrity: {
          status: 'INTEGRITY_STATUS_ASSESSED',
          verdict: 'INTEGRITY_VERDICT_REVIEW',
          risk: 0.38,
          peak_risk: 0.4,
          peak_at_ms: start + 5_500,
          frames_analyzed: 20,
          first_frame_ms: start,
          last_frame_ms: start + 9_500,
          events: [
            {
              kind: 'INTEGRITY_EVENT_KIND_FACE_MISSING',
              started_at_ms: start + 4_000,
              confirmed_at_ms: start + 5_500,
              frame_number: 11,
              weight: 0.4,
              risk_after: 0.4,
              detail: 'no face for 1.5 s',
            },
          ],
          events_total: 1,
          policy: { half_life_seconds: 60, review_threshold: 0.4, flag_threshold: 0.7 },
        },
      },
      report_url: `/mock-report/${i.id}.json`,
      report_url_expires_at: new Date(Date.now() + 900_000).toISOString(),
    };
  }

  private connected(ws: WebSocket, interviewId: string): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    let authed = false;
    ws.on('message', (raw) => {
      const message = JSON.parse((raw as Buffer).toString()) as { type: string; data: Record<string, unknown> };
      const interview = this.interviews.get(interviewId);
      if (!authed) {
        if (message.type !== 'auth' || !interview) {
          ws.close(4401, 'auth first');
          return;
        }
        authed = true;
        ws.send(JSON.stringify({ type: 'status', data: this.progress(interview) }));
        return;
      }
      if (!interview) return;
      if (message.type === 'frame') {
        const image = Buffer.from(String(message.data.image), 'base64');
        this.frames.push({
          at: Date.now(),
          interviewId,
          sessionId: message.data.session_id,
          format: message.data.format,
          timestamp: message.data.timestamp,
          magic: image.subarray(0, 3).toString('hex'),
          bytes: image.length,
        });
        const data = { blink_count: null, blink_rate_per_minute: null, blink_rate_window_seconds: null, queued: false, ...this.feedback };
        ws.send(JSON.stringify({ type: 'emotion_update', data: { ...data, timestamp: Date.now(), frame_number: this.frames.length } }));
      } else if (message.type === 'answer') {
        const next = this.answer(interview, message.data, 'ws');
        ws.send(JSON.stringify({ type: 'status', data: this.progress(interview) }));
        if (next) ws.send(JSON.stringify({ type: 'question', data: next }));
      } else if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong', data: {} }));
    });
  }
}

/** An emotion update's scripted fields; the blinks null when the test means "not measured". */
export interface Feedback {
  face_detected: boolean;
  emotion: string;
  confidence: number;
  /** True for a frame the real gateway queued for analysis (face_detected false and no emotion then mean "not analysed"). */
  queued?: boolean;
  blink_count?: number | null;
  blink_rate_per_minute?: number | null;
  blink_rate_window_seconds?: number | null;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
