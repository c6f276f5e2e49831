/**
 * The gateway's REST API (seed 003 section 4, and the gateway's auth routes), typed. Every URL is
 * relative to the page's origin: the gateway serves this app, so no base URL is configured and no
 * CORS is needed. The access token rides as a bearer token; a 401 refreshes it once with the
 * refresh token and retries; the tokens live in sessionStorage (this tab, until it closes).
 */
import type { AnswerResponse, ErrorBody, FrameResponse, Interview, InterviewPage, InterviewStatus, ReportJson, Role, TokenPair } from './types';

/** An HTTP error from the gateway, with what the page shows: the status, the gRPC code's name, and how long to wait (429, 503). */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    /** From Retry-After, seconds; undefined when absent. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get limited(): boolean {
    return this.httpStatus === 429;
  }
}

const STORAGE_KEY = 'interview-mesh.tokens';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly role: Role;
  /** The access token's subject: the user's id. */
  readonly userId: string;
}

/** The claims this page reads from an access token: it only picks the pages to show (the gateway checks the token). */
export function sessionOf(tokens: TokenPair): Session {
  const payload = tokens.access_token.split('.')[1] ?? '';
  const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string; role?: string };
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    role: claims.role === 'interviewer' ? 'interviewer' : 'candidate',
    userId: claims.sub ?? '',
  };
}

export class ApiClient {
  private session: Session | undefined;

  constructor(private readonly storage: Storage = sessionStorage) {
    const saved = storage.getItem(STORAGE_KEY);
    this.session = saved ? (JSON.parse(saved) as Session) : undefined;
  }

  get current(): Session | undefined {
    return this.session;
  }

  private remember(tokens: TokenPair): Session {
    this.session = sessionOf(tokens);
    this.storage.setItem(STORAGE_KEY, JSON.stringify(this.session));
    return this.session;
  }

  forget(): void {
    this.session = undefined;
    this.storage.removeItem(STORAGE_KEY);
  }

  /** One call with the bearer token (refreshed once on a 401): the response when it is 2xx; ApiError otherwise. */
  private async send(method: string, path: string, body: unknown, accept: string, { auth = true, retried = false } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.session) headers.authorization = `Bearer ${this.session.accessToken}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && auth && !retried && this.session) {
      await this.refresh();
      return this.send(method, path, body, accept, { auth, retried: true });
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  private async request<T>(method: string, path: string, body?: unknown, options: { auth?: boolean } = {}): Promise<T> {
    const response = await this.send(method, path, body, 'application/json', options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  async register(email: string, password: string, role: Role = 'candidate', invitationCode?: string): Promise<void> {
    await this.request(
      'POST',
      '/api/v1/auth/register',
      { email, password, role, ...(invitationCode ? { invitation_code: invitationCode } : {}) },
      { auth: false },
    );
  }

  async login(email: string, password: string): Promise<Session> {
    return this.remember(await this.request<TokenPair>('POST', '/api/v1/auth/login', { email, password }, { auth: false }));
  }

  /** Swaps the refresh token for new tokens; forgets the session (and throws) when it is refused. */
  async refresh(): Promise<Session> {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) throw new ApiError(401, 'UNAUTHENTICATED', 'Please log in.');
    try {
      return this.remember(await this.request<TokenPair>('POST', '/api/v1/auth/refresh', { refresh_token: refreshToken }, { auth: false }));
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  async logout(): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    this.forget();
    if (refreshToken) await this.request('POST', '/api/v1/auth/logout', { refresh_token: refreshToken }, { auth: false }).catch(() => undefined);
  }

  startInterview(options: { categories?: string[]; difficulty?: 'easy' | 'medium' | 'hard'; question_count?: number } = {}): Promise<Interview> {
    return this.request('POST', '/api/v1/interviews/start', options);
  }

  getInterview(id: string): Promise<Interview> {
    return this.request('GET', `/api/v1/interviews/${encodeURIComponent(id)}`);
  }

  /** Seed 003's REST frame: the WebSocket is the page's usual path; this one serves a page that has none. */
  sendFrame(id: string, image: string, timestamp = Date.now()): Promise<FrameResponse> {
    return this.request('POST', `/api/v1/interviews/${encodeURIComponent(id)}/frames`, { image, format: 'jpeg', timestamp });
  }

  submitAnswer(id: string, answer: { question_id: string; transcript: string; duration: number; confidence?: number }): Promise<AnswerResponse> {
    return this.request('POST', `/api/v1/interviews/${encodeURIComponent(id)}/answers`, answer);
  }

  completeInterview(id: string): Promise<Interview> {
    return this.request('POST', `/api/v1/interviews/${encodeURIComponent(id)}/complete`, {});
  }

  getStatus(id: string): Promise<InterviewStatus> {
    return this.request('GET', `/api/v1/interviews/${encodeURIComponent(id)}/status`);
  }

  getReport(id: string): Promise<ReportJson> {
    return this.request('GET', `/api/v1/interviews/${encodeURIComponent(id)}/report?format=json&include_emotions=true`);
  }

  /** The report as a PDF (`GET .../report?format=pdf`, application/pdf), for the page to offer as a download. */
  async getReportPdf(id: string): Promise<Blob> {
    return (await this.send('GET', `/api/v1/interviews/${encodeURIComponent(id)}/report?format=pdf`, undefined, 'application/pdf')).blob();
  }

  /** The interviewer's list, newest first (ListInterviews through the gateway). */
  listInterviews(pageSize = 20, pageToken = ''): Promise<InterviewPage> {
    const query = new URLSearchParams({ page_size: String(pageSize), ...(pageToken ? { page_token: pageToken } : {}) });
    return this.request('GET', `/api/v1/interviews?${query.toString()}`);
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const retryAfter = response.headers.get('retry-after');
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  try {
    const body = (await response.json()) as ErrorBody;
    return new ApiError(response.status, body.error.status, body.error.message, seconds);
  } catch {
    return new ApiError(response.status, 'UNKNOWN', `${response.status} ${response.statusText}`, seconds);
  }
}
