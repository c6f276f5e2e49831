/**
 * Seed 003 section 5's WebSocket, `/ws/interviews/:id` on the page's own origin (wss: under https:),
 * kept open: the first message authenticates (`{"type":"auth","data":{"token":...}}`: the token
 * never rides in the URL, which logs and proxies keep); a connection lost reconnects by itself with
 * exponential backoff and full jitter (seed 003 section 8: 1 s doubling to 30 s), refreshing the
 * token first when the server said it was refused (4401). Closed for good by `close()` or by a
 * close code that retrying cannot mend (4403 not allowed, 4404 no such interview).
 */
import type { ClientMessage, ServerMessage } from './types';

export type Connection = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveSocketOptions {
  readonly interviewId: string;
  /** The access token to send now (refreshed when `refreshed` is true: the last one was refused). */
  readonly token: (refreshed: boolean) => Promise<string>;
  readonly onMessage: (message: ServerMessage) => void;
  readonly onConnection: (connection: Connection, detail?: string) => void;
  /** For tests; the page's origin by default. */
  readonly url?: string;
}

const FINAL_CLOSES = new Set([4403, 4404, 1008]);
const BACKOFF = { initialMs: 1000, maxMs: 30_000 } as const;

export class LiveSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshNext = false;

  constructor(private readonly options: LiveSocketOptions) {
    void this.connect();
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends now when open; false (and nothing sent) otherwise: frames are not worth queueing, answers go by REST then. */
  send(message: Exclude<ClientMessage, { type: 'auth' }>): boolean {
    if (!this.isOpen || !this.socket) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'the page left the interview');
    this.options.onConnection('closed');
  }

  private url(): string {
    if (this.options.url) return this.options.url;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws/interviews/${encodeURIComponent(this.options.interviewId)}`;
  }

  private async connect(): Promise<void> {
    this.options.onConnection(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let token: string;
    try {
      token = await this.options.token(this.refreshNext);
    } catch {
      this.options.onConnection('closed', 'Your session has ended: please log in again.');
      return;
    }
    this.refreshNext = false;
    if (this.closed) return;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'auth', data: { token } } satisfies ClientMessage));
      this.attempt = 0;
      this.options.onConnection('open');
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      try {
        this.options.onMessage(JSON.parse(event.data) as ServerMessage);
      } catch {
        // Not JSON: nothing this page can show.
      }
    };
    socket.onclose = (event) => {
      if (this.closed || this.socket !== socket) return;
      if (FINAL_CLOSES.has(event.code) || event.code === 1000) {
        this.closed = true;
        this.options.onConnection('closed', event.reason || undefined);
        return;
      }
      if (event.code === 4401) this.refreshNext = true;
      this.attempt += 1;
      const ceiling = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** (this.attempt - 1));
      this.options.onConnection('reconnecting', event.reason || undefined);
      this.timer = setTimeout(() => void this.connect(), Math.random() * ceiling);
    };
  }
}
