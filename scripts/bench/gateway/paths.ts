import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { ServiceError, status } from '@grpc/grpc-js';
import { InterviewServiceClient } from '../../../src/gen/interview';
import { callUnary } from '../../../src/platform/grpc/unary-call';
import { bearer } from '../../../src/platform/identity/authentication';
import { publicChannel } from '../../../src/platform/tls/transport-security';
import { testTls } from '../../../test/support/gateway-client';
import { TEST_TLS_DIR } from '../../../test/support/tls';
import { BenchInterview } from './pacer';

/** How long one frame may take on either path before it counts as failed, milliseconds. */
const CALL_TIMEOUT_MS = 30_000;

/** One frame sent on one path. */
export interface FrameOutcome {
  /** From the request's start to its whole answer read, milliseconds. */
  readonly ms: number;
  /** `OK`, else what refused it: `HTTP 429 RESOURCE_EXHAUSTED`, `RESOURCE_EXHAUSTED` (gRPC), `ECONNRESET` (no answer). */
  readonly outcome: string;
  /** The frame was accepted without a synchronous analysis (the emotion service shed it: it is analyzed from the queue). */
  readonly queued: boolean;
  /** The synchronous analysis found a face (the frame went the whole way to the emotion service and back). */
  readonly faceDetected: boolean;
}

/** A way of sending the benchmark's frame to an interview. */
export interface FramePath {
  readonly name: string;
  send(interview: BenchInterview): Promise<FrameOutcome>;
  close(): void;
}

/**
 * (a) seed 003's `POST /api/v1/interviews/:id/frames` to the gateway at https://127.0.0.1:`port`,
 * the frame base64 in JSON as a browser sends it, the candidate's bearer token, over HTTP/1.1
 * keep-alive connections (node's https.Agent, at most `sockets` of them: one per concurrent
 * sender, so no request waits for a socket), trusting the tests' CA.
 */
export function restPath(port: number, jpeg: Buffer, sockets: number): FramePath {
  const agent = new https.Agent({ keepAlive: true, maxSockets: sockets, ...testTls() });
  // The same body for every frame: its serialization is the client's cost, not the gateway's.
  const body = Buffer.from(JSON.stringify({ image: jpeg.toString('base64'), format: 'jpeg' }));
  return {
    name: 'gateway REST',
    send: (interview) =>
      new Promise((resolve) => {
        const start = performance.now();
        const failed = (outcome: string) => {
          resolve({ ms: performance.now() - start, outcome, queued: false, faceDetected: false });
        };
        const request = https.request(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/api/v1/interviews/${interview.interviewId}/frames`,
            headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${interview.accessToken}` },
            timeout: CALL_TIMEOUT_MS,
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', (error: NodeJS.ErrnoException) => {
              failed(error.code ?? error.message);
            });
            response.on('end', () => {
              const ms = performance.now() - start;
              const answer = parseJson(Buffer.concat(chunks));
              if (response.statusCode === 200) {
                const frame = answer as { queued?: boolean; analysis?: { face_detected?: boolean } | null };
                resolve({ ms, outcome: 'OK', queued: frame.queued === true, faceDetected: frame.analysis?.face_detected === true });
              } else {
                const error = (answer as { error?: { status?: string } } | undefined)?.error;
                resolve({ ms, outcome: `HTTP ${response.statusCode}${error?.status ? ` ${error.status}` : ''}`, queued: false, faceDetected: false });
              }
            });
          },
        );
        request.on('timeout', () => {
          request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
        });
        request.on('error', (error: NodeJS.ErrnoException) => {
          failed(error.code ?? error.message);
        });
        request.end(body);
      }),
    close: () => {
      agent.destroy();
    },
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * (b) The anchor: interview.v1 SendFrame to the interview service at `address` directly, with the
 * project's generated client on the channel a person's program uses (publicChannel: TLS trusting
 * the tests' CA, no client certificate: the interview port is public), the same token and frame
 * bytes; one HTTP/2 connection, the calls multiplexed on it as the gateway's own channel does.
 */
export function grpcPath(address: string, jpeg: Buffer): FramePath {
  const channel = publicChannel({ plaintext: false, dir: TEST_TLS_DIR, reloadMs: 60_000 }, address);
  const client = new InterviewServiceClient(address, channel.credentials, channel.options);
  const send = client.sendFrame.bind(client);
  return {
    name: 'SendFrame direct',
    send: async (interview) => {
      const start = performance.now();
      try {
        const received = await callUnary(
          send,
          { interviewId: interview.interviewId, imageData: jpeg, format: 'jpeg', timestampMs: 0 },
          { deadline: new Date(Date.now() + CALL_TIMEOUT_MS), metadata: bearer(interview.accessToken) },
        );
        return { ms: performance.now() - start, outcome: 'OK', queued: received.queued, faceDetected: received.analysis?.faceMetrics?.detected === true };
      } catch (error) {
        const code = (error as Partial<ServiceError>).code;
        return { ms: performance.now() - start, outcome: code === undefined ? String(error) : status[code], queued: false, faceDetected: false };
      }
    },
    close: () => {
      client.close();
    },
  };
}
