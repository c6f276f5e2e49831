import http, { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { status } from '@grpc/grpc-js';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../../platform/errors/domain-errors';
import { errorBody, httpErrorOf } from '../../platform/http/http-errors';
import { HttpHandler, UpgradeHandler } from '../../platform/http/https-server';
import { Principal } from '../../platform/identity/principal';
import { OPENAPI_PATH, openApiDocument } from './openapi';
import { interviewRoutes } from './interview-routes';
import { authRoutes } from './auth-routes';
import { Caller } from './upstream';
import { WS_MAX_MESSAGE_BYTES } from './schemas';
import { WebSockets } from './web-sockets';
import { GatewayDeps } from './deps';
import { CONTENT_SECURITY_POLICY, isApiPath, isAppRoute, sendAppPage, serveWebApp } from './web-app';

export type { GatewayDeps } from './deps';

/** The gateway's HTTP application, as the platform's HTTPS listener takes it. */
export interface GatewayApp {
  readonly fastify: FastifyInstance;
  readonly handler: HttpHandler;
  readonly upgrade: UpgradeHandler;
  /** Closes every WebSocket (1001, going away) and the application; answers in progress finish. */
  close(): Promise<void>;
  /** Marks the gateway stopping: /healthz answers 503 and WebSockets close with 1001. */
  stopping(): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller of a route with `config.auth` (set by the authentication hook). */
    principal?: Principal;
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The route needs `Authorization: Bearer <access token>`. */
    auth?: boolean;
  }
}

// RFC 6750 section 2.1; the scheme is case-insensitive (RFC 9110 section 11.1).
const BEARER = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i;

/**
 * The gateway's Fastify application: security headers (helmet: CSP, HSTS under TLS, nosniff,
 * frame-ancestors none, no referrer), CORS from the configured allow-list only, the per-address
 * limit on every request and handshake, bearer tokens verified on every route that needs one, the
 * REST routes (seed 003 section 4, auth), the WebSocket (seed 003 section 5), the OpenAPI document,
 * /healthz and the built web app (its client-side routes answered with its page); every error as google.rpc.Status JSON with the HTTP status of its gRPC code.
 *
 * It never listens itself: the platform's HTTPS listener (ServiceContext.serveHttps) hands it
 * requests (`handler`) and upgrades (`upgrade`), so that TLS, certificate renewal and the
 * listener's bounds stay the platform's.
 */
