import { Metadata } from '@grpc/grpc-js';
import { ScoreRequest, ScoreResponse, ScoringServiceClient, ScoringServiceService } from '../../../src/gen/scoring';
import { BreakerState } from '../../../src/platform/breaker/circuit-breaker';
import { CancelledError, InvalidInputError, NotFoundError, TimeoutError, UnavailableError, WrongStateError } from '../../../src/platform/errors/domain-errors';
import { adaptService, AsyncService } from '../../../src/platform/grpc/async-service';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { ServiceError } from '../../../src/platform/grpc/errors';
import { HealthState } from '../../../src/platform/grpc/health';
import { RunningGrpcServer, startGrpcServer } from '../../../src/platform/grpc/server';
import { silentLogger } from '../../../src/platform/log/logger';
import { createDownstreamClient, DownstreamClient, DownstreamClientOptions, DownstreamSpec } from '../../../src/platform/service/downstream-client';
import { TransportSecurity } from '../../../src/platform/tls/transport-security';
import { testTransport } from '../../support/tls';
import { sleep, waitFor } from '../../support/wait';

const log = silentLogger();
const SPEC: DownstreamSpec<ScoringServiceClient> = { service: 'scoring', grpcService: 'scoring.ScoringService', client: ScoringServiceClient, deadlineMs: 500 };
const BREAKER = { volumeThreshold: 2, resetTimeoutMs: 500 };
/** mTLS as in the mesh: the server with scoring's certificate, the clients with interview's (the tests' CA). */
let transport: TransportSecurity;
beforeAll(async () => {
  transport = await testTransport();
});
afterAll(() => {
  transport.close();
});

type Handler = (request: ScoreRequest, ctx: CallContext) => Promise<ScoreResponse>;

