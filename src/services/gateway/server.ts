import { AuthServiceClient } from '../../gen/auth';
import { InterviewServiceClient } from '../../gen/interview';
import { cachedKeySet, createTokenVerifier } from '../../platform/identity/token-verifier';
import { DownstreamSpec, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { buildGatewayApp } from './app';
import { GatewaySettings } from './settings';

/**
 * The gateway's downstreams. Every call carries the HTTP caller's token; its budget is below a
 * browser's patience. Reads are retried by the channel on UNAVAILABLE; GetJwks is the gateway's own.
 * StreamInterview (the WebSocket) has no deadline: it lives as long as its socket, bounded by the
 * interview service (BOUNDS.streamLifetimeMs, streamIdleMs).
 */
export const GATEWAY_DOWNSTREAMS = {
  interview: {
    service: 'interview',
    grpcService: 'interview.v1.InterviewService',
    client: InterviewServiceClient,
    deadlineMs: 10_000,
    idempotentMethods: ['GetInterview', 'GetInterviewStatus', 'GetReport', 'ListInterviews'],
  } satisfies DownstreamSpec<InterviewServiceClient>,
  auth: {
    service: 'auth',
    grpcService: 'auth.v1.AuthService',
    client: AuthServiceClient,
    deadlineMs: 5_000,
    idempotentMethods: ['GetJwks'],
  } satisfies DownstreamSpec<AuthServiceClient>,
};

/**
 * The gateway's wiring: tokens verified as the interview service does (the auth service's keys),
 * the per-address and per-socket frame limits in this replica's memory, the Fastify application
 * served by the platform's HTTPS listener (GATEWAY_HTTPS_PORT). When the host begins to stop, the
 * WebSockets close with 1001 and /healthz says 503; the listener closes right after the service
 * leaves Consul, and the application (its answers in progress) in `release`.
 */
export async function startGateway(context: ServiceContext<GatewaySettings, typeof GATEWAY_DOWNSTREAMS, undefined>): Promise<ServiceParts> {
  const { auth, interview } = context.downstreams;
  const { settings } = context;
  const keys = cachedKeySet(async () => (await auth.call('getJwks', {})).keys);
  const app = await buildGatewayApp({
    upstreams: { interview, auth },
    verifier: createTokenVerifier(settings.tokens, keys),
    perAddress: context.rateLimit(settings.limits.requestsPerAddress),
    framesPerSocket: context.rateLimit(settings.limits.framesPerSocket),
    settings,
    log: context.log,
  });
  context.stopping.addEventListener(
    'abort',
    () => {
      app.stopping();
    },
    { once: true },
  );
  const listener = await context.serveHttps(settings.httpsPort, app.handler, app.upgrade);
  context.log.info({ url: listener.url }, 'gateway: REST under /api/v1, WebSocket under /ws/interviews/:id, OpenAPI at /openapi.json');
  return { grpc: [], release: () => app.close() };
}