export async function buildGatewayApp(deps: GatewayDeps): Promise<GatewayApp> {
  let route: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  // Fastify's server, never listening: the real one is the platform's; upgrades are forwarded to it for @fastify/websocket.
  const shadow = http.createServer();
  // Fastify's request loggers are children of the service's (pino, structured like every service's logs).
  const httpLog: FastifyBaseLogger = deps.log.child({ component: 'http' });
  const fastify = Fastify({
    loggerInstance: httpLog,
    bodyLimit: 16 * 1024,
    // Strict JSON: no coercion of types, no silent removal of unknown fields (they are refused).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    serverFactory: (handler) => {
      route = handler;
      return shadow;
    },
    return503OnClosing: true,
  });
  let stopping = false;
  const sockets = new WebSockets();

  await fastify.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // Sent by the onRequest hook, over TLS only (RFC 6797 section 7.2).
    hsts: false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  await fastify.register(fastifyCors, {
    // The allow-list only; none when unset (a browser on another origin is then refused).
    origin: deps.settings.corsOrigins.length > 0 ? [...deps.settings.corsOrigins] : false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: ['retry-after'],
    credentials: false,
    maxAge: 600,
  });
  await fastify.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false } });

  fastify.decorateRequest('principal', undefined);
  fastify.decorateRequest('caller', undefined as unknown as Caller);

  fastify.addHook('onRequest', async (request, reply) => {
    request.caller = { token: bearerToken(request), address: request.ip };
    // The API's answers are never cached; the web app's files say their own (web-app.ts).
    if (isApiPath(request.url)) void reply.header('cache-control', 'no-store');
    if (request.protocol === 'https') void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (request.url === '/healthz') return;
    await deps.perAddress.take(request.ip);
  });
  fastify.addHook('preHandler', async (request) => {
    if (!request.routeOptions.config.auth) return;
    const token = request.caller.token;
    if (token === undefined) throw new UnauthenticatedError('this endpoint needs `Authorization: Bearer <access token>` (POST /api/v1/auth/login)');
    request.principal = await deps.verifier.verify(token);
  });

  fastify.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  // The web app's files (dist/web) when built; a client-side route (/interviews/:id, ...) gets its page.
  const webApp = deps.settings.webDir !== undefined && (await serveWebApp(fastify, deps.settings.webDir));
  if (deps.settings.webDir !== undefined && !webApp) deps.log.warn({ dir: deps.settings.webDir }, 'gateway: no web app to serve (npm run build:web)');
  fastify.setNotFoundHandler((request, reply) =>
    webApp && isAppRoute(request.method, request.url)
      ? sendAppPage(reply)
      : reply.code(404).send(errorBody(status.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  fastify.get('/healthz', (_request, reply) => reply.code(stopping ? 503 : 200).send({ status: stopping ? 'stopping' : 'serving' }));
  fastify.get(OPENAPI_PATH, (_request, reply) => reply.send(openApiDocument()));
  authRoutes(fastify, deps.upstreams);
  interviewRoutes(fastify, deps.upstreams);
  sockets.register(fastify, deps);

  await fastify.ready();
  const dispatch = route;
  if (!dispatch) throw new Error('Fastify did not hand over its request handler');
  return {
    fastify,
    handler: (request, response) => {
      dispatch(request, response);
      return Promise.resolve();
    },
    upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      shadow.emit('upgrade', request, socket, head);
    },
    stopping: () => {
      stopping = true;
      sockets.closeAll(1001, 'the gateway is stopping; reconnect');
    },
    close: async () => {
      stopping = true;
      sockets.closeAll(1001, 'the gateway is stopping; reconnect');
      await fastify.close();
    },
  };
}

/** The bearer token of `Authorization`, or undefined. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

/** How far past its route's bound a declared body may go and still be read (and discarded) after its 413: bytes. */
export const LINGER_EXCESS_BYTES = 64 * 1024;

/**
 * Whether a body refused as too large is read to its end rather than the connection closed.
 * Fastify answers `Connection: close` so as not to read it; a client still sending then meets a
 * closed connection (a broken pipe, an SSL EOF) instead of reading its 413 (RFC 9112 section 9.6).
 * A body that declares a length at most LINGER_EXCESS_BYTES past the route's bound is drained
 * instead (Node discards an unread request body once the response is sent), and the connection
 * kept: the common mistake gets its clear answer. A larger or undeclared one is still cut.
 */
function lingers(request: FastifyRequest): boolean {
  const declared = Number(request.headers['content-length']);
  return Number.isSafeInteger(declared) && declared <= request.routeOptions.bodyLimit + LINGER_EXCESS_BYTES;
}

/** Fastify's own refusals (schema, body size, media type, JSON syntax) keep their 4xx as INVALID_ARGUMENT; everything else goes through the one table. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // Fastify's own errors have a code; the handlers' (domain errors, downstream failures) may not.
  const fastifyCode = (error as Partial<FastifyError>).code ?? '';
  if (error.validation) {
    return reply.code(400).send(errorBody(status.INVALID_ARGUMENT, `${error.validationContext ?? 'request'}${error.message.replace(/^[a-z]+/, '')}`));
  }
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    if (lingers(request)) reply.removeHeader('connection');
    return reply.code(413).send({ error: { ...errorBody(status.INVALID_ARGUMENT, error.message).error, code: 413 } });
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return reply.code(415).send({ error: { ...errorBody(status.INVALID_ARGUMENT, error.message).error, code: 415 } });
  if (fastifyCode.startsWith('FST_ERR_CTP_') || error instanceof SyntaxError) {
    return reply.code(400).send(errorBody(status.INVALID_ARGUMENT, `the body is not valid JSON: ${error.message}`));
  }
  const answer = httpErrorOf(error);
  if (answer.httpStatus >= 500 && answer.httpStatus !== 503 && answer.httpStatus !== 504) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status: answer.body.error.status, reason: answer.body.error.message }, 'request refused');
  if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
  return reply.code(answer.httpStatus).send(answer.body);
}