/** Resolves after `ms` milliseconds, or as soon as `signal` aborts (the server stops waiting for a call nobody awaits). */
function sleepUnless(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** A scoring server on 127.0.0.1, port 0, whose CalculateScore does what `handler` says and counts its calls. */
async function startScoring(): Promise<{ server: RunningGrpcServer; calls: () => number; answer: (handler: Handler) => void; contexts: CallContext[] }> {
  let handler: Handler = (request) => Promise.resolve(ScoreResponse.fromPartial({ sessionId: request.sessionId, overallScore: 70 }));
  let calls = 0;
  const contexts: CallContext[] = [];
  const implementation: AsyncService<typeof ScoringServiceService> = {
    calculateScore: (request, ctx) => {
      calls += 1;
      contexts.push(ctx);
      return handler(request, ctx);
    },
    analyzeAnswer: () => Promise.reject(ServiceError.unimplemented('AnalyzeAnswer')),
    generateReport: () => Promise.reject(ServiceError.unimplemented('GenerateReport')),
  };
  const server = await startGrpcServer({
    name: 'scoring-test',
    host: '127.0.0.1',
    port: 0,
    services: [
      { name: 'scoring.ScoringService', definition: ScoringServiceService, implementation: adaptService(ScoringServiceService, implementation, { log }) },
    ],
    health: new HealthState(['scoring.ScoringService']),
    log,
    credentials: transport.serverCredentials('scoring', true),
  });
  return { server, calls: () => calls, answer: (h) => (handler = h), contexts };
}

/** A caller's CallContext with its own signal and deadline. */
function callerContext(options: { signal?: AbortSignal; deadline?: Date } = {}): CallContext {
  return {
    method: '/interview.InterviewService/Complete',
    metadata: new Metadata(),
    deadline: options.deadline,
    signal: options.signal ?? new AbortController().signal,
    peer: 'test',
    caller: undefined,
    log,
  };
}

/** What `promise` rejected with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('it resolved');
}

const score = (sessionId: string) => ScoreRequest.fromPartial({ sessionId });

describe('createDownstreamClient against a real server', () => {
  let scoring: Awaited<ReturnType<typeof startScoring>>;
  const clients: DownstreamClient<ScoringServiceClient>[] = [];
  const newClient = (options: Partial<DownstreamClientOptions> = {}) => {
    const client = createDownstreamClient(SPEC, {
      target: scoring.server.address,
      channel: transport.channel({ kind: 'service', name: 'interview' }, 'scoring'),
      deadlineMs: SPEC.deadlineMs,
      log,
      breaker: BREAKER,
      ...options,
    });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    scoring = await startScoring();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await scoring.server.shutdown(100);
  });

  it('returns the response of a successful call', async () => {
    const client = newClient();
    expect(client.name).toBe('scoring');
    const response = await client.call('calculateScore', score('s-1'));
    expect(response).toMatchObject({ sessionId: 's-1', overallScore: 70 });
    expect(client.breakerState).toBe('closed');
  });

  it("turns the server's caller-fault statuses into DomainErrors with the server's message", async () => {
    const client = newClient();
    scoring.answer(() => Promise.reject(ServiceError.invalidArgument('session_id is required')));
    let error = await rejection(client.call('calculateScore', score('')));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('session_id is required');

    scoring.answer(() => Promise.reject(new NotFoundError('no interview s-404')));
    error = await rejection(client.call('calculateScore', score('s-404')));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('no interview s-404');

    scoring.answer(() => Promise.reject(new WrongStateError('interview s-2 is not completed')));
    error = await rejection(client.call('calculateScore', score('s-2')));
    expect(error).toBeInstanceOf(WrongStateError);
    expect(error.message).toBe('interview s-2 is not completed');
  });

  it('gives TimeoutError naming the service when the server sleeps past the budget: the breaker decides, at 90 % of it', async () => {
    const client = newClient();
    scoring.answer(async (request, ctx) => {
      await sleepUnless(ctx.signal, 2_000);
      return ScoreResponse.fromPartial({ sessionId: request.sessionId });
    });
    const started = Date.now();
    const error = await rejection(client.call('calculateScore', score('slow')));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    // The breaker's message (its timeout is 450 ms of the 500 ms budget), not the deadline's.
    expect(error.message).toBe('scoring did not answer within 450 ms');
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });

  it('gives UnavailableError without addresses when the server is stopped', async () => {
    const client = newClient();
    await client.call('calculateScore', score('before'));
    const { port } = scoring.server;
    await scoring.server.shutdown(100);
    const error = await rejection(client.call('calculateScore', score('after')));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('the scoring service is unavailable; retry shortly');
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.message).not.toContain(String(port));
    scoring = await startScoring(); // for afterEach
  });

  it('opens the breaker after repeated failures, fails fast without reaching the server, then half-opens and closes', async () => {
    const client = newClient();
    const states: BreakerState[] = [];
    client.onBreakerState((state) => states.push(state));
    scoring.answer(() => Promise.reject(new Error('model crashed')));

    for (let i = 0; i < 2; i++) await rejection(client.call('calculateScore', score(`f-${i}`)));
    expect(scoring.calls()).toBe(2);
    expect(states).toEqual(['open']);
    expect(client.breakerState).toBe('open');

    const error = await rejection(client.call('calculateScore', score('fast')));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe('scoring is unavailable (circuit open); retry later');
    expect(scoring.calls()).toBe(2);

    scoring.answer((request) => Promise.resolve(ScoreResponse.fromPartial({ sessionId: request.sessionId, overallScore: 1 })));
    await waitFor('half-open', () => client.breakerState === 'half-open', 2_000, 10);
    expect(states).toEqual(['open', 'half-open']);
    expect(await client.call('calculateScore', score('trial'))).toMatchObject({ sessionId: 'trial' });
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(client.breakerState).toBe('closed');
    expect(scoring.calls()).toBe(3);
  });

  it('counts UNAVAILABLE answers against the breaker', async () => {
    const client = newClient();
    scoring.answer(() => Promise.reject(new UnavailableError('overloaded')));
    for (let i = 0; i < 2; i++) expect(await rejection(client.call('calculateScore', score(`u-${i}`)))).toBeInstanceOf(UnavailableError);
    expect(client.breakerState).toBe('open');
  });

  it('never opens the breaker on rejected calls (INVALID_ARGUMENT)', async () => {
    const client = newClient();
    const states: BreakerState[] = [];
    client.onBreakerState((state) => states.push(state));
    scoring.answer(() => Promise.reject(ServiceError.invalidArgument('answers[0].question is empty')));
    for (let i = 0; i < 6; i++) expect(await rejection(client.call('calculateScore', score(`r-${i}`)))).toBeInstanceOf(InvalidInputError);
    expect(scoring.calls()).toBe(6);
    expect(states).toEqual([]);
    expect(client.breakerState).toBe('closed');
  });

  it("cancels the call when the caller's signal aborts, and does not count it against the breaker", async () => {
    const client = newClient();
    const states: BreakerState[] = [];
    client.onBreakerState((state) => states.push(state));
    scoring.answer(async (request, ctx) => {
      await sleepUnless(ctx.signal, 2_000);
      return ScoreResponse.fromPartial({ sessionId: request.sessionId });
    });
    for (let i = 0; i < 3; i++) {
      const caller = new AbortController();
      const started = Date.now();
      const pending = client.call('calculateScore', score(`c-${i}`), callerContext({ signal: caller.signal }));
      await waitFor('the server to have the call', () => scoring.calls() === i + 1, 2_000, 5);
      caller.abort();
      const error = await rejection(pending);
      expect(error).toBeInstanceOf(CancelledError);
      expect(Date.now() - started).toBeLessThan(400);
      // The server saw the cancellation too.
      await waitFor('the server-side signal to abort', () => scoring.contexts[i].signal.aborted, 2_000, 5);
    }
    expect(states).toEqual([]);
    expect(client.breakerState).toBe('closed');
  });

  it('does not even start a call whose caller has already given up', async () => {
    const client = newClient();
    const caller = new AbortController();
    caller.abort();
    const error = await rejection(client.call('calculateScore', score('late'), callerContext({ signal: caller.signal })));
    expect(error).toBeInstanceOf(CancelledError);
    await sleep(50);
    expect(scoring.calls()).toBe(0);
  });

  it("lets the caller's earlier deadline win over the budget", async () => {
    const client = newClient();
    scoring.answer(async (request, ctx) => {
      await sleepUnless(ctx.signal, 2_000);
      return ScoreResponse.fromPartial({ sessionId: request.sessionId });
    });
    const deadline = new Date(Date.now() + 150);
    const started = Date.now();
    const error = await rejection(client.call('calculateScore', score('d'), callerContext({ deadline })));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('the scoring service did not answer in time');
    expect(Date.now() - started).toBeLessThan(400);
    const serverDeadline = scoring.contexts[0].deadline;
    expect(serverDeadline).toBeInstanceOf(Date);
    expect(Math.abs(serverDeadline!.getTime() - deadline.getTime())).toBeLessThan(100);
  });

  it("uses the budget when the caller's deadline is later", async () => {
    const client = newClient();
    const before = Date.now();
    await client.call('calculateScore', score('b'), callerContext({ deadline: new Date(Date.now() + 60_000) }));
    const serverDeadline = scoring.contexts[0].deadline!.getTime();
    expect(serverDeadline).toBeGreaterThanOrEqual(before + 400);
    expect(serverDeadline).toBeLessThanOrEqual(Date.now() + 600);
  });
});
