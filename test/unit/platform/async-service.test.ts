import { CallOptions, ClientReadableStream, ClientUnaryCall, Metadata, status } from '@grpc/grpc-js';
import { BatchRequest, EmotionResponse, EmotionServiceClient, EmotionServiceService } from '../../../src/gen/emotion';
import { ScoreRequest, ScoreResponse, ScoringServiceClient, ScoringServiceService } from '../../../src/gen/scoring';
import { NotFoundError, WrongStateError } from '../../../src/platform/errors/domain-errors';
import { adaptService, AsyncService, ServerInterceptor } from '../../../src/platform/grpc/async-service';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { ServiceError } from '../../../src/platform/grpc/errors';
import { HealthState } from '../../../src/platform/grpc/health';
import { RunningGrpcServer, startGrpcServer } from '../../../src/platform/grpc/server';
import { silentLogger } from '../../../src/platform/log/logger';
import { TransportSecurity } from '../../../src/platform/tls/transport-security';
import { sleep, waitFor } from '../../support/wait';
import { failure } from '../../support/interview-client';
import { testCredentials, testTransport } from '../../support/tls';

type ScoreHandler = (request: ScoreRequest, ctx: CallContext) => Promise<ScoreResponse>;
type BatchHandler = (request: BatchRequest, ctx: CallContext) => AsyncIterable<EmotionResponse>;

const log = silentLogger();
const response = (sessionId: string, overallScore = 50) => ScoreResponse.fromPartial({ sessionId, overallScore, feedback: 'ok' });

/** What each test makes the handlers do; reset before each test. */
let onCalculate: ScoreHandler;
let onBatch: BatchHandler;
/** What the interceptors saw, in order. */
let trace: string[];
/** When set, the outer interceptor refuses the call with it before the handler runs. */
let refuse: Error | undefined;

const scoring: AsyncService<typeof ScoringServiceService> = {
  calculateScore: (request, ctx) => onCalculate(request, ctx),
  analyzeAnswer: () => Promise.reject(ServiceError.unimplemented('AnalyzeAnswer')),
  generateReport: () => Promise.reject(ServiceError.unimplemented('GenerateReport')),
};

const emotion: AsyncService<typeof EmotionServiceService> = {
  analyzeFrame: () => Promise.reject(ServiceError.unimplemented('AnalyzeFrame')),
  analyzeBatch: (request, ctx) => onBatch(request, ctx),
  detectFace: () => Promise.reject(ServiceError.unimplemented('DetectFace')),
  detectBlink: () => Promise.reject(ServiceError.unimplemented('DetectBlink')),
  analyzeStream: () => {
    throw ServiceError.unimplemented('AnalyzeStream');
  },
};

const outer: ServerInterceptor = async (ctx, next) => {
  trace.push(`outer before ${ctx.method}`);
  if (refuse) throw refuse;
  try {
    await next();
    trace.push('outer after');
  } catch (error) {
    trace.push(`outer saw ${(error as Error).name}`);
    throw error;
  }
};
const inner: ServerInterceptor = async (_ctx, next) => {
  trace.push('inner before');
  try {
    await next();
    trace.push('inner after');
  } catch (error) {
    trace.push(`inner saw ${(error as Error).name}`);
    throw error;
  }
};

function calculate(
  client: ScoringServiceClient,
  sessionId: string,
  options: Partial<CallOptions> = {},
): { call: ClientUnaryCall; result: Promise<ScoreResponse> } {
  let call: ClientUnaryCall | undefined;
  const result = new Promise<ScoreResponse>((resolve, reject) => {
    call = client.calculateScore(ScoreRequest.fromPartial({ sessionId }), new Metadata(), options, (error, value) => {
      if (error) reject(error);
      else resolve(value);
    });
  });
  return { call: call!, result };
}

/** Every message of a server stream, then how it ended. */
function collect(stream: ClientReadableStream<EmotionResponse>): Promise<{ timestamps: number[]; code: status; details: string }> {
  const timestamps: number[] = [];
  return new Promise((resolve) => {
    stream.on('data', (message: EmotionResponse) => timestamps.push(message.timestamp));
    stream.on('error', () => undefined);
    stream.on('status', ({ code, details }: { code: status; details: string }) => {
      // 'status' comes after the last 'data'.
      resolve({ timestamps, code, details });
    });
  });
}

/** Resolves when `signal` aborts, with the time it took and the reason's message. */
function aborted(signal: AbortSignal, started: number): Promise<{ afterMs: number; reason: string }> {
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve({ afterMs: Date.now() - started, reason: (signal.reason as Error).message });
      },
      { once: true },
    );
  });
}

