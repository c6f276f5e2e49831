/**
 * StreamInterview's time bounds, on streamInterview itself with a fake Interviews, a hand-made
 * CallContext and tiny bounds (lifetime 200 ms, idle 100 ms), real timers: a silent stream ends
 * with RESOURCE_EXHAUSTED after the idle bound, a chatty one at its lifetime, a cancelled one
 * quietly; however a stream ends, it leaves no timer behind and closes the client's requests.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { createHook } from 'node:async_hooks';
import { StreamInterviewRequest, StreamInterviewResponse } from '../../../src/gen/interview';
import { LimitExceededError } from '../../../src/platform/errors/domain-errors';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { toStatus } from '../../../src/platform/grpc/errors';
import { setPrincipal } from '../../../src/platform/identity/principal';
import { silentLogger } from '../../../src/platform/log/logger';
import { SessionRecord } from '../../../src/services/interview/domain/interview';
import { Interviews } from '../../../src/services/interview/interviews';
import { StreamBounds, streamInterview } from '../../../src/services/interview/interview-stream';
import { HandlerLimits } from '../../../src/services/interview/limits';
import { RateLimit } from '../../../src/platform/limits/rate-limit';

/** Limits that refuse nothing and start no timer (the limits have tests of their own): the timers watched here are the stream's. */
const unlimited = (name: string): RateLimit => ({
  spec: { name, max: Number.MAX_SAFE_INTEGER, windowSeconds: 1, unit: 'calls' },
  take: () => Promise.resolve(),
  giveBack: () => Promise.resolve(),
});
const NO_LIMITS: HandlerLimits = { frames: unlimited('frames'), interviews: unlimited('interviews'), streams: unlimited('streams') };

const BOUNDS: StreamBounds = { lifetimeMs: 200, idleMs: 100 };
const SESSION = '3f0e9d6c-2b1a-4c5d-8e7f-9a0b1c2d3e4f';
const CANDIDATE = '7d1c3e1a-9a53-4a54-8a38-0d7f3f0b9c11';
/** Timers fire no earlier than asked, but a little late under load. */
const EARLY = 5;
const LATE = 80;

const SESSION_RECORD: SessionRecord = {
  id: SESSION,
  candidateId: CANDIDATE,
  status: 'in_progress',
  startedAt: new Date(),
  completedAt: null,
  failureReason: null,
  framesReceived: 0,
  questions: [{ id: 'q1', text: 'Tell me about yourself', category: 'introduction', difficulty: 'easy', expectedDurationSeconds: 60 }],
  answeredQuestionIds: [],
};

/** Only what the stream calls for pings: get. */
function fakeInterviews(): Interviews {
  return { get: () => Promise.resolve(SESSION_RECORD) } as unknown as Interviews;
}

function context(signal: AbortSignal = new AbortController().signal): CallContext {
  const ctx: CallContext = {
    method: '/interview.v1.InterviewService/StreamInterview',
    metadata: new Metadata(),
    deadline: undefined,
    signal,
    peer: 'ipv4:127.0.0.1:50000',
    caller: undefined,
    log: silentLogger(),
  };
  setPrincipal(ctx, { subject: CANDIDATE, role: 'candidate' });
  return ctx;
}

/** The client's side of the requests: `send` and `end` as it pleases; `closed` once the server said it wants no more. */
class Requests implements AsyncIterable<StreamInterviewRequest> {
  closed = false;
  private readonly queue: IteratorResult<StreamInterviewRequest>[] = [];
  private waiting: ((result: IteratorResult<StreamInterviewRequest>) => void) | undefined;

  send(request: Partial<StreamInterviewRequest>): void {
    this.deliver({ done: false, value: StreamInterviewRequest.fromPartial(request) });
  }

