import { randomUUID } from 'node:crypto';
import { ClientDuplexStream, ServiceError as GrpcClientError, status } from '@grpc/grpc-js';
import { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { StreamInterviewRequest, StreamInterviewResponse } from '../../gen/interview';
import { DomainError } from '../../platform/errors/domain-errors';
import { toStatus } from '../../platform/grpc/errors';
import { httpStatusOf, statusName } from '../../platform/http/http-errors';
import { RateLimitedError } from '../../platform/limits/rate-limit';
import type { GatewayDeps } from './deps';
import { decodeBase64Image } from './frames';
import { S } from './schemas';
import { ServerMessage, streamEventJson } from './to-json';
import { callerMetadata } from './upstream';

/**
 * Close codes (RFC 6455 section 7.4): 1000 the interview stream ended, 1001 the gateway stops,
 * 1003 a binary message, 1008 a message that is not the protocol's, 1009 a message past
 * WS_MAX_MESSAGE_BYTES (ws), 1011 a failure of ours, 1013 a service behind the gateway is
 * unavailable (retry); and 4000 + the HTTP status of the stream's gRPC code for the caller's
 * faults: 4401 no valid token (or none in time), 4403 not allowed, 4404 no such interview of
 * the caller's, 4429 a limit (open streams), 4400 a bad request.
 */
export function closeCodeOf(code: status): number {
  if (code === status.OK || code === status.CANCELLED) return 1000;
  if (code === status.UNAVAILABLE) return 1013;
  const http = httpStatusOf(code);
  return http >= 400 && http < 500 ? 4000 + http : 1011;
}

/** A close reason fits 123 bytes (RFC 6455 section 5.5). */
function reason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

interface ClientMessage {
  type: string;
  data?: Record<string, unknown>;
}

/** The open WebSockets, to close them all when the gateway stops. */
export class WebSockets {
  private readonly open = new Set<WebSocket>();

  closeAll(code: number, why: string): void {
    for (const socket of this.open) socket.close(code, why);
  }

  /**
   * GET /ws/interviews/:id (seed 003 section 5), bridged to interview.v1 StreamInterview.
   *
   * Authentication without the token in the URL: the first message must be
   * `{"type":"auth","data":{"token":"<access token>"}}`, within `wsAuthTimeoutMs`. A URL ends up in
   * access logs, proxies and browser history; a `Sec-WebSocket-Protocol` carrying the token is
   * echoed back by the server and logged by proxies as a header. The first message is encrypted
   * with the rest and seen by no intermediary. Until it comes the socket can do nothing, and the
   * per-address limit counted its handshake.
   *
   * Then: `frame` (`data.image` base64, `data.timestamp` ms, `data.session_id` optional and equal to
   * the path's), `answer` (`question_id`, `transcript`, `duration` seconds, `confidence`) and
   * `ping` in; `emotion_update`, `question`, `status`, `error` and `pong` out. At most
   * `framesPerSocket` frames a second (seed 002 section 7); a frame past it gets an `error` with
   * code RATE_LIMIT_EXCEEDED and `retry_after_ms`, and is dropped. A malformed message gets an
   * `error` with code INVALID_ARGUMENT and the socket stays open.
   */
  register(fastify: FastifyInstance, deps: GatewayDeps): void {
    fastify.get<{ Params: { id: string } }>('/ws/interviews/:id', { websocket: true, schema: { params: S.InterviewId } }, (socket, request) => {
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
      bridge(socket, request.params.id, request.ip, deps);
    });
  }
}

function bridge(socket: WebSocket, interviewId: string, address: string, deps: GatewayDeps): void {
  const connection = randomUUID();
  const log = deps.log.child({ component: 'ws', interview_id: interviewId, connection });
  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const sendError = (code: string, message: string, extra: Record<string, unknown> = {}) => {
    send({ type: 'error', data: { code, message, ...extra } });
  };
  let stream: ClientDuplexStream<StreamInterviewRequest, StreamInterviewResponse> | undefined;
  let authenticating = false;
  const authTimer = setTimeout(() => {
    socket.close(4401, `send {"type":"auth"} within ${deps.settings.wsAuthTimeoutMs} ms`);
  }, deps.settings.wsAuthTimeoutMs);

  socket.on('close', () => {
    clearTimeout(authTimer);
    stream?.cancel();
  });

  const open = (token: string) => {
    const call = deps.upstreams.interview.openDuplex('streamInterview', callerMetadata({ token, address }));
    stream = call;
    call.on('data', (response: StreamInterviewResponse) => {
      // The opening ping's pong (sent_at 0) is the gateway's, not the client's.
      if (response.pong?.sentAtMs === 0) return;
      const message = streamEventJson(response);
      if (message) send(message);
    });
    call.on('error', (error: GrpcClientError) => {
      if (socket.readyState !== socket.OPEN) return;
      log.info({ status: status[error.code] }, 'interview stream ended');
      sendError(statusName(error.code), error.details);
      socket.close(closeCodeOf(error.code), reason(error.details));
    });
    call.on('end', () => {
      socket.close(1000, 'the interview stream ended');
    });
    // The stream's first event names the interview: the service answers with its status and question.
    call.write({ interviewId, ping: { sentAtMs: 0 } } satisfies Partial<StreamInterviewRequest>);
  };

  const onAuth = async (message: ClientMessage) => {
    const token = message.data?.token;
    if (message.type !== 'auth' || typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      socket.close(4401, 'the first message must be {"type":"auth","data":{"token":"<access token>"}}');
      return;
    }
    authenticating = true;
    try {
      await deps.verifier.verify(token);
    } catch (error) {
      const { code, details } = toStatus(error);
      socket.close(error instanceof DomainError ? closeCodeOf(code) : 1011, reason(details));
      return;
    }
    clearTimeout(authTimer);
    if (socket.readyState === socket.OPEN) open(token);
  };

  const onEvent = async (message: ClientMessage) => {
    const data = message.data ?? {};
    if (message.type === 'ping') {
      stream?.write({ interviewId, ping: { sentAtMs: Date.now() } });
    } else if (message.type === 'frame') {
      const image = data.image;
      const timestamp = data.timestamp ?? 0;
      if (typeof image !== 'string') {
        sendError('INVALID_ARGUMENT', 'frame: data.image must be a base64 string');
        return;
      }
      if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
        sendError('INVALID_ARGUMENT', 'frame: data.timestamp must be milliseconds since the epoch');
        return;
      }
      if (data.session_id !== undefined && data.session_id !== interviewId) {
        sendError('INVALID_ARGUMENT', "frame: data.session_id must be the path's interview");
        return;
      }
      try {
        await deps.framesPerSocket.take(connection);
      } catch (error) {
        if (!(error instanceof RateLimitedError)) throw error;
        sendError('RATE_LIMIT_EXCEEDED', error.message, { status: 'RESOURCE_EXHAUSTED', retry_after_ms: Math.ceil(error.retryAfterMs) });
        return;
      }
      const imageData = decodeBase64Image(image, 'frame: data.image');
      const format = typeof data.format === 'string' ? data.format.slice(0, 8) : '';
      stream?.write({ interviewId, frame: { imageData, format, timestampMs: timestamp } });
    } else if (message.type === 'answer') {
      const { question_id: questionId, transcript, duration, confidence = 0 } = data;
      if (typeof questionId !== 'string' || typeof transcript !== 'string' || typeof duration !== 'number' || typeof confidence !== 'number') {
        sendError('INVALID_ARGUMENT', 'answer: data needs question_id (string), transcript (string) and duration (seconds)');
        return;
      }
      stream?.write({ interviewId, answer: { questionId, transcript, durationSeconds: duration, confidence } });
    } else {
      sendError('INVALID_ARGUMENT', `unknown message type ${JSON.stringify(message.type.slice(0, 32))}: frame, answer or ping`);
    }
  };

  socket.on('message', (raw, isBinary) => {
    if (isBinary) {
      socket.close(1003, 'messages are JSON text');
      return;
    }
    let message: ClientMessage;
    try {
      // Text messages arrive as one Buffer (binaryType nodebuffer, the default).
      const parsed: unknown = JSON.parse((raw as Buffer).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') throw new Error('no type');
      const data = (parsed as { data?: unknown }).data;
      if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) throw new Error('data is no object');
      message = parsed as ClientMessage;
    } catch {
      if (!stream) socket.close(1008, 'messages are JSON objects {type, data}');
      else sendError('INVALID_ARGUMENT', 'messages are JSON objects {type, data}');
      return;
    }
    if (!stream) {
      if (authenticating) {
        sendError('FAILED_PRECONDITION', 'wait for the first status message before sending');
        return;
      }
      void onAuth(message).catch((error: unknown) => {
        log.error({ err: error }, 'WebSocket authentication failed');
        socket.close(1011, 'internal error');
      });
      return;
    }
    onEvent(message).catch((error: unknown) => {
      const { code, details } = toStatus(error);
      sendError(statusName(code), details);
    });
  });
}
