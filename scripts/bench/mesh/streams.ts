import { ClientDuplexStream, status } from '@grpc/grpc-js';
import { InterviewServiceClient, StreamInterviewRequest, StreamInterviewResponse } from '../../../src/gen/interview';
import { bearer } from '../../../src/platform/identity/authentication';
import { publicChannel } from '../../../src/platform/tls/transport-security';
import { TEST_TLS_DIR } from '../../../test/support/tls';
import { FrameSender } from './ghz';

/**
 * How often each stream pings, milliseconds: a browser's heartbeat. StreamInterview answers a
 * ping with a pong; SendFrame's frames, sent beside the stream, get no update on it (the stream
 * answers the events sent on it: src/services/interview/interview-stream.ts).
 */
export const STREAM_PING_MS = 5_000;

/** How long a stream the client ended may take to end on the server's side before it is cancelled, milliseconds. */
const STREAM_CLOSE_MS = 10_000;

/** What the streams received, counted from when they were all open. */
export interface StreamCounts {
  /** Updates received (every StreamInterviewResponse: status, question, pong, emotion update, error event), by kind. */
  readonly updates: Readonly<Record<string, number>>;
  /** Ping to pong round trips, milliseconds. */
  readonly pongMs: readonly number[];
  /** Streams that ended before they were closed, by status code name. */
  readonly ended: Readonly<Record<string, number>>;
}

/** N interviews' StreamInterview calls, open for a level as a browser holds its own. */
export class InterviewStreams {
  private updates: Record<string, number> = {};
  private pongMs: number[] = [];
  private readonly ended: Record<string, number> = {};
  private closing = false;

  private constructor(
    private readonly streams: {
      client: InterviewServiceClient;
      call: ClientDuplexStream<StreamInterviewRequest, StreamInterviewResponse>;
      done: Promise<void>;
    }[],
    private readonly pinger: NodeJS.Timeout,
  ) {}

  /**
   * Opens a StreamInterview for each of `senders` on the interview service at `address`, each on
   * a connection of its own (a local subchannel pool), with the project's generated client and the
   * channel a person's program uses (publicChannel: TLS trusting the mesh's CA, no client
   * certificate) and the candidate's bearer token. Each names its interview with a first ping,
   * and pings every STREAM_PING_MS. Resolves once every stream has answered (its interview's
   * progress comes first).
   */
  static async open(address: string, senders: readonly FrameSender[]): Promise<InterviewStreams> {
    const channel = publicChannel({ plaintext: false, dir: TEST_TLS_DIR, reloadMs: 60_000 }, address);
    const opened: Promise<void>[] = [];
    const streams = senders.map(({ interviewId, accessToken }) => {
      const client = new InterviewServiceClient(address, channel.credentials, { ...channel.options, 'grpc.use_local_subchannel_pool': 1 });
      const call = client.streamInterview(bearer(accessToken));
      opened.push(
        new Promise((resolve, reject) => {
          call.once('data', () => {
            resolve();
          });
          call.once('error', reject);
        }),
      );
      const done = new Promise<void>((resolve) =>
        call.once('status', () => {
          resolve();
        }),
      );
      call.write({ interviewId, ping: { sentAtMs: Date.now() } });
      return { client, call, done };
    });
    const pinger = setInterval(() => {
      for (const { call } of streams) call.write({ interviewId: '', ping: { sentAtMs: Date.now() } });
    }, STREAM_PING_MS);
    const self = new InterviewStreams(streams, pinger);
    for (const { call } of streams) {
      call.on('data', (response: StreamInterviewResponse) => {
        self.received(response);
      });
      call.on('error', (error: { code?: number }) => {
        self.failed(error);
      });
    }
    try {
      await Promise.all(opened);
    } catch (error) {
      await self.close();
      throw error;
    }
    self.reset();
    return self;
  }

  private received(response: StreamInterviewResponse): void {
    const kind = Object.keys(response).find((key) => response[key as keyof StreamInterviewResponse] !== undefined) ?? 'empty';
    this.updates[kind] = (this.updates[kind] ?? 0) + 1;
    if (response.pong) this.pongMs.push(Date.now() - response.pong.sentAtMs);
  }

  private failed(error: { code?: number }): void {
    if (this.closing && error.code === status.CANCELLED) return;
    const name = error.code === undefined ? 'unknown' : ((status[error.code] as string | undefined) ?? String(error.code));
    this.ended[name] = (this.ended[name] ?? 0) + 1;
  }

  /** Counting starts again from zero (the streams stay open). */
  reset(): void {
    this.updates = {};
    this.pongMs = [];
  }

  counts(): StreamCounts {
    return { updates: { ...this.updates }, pongMs: [...this.pongMs], ended: { ...this.ended } };
  }

  /** Ends every stream from the client's side (the server then ends it, OK) and closes the clients. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.pinger);
    await Promise.all(
      this.streams.map(async ({ call, done }) => {
        call.end();
        const timer = setTimeout(() => {
          call.cancel();
        }, STREAM_CLOSE_MS);
        await done;
        clearTimeout(timer);
      }),
    );
    for (const { client } of this.streams) client.close();
  }
}