describe('adaptService on a real grpc-js server', () => {
  let server: RunningGrpcServer;
  let scoringClient: ScoringServiceClient;
  let emotionClient: EmotionServiceClient;
  let transport: TransportSecurity;

  beforeAll(async () => {
    transport = await testTransport();
    server = await startGrpcServer({
      name: 'adapter-test',
      host: '127.0.0.1',
      port: 0,
      services: [
        {
          name: 'scoring.ScoringService',
          definition: ScoringServiceService,
          implementation: adaptService(ScoringServiceService, scoring, { log, interceptors: [outer, inner] }),
        },
        { name: 'emotion.EmotionService', definition: EmotionServiceService, implementation: adaptService(EmotionServiceService, emotion, { log }) },
      ],
      health: new HealthState(['scoring.ScoringService', 'emotion.EmotionService']),
      log,
      credentials: transport.serverCredentials('scoring', true),
    });
    scoringClient = new ScoringServiceClient(server.address, testCredentials());
    emotionClient = new EmotionServiceClient(server.address, testCredentials());
  });

  afterAll(async () => {
    scoringClient.close();
    emotionClient.close();
    await server.shutdown(200);
    transport.close();
  });

  beforeEach(() => {
    trace = [];
    refuse = undefined;
    onCalculate = () => Promise.reject(new Error('onCalculate not set by the test'));
    onBatch = () => {
      throw new Error('onBatch not set by the test');
    };
  });

  describe('unary', () => {
    it("delivers the handler's value to the client", async () => {
      onCalculate = (request) => Promise.resolve(response(request.sessionId, 87));
      const value = await calculate(scoringClient, 's-1').result;
      expect(value).toMatchObject({ sessionId: 's-1', overallScore: 87, feedback: 'ok' });
    });

    it('keeps the code and message of a thrown ServiceError', async () => {
      onCalculate = () => Promise.reject(new ServiceError(status.RESOURCE_EXHAUSTED, 'at most 100 answers'));
      expect(await failure(calculate(scoringClient, 's').result)).toEqual({ code: status.RESOURCE_EXHAUSTED, details: 'at most 100 answers' });
    });

    it("turns a DomainError into its kind's status with its message", async () => {
      class InterviewNotFoundError extends NotFoundError {}
      onCalculate = () => Promise.reject(new InterviewNotFoundError('no interview s-404'));
      expect(await failure(calculate(scoringClient, 's-404').result)).toEqual({ code: status.NOT_FOUND, details: 'no interview s-404' });

      onCalculate = () => Promise.reject(new WrongStateError('interview s-2 is completed'));
      expect(await failure(calculate(scoringClient, 's-2').result)).toEqual({ code: status.FAILED_PRECONDITION, details: 'interview s-2 is completed' });
    });

    it('turns an unexpected Error into INTERNAL "internal error", leaking nothing', async () => {
      onCalculate = () => Promise.reject(new Error('password authentication failed for user "mesh" at 10.0.0.5'));
      expect(await failure(calculate(scoringClient, 's').result)).toEqual({ code: status.INTERNAL, details: 'internal error' });

      // A handler that throws synchronously, not through its promise, is caught the same way.
      onCalculate = () => {
        throw new TypeError("Cannot read properties of undefined (reading 'secret')");
      };
      expect(await failure(calculate(scoringClient, 's').result)).toEqual({ code: status.INTERNAL, details: 'internal error' });
    });

    it("aborts the context's signal when the client cancels", async () => {
      let seen: Promise<{ afterMs: number; reason: string }> | undefined;
      let deadline: Date | undefined = new Date(0);
      onCalculate = async (_request, ctx) => {
        deadline = ctx.deadline;
        seen = aborted(ctx.signal, Date.now());
        await seen;
        throw new Error('gave up');
      };
      const { call, result } = calculate(scoringClient, 's');
      await waitFor('the handler to start', () => seen !== undefined, 2_000, 5);
      call.cancel();
      expect((await failure(result)).code).toBe(status.CANCELLED);
      const { reason } = await seen!;
      expect(reason).toBe('cancelled by the client');
      // No deadline was set by the client.
      expect(deadline).toBeUndefined();
    });

    it("aborts the context's signal when the deadline passes", async () => {
      let seen: Promise<{ afterMs: number; reason: string }> | undefined;
      let serverDeadline: Date | undefined;
      onCalculate = async (_request, ctx) => {
        serverDeadline = ctx.deadline;
        seen = aborted(ctx.signal, Date.now());
        await seen;
        throw new Error('too late');
      };
      const clientDeadline = new Date(Date.now() + 200);
      const { result } = calculate(scoringClient, 's', { deadline: clientDeadline });
      expect((await failure(result)).code).toBe(status.DEADLINE_EXCEEDED);
      await waitFor('the handler to start', () => seen !== undefined, 2_000, 5);
      const { afterMs } = await seen!;
      expect(serverDeadline).toBeInstanceOf(Date);
      expect(Math.abs(serverDeadline!.getTime() - clientDeadline.getTime())).toBeLessThan(100);
      expect(afterMs).toBeGreaterThan(100);
      expect(afterMs).toBeLessThan(1_000);
    });

    it('runs the interceptors in order around the handler', async () => {
      onCalculate = (request) => {
        trace.push('handler');
        return Promise.resolve(response(request.sessionId));
      };
      await calculate(scoringClient, 's').result;
      expect(trace).toEqual(['outer before /scoring.ScoringService/CalculateScore', 'inner before', 'handler', 'inner after', 'outer after']);
    });

    it("lets the interceptors see the handler's error, which still becomes the call's status", async () => {
      onCalculate = () => {
        trace.push('handler');
        return Promise.reject(new NotFoundError('no interview s-9'));
      };
      expect(await failure(calculate(scoringClient, 's-9').result)).toEqual({ code: status.NOT_FOUND, details: 'no interview s-9' });
      expect(trace).toEqual([
        'outer before /scoring.ScoringService/CalculateScore',
        'inner before',
        'handler',
        'inner saw NotFoundError',
        'outer saw NotFoundError',
      ]);
    });

    it('lets an interceptor refuse a call before the handler runs', async () => {
      refuse = new ServiceError(status.PERMISSION_DENIED, 'not allowed');
      onCalculate = () => {
        trace.push('handler');
        return Promise.resolve(response('s'));
      };
      expect(await failure(calculate(scoringClient, 's').result)).toEqual({ code: status.PERMISSION_DENIED, details: 'not allowed' });
      expect(trace).toEqual(['outer before /scoring.ScoringService/CalculateScore']);
    });
  });

  describe('server streaming (AnalyzeBatch)', () => {
    const frame = (timestamp: number) => EmotionResponse.fromPartial({ sessionId: 'b', timestamp, emotion: 'neutral', confidence: 0.5 });
    const batch = BatchRequest.fromPartial({ sessionId: 'b', frames: [1, 2, 3, 4, 5].map((timestamp) => ({ sessionId: 'b', timestamp })) });

    it('streams the responses in order, then ends OK', async () => {
      onBatch = async function* (request) {
        for (const f of request.frames) {
          await sleep(1);
          yield frame(f.timestamp);
        }
      };
      expect(await collect(emotionClient.analyzeBatch(batch))).toEqual({ timestamps: [1, 2, 3, 4, 5], code: status.OK, details: 'OK' });
    });

    it('ends the call with the mapped status after the messages sent before an error', async () => {
      onBatch = async function* () {
        yield frame(1);
        await sleep(5);
        yield frame(2);
        throw new NotFoundError('session b is gone');
      };
      expect(await collect(emotionClient.analyzeBatch(batch))).toEqual({ timestamps: [1, 2], code: status.NOT_FOUND, details: 'session b is gone' });
    });

    it('turns an unexpected error mid-stream into INTERNAL "internal error"', async () => {
      onBatch = async function* () {
        yield frame(1);
        await sleep(1);
        throw new Error('onnxruntime: tensor shape [1,3,224] does not match');
      };
      expect(await collect(emotionClient.analyzeBatch(batch))).toEqual({ timestamps: [1], code: status.INTERNAL, details: 'internal error' });
    });

    it('answers the unimplemented methods with UNIMPLEMENTED', async () => {
      const result = new Promise((resolve, reject) => {
        emotionClient.analyzeFrame({ sessionId: 'b', imageData: Buffer.alloc(0), timestamp: 1, format: 'jpeg', traceContext: {} }, (error, value) => {
          if (error) reject(error);
          else resolve(value);
        });
      });
      expect(await failure(result)).toEqual({ code: status.UNIMPLEMENTED, details: 'AnalyzeFrame is not implemented yet' });
    });

    it("aborts the stream's signal when the client cancels, and stops pulling from the handler", async () => {
      let seen: Promise<{ afterMs: number; reason: string }> | undefined;
      let produced = 0;
      onBatch = async function* (_request, ctx) {
        seen = aborted(ctx.signal, Date.now());
        while (!ctx.signal.aborted) {
          produced += 1;
          yield frame(produced);
          await sleep(5);
        }
      };
      const stream = emotionClient.analyzeBatch(batch);
      const ended = collect(stream);
      await waitFor('a few messages', () => produced >= 3, 2_000, 5);
      stream.cancel();
      expect((await ended).code).toBe(status.CANCELLED);
      expect((await seen!).reason).toBe('cancelled by the client');
      const atCancel = produced;
      await sleep(50);
      expect(produced).toBeLessThanOrEqual(atCancel + 1);
    });
  });
});