  end(): void {
    this.deliver({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamInterviewRequest> {
    return {
      next: () => {
        const queued = this.queue.shift();
        if (queued) return Promise.resolve(queued);
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.closed = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private deliver(result: IteratorResult<StreamInterviewRequest>): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(result);
    else this.queue.push(result);
  }
}

/** The stream's responses and how it ended, with the time it ended (Date.now()). */
async function run(stream: AsyncIterable<StreamInterviewResponse>): Promise<{ responses: StreamInterviewResponse[]; error: unknown; endedAt: number }> {
  const responses: StreamInterviewResponse[] = [];
  let error: unknown;
  try {
    for await (const response of stream) responses.push(response);
  } catch (caught) {
    error = caught;
  }
  return { responses, error, endedAt: Date.now() };
}

/** The setTimeout handles created while `body` runs, and the ones passed to clearTimeout. */
async function watchingTimers<T>(body: () => Promise<T>): Promise<{ result: T; created: unknown[]; cleared: Set<unknown> }> {
  const setSpy = jest.spyOn(globalThis, 'setTimeout');
  const clearSpy = jest.spyOn(globalThis, 'clearTimeout');
  try {
    const result = await body();
    return { result, created: setSpy.mock.results.map((r) => r.value as unknown), cleared: new Set(clearSpy.mock.calls.map(([handle]) => handle as unknown)) };
  } finally {
    setSpy.mockRestore();
    clearSpy.mockRestore();
  }
}

/**
 * Runs `body` and returns the timers (of any origin: setTimeout, node:timers, timers/promises) it
 * started that are still pending once it has settled: by async_hooks, so that timers of other test
 * files sharing this worker process, which may fire meanwhile, do not count.
 */
async function pendingTimersOf<T>(body: () => Promise<T>): Promise<{ result: T; pending: number }> {
  const started = new Set<number>();
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout') started.add(asyncId);
    },
    destroy(asyncId) {
      started.delete(asyncId);
    },
  }).enable();
  try {
    const result = await body();
    // A cleared timer's destroy hook runs on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    return { result, pending: started.size };
  } finally {
    hook.disable();
  }
}

function expectAllCleared({ created, cleared }: { created: unknown[]; cleared: Set<unknown> }): void {
  expect(created.length).toBeGreaterThan(0);
  for (const handle of created) expect(cleared.has(handle)).toBe(true);
}

/** Which kind each response is: status, question, pong, ... */
const kinds = (responses: StreamInterviewResponse[]) => responses.map((r) => Object.entries(r).find(([, v]) => v !== undefined)?.[0]);

describe('StreamInterview time bounds', () => {
  it('ends a stream the client leaves silent for the idle bound with RESOURCE_EXHAUSTED naming it', async () => {
    const requests = new Requests();
    const watched = await watchingTimers(async () => {
      requests.send({ interviewId: SESSION, ping: { sentAtMs: 1 } });
      const lastMessageAt = Date.now();
      return { lastMessageAt, ...(await run(streamInterview(fakeInterviews(), NO_LIMITS, requests, context(), BOUNDS))) };
    });
    const { lastMessageAt, responses, error, endedAt } = watched.result;

    expect(kinds(responses)).toEqual(['status', 'question', 'pong']);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as Error).message).toBe('no message for 100 ms: the stream is closed; open a new one when you resume');
    expect(toStatus(error).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(endedAt - lastMessageAt).toBeGreaterThanOrEqual(BOUNDS.idleMs - EARLY);
    expect(endedAt - lastMessageAt).toBeLessThan(BOUNDS.idleMs + LATE);
    expect(requests.closed).toBe(true);
    expectAllCleared(watched);
  });

  it('ends a chatty stream at its lifetime: every message restarts the idle bound, none the lifetime', async () => {
    const requests = new Requests();
    const startedAt = Date.now();
    requests.send({ interviewId: SESSION, ping: { sentAtMs: 0 } });
    let sent = 1;
    const chatter = setInterval(() => {
      requests.send({ ping: { sentAtMs: sent++ } });
    }, 30);
    const watched = await watchingTimers(() => run(streamInterview(fakeInterviews(), NO_LIMITS, requests, context(), BOUNDS))).finally(() => {
      clearInterval(chatter);
    });
    const { responses, error, endedAt } = watched.result;

    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as Error).message).toBe('the interview stream lasted its limit of 200 ms; open a new one');
    expect(toStatus(error).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(endedAt - startedAt).toBeGreaterThanOrEqual(BOUNDS.lifetimeMs - EARLY);
    expect(endedAt - startedAt).toBeLessThan(BOUNDS.lifetimeMs + LATE);
    // Past the idle bound twice over: the pings kept it open.
    expect(kinds(responses).filter((k) => k === 'pong').length).toBeGreaterThanOrEqual(4);
    expect(requests.closed).toBe(true);
    expectAllCleared(watched);
  });

  it('ends normally when the client ends, leaving no timer running', async () => {
    const requests = new Requests();
    const { result: watched, pending } = await pendingTimersOf(() =>
      watchingTimers(async () => {
        requests.send({ interviewId: SESSION, ping: { sentAtMs: 1 } });
        requests.send({ ping: { sentAtMs: 2 } });
        setImmediate(() => {
          requests.end();
        });
        return run(streamInterview(fakeInterviews(), NO_LIMITS, requests, context(), BOUNDS));
      }),
    );

    expect(watched.result.error).toBeUndefined();
    expect(kinds(watched.result.responses)).toEqual(['status', 'question', 'pong', 'pong']);
    expectAllCleared(watched);
    expect(pending).toBe(0);
  });

  it('ends quietly when the call is cancelled while it waits for the client, leaving no timer running', async () => {
    const requests = new Requests();
    const controller = new AbortController();
    const watched = await watchingTimers(async () => {
      requests.send({ interviewId: SESSION, ping: { sentAtMs: 1 } });
      const startedAt = Date.now();
      setImmediate(() => {
        controller.abort(new Error('cancelled by the client'));
      });
      return { startedAt, ...(await run(streamInterview(fakeInterviews(), NO_LIMITS, requests, context(controller.signal), BOUNDS))) };
    });

    expect(watched.result.error).toBeUndefined();
    expect(kinds(watched.result.responses)).toEqual(['status', 'question', 'pong']);
    expect(watched.result.endedAt - watched.result.startedAt).toBeLessThan(BOUNDS.idleMs);
    expect(requests.closed).toBe(true);
    expectAllCleared(watched);
  });
});
