import { ServerResponse } from 'node:http';
import { status } from '@grpc/grpc-js';
import { toStatus } from '../../platform/grpc/errors';
import { HttpHandler } from '../../platform/http/https-server';
import { clientAddress } from '../../platform/limits/limit-interceptor';
import { RateLimit, RateLimitedError } from '../../platform/limits/rate-limit';
import { Logger } from '../../platform/log/logger';
import { LinkFormat, LinkGrant, InvalidLinkError, ReportLinks } from './report-links';

/** `/v1/reports/<interview id>.<pdf|json>`: the path of a report link. */
const LINK_PATH = /^\/v1\/reports\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(pdf|json)$/;

const CONTENT_TYPES: Readonly<Record<LinkFormat, string>> = { pdf: 'application/pdf', json: 'application/json; charset=utf-8' };

/** HTTP statuses of the gRPC statuses a document's fetch may end with. */
const HTTP_OF_STATUS: Partial<Record<status, number>> = {
  [status.NOT_FOUND]: 404,
  [status.FAILED_PRECONDITION]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 504,
};

export interface ReportRouteDeps {
  readonly links: ReportLinks;
  /** The document a verified link grants (Interviews.linkedDocument). */
  document(grant: LinkGrant): Promise<Uint8Array>;
  /** Requests per client address, as on the gRPC port (requests_per_address_per_minute). */
  readonly perAddress: RateLimit;
  readonly log: Logger;
}

/**
 * The HTTPS side of report links (ReportLinks): `GET /v1/reports/<interview id>.<pdf|json>?token=...`
 * answers the document, not cached, as an attachment. 404 for any other path, 405 for another
 * method, 403 for a token that is not this document's (forged, altered, another interview's or
 * format's), 410 once it has expired, 429 past the address's limit; 404, 409, 503 when the interview
 * is gone, not scored, or scoring is unavailable.
 */
export function reportRoute(deps: ReportRouteDeps): HttpHandler {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'https://reports');
    const match = LINK_PATH.exec(url.pathname);
    if (!match) {
      answer(response, 404, 'not found: report links look like /v1/reports/<interview id>.pdf?token=...');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      answer(response, 405, 'method not allowed: GET or HEAD', { allow: 'GET, HEAD' });
      return;
    }
    try {
      await deps.perAddress.take(clientAddress(request.socket.remoteAddress ?? 'unknown'));
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      answer(response, 429, error.message, { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) });
      return;
    }
    const [, interviewId, format] = match as unknown as [string, string, LinkFormat];
    let grant: LinkGrant;
    try {
      grant = await deps.links.verify(interviewId, format, url.searchParams.get('token') ?? '');
    } catch (error) {
      if (!(error instanceof InvalidLinkError)) throw error;
      deps.log.info({ interviewId, format, expired: error.expired, address: request.socket.remoteAddress }, 'report link refused');
      answer(response, error.expired ? 410 : 403, error.message);
      return;
    }
    let document: Uint8Array;
    try {
      document = await deps.document(grant);
    } catch (error) {
      const { code, details } = toStatus(error);
      const http = HTTP_OF_STATUS[code];
      if (http === undefined) throw error;
      answer(response, http, details);
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[format],
      'content-length': String(document.byteLength),
      'content-disposition': `attachment; filename="interview-${interviewId}.${format}"`,
      // A person's report: kept by no cache, sent to no other site.
      'cache-control': 'private, no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : document);
  };
}

function answer(response: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(`${message}\n`);
}
