import { AuthServiceClient } from '../../gen/auth';
import { EmotionServiceClient, EmotionServiceService } from '../../gen/emotion';
import { InterviewServiceService } from '../../gen/interview';
import { ScoringServiceClient } from '../../gen/scoring';
import { authenticationInterceptor } from '../../platform/identity/authentication';
import { streamMessageClient } from '../../platform/telemetry/stream-telemetry';
import { principalOf } from '../../platform/identity/principal';
import { cachedKeySet, createTokenVerifier } from '../../platform/identity/token-verifier';
import { forwardedClientAddress, limitInterceptor } from '../../platform/limits/limit-interceptor';
import { Caller } from '../../platform/tls/call-policy';
import { DownstreamSpec, grpcService, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { scoredHandler, SCORED_QUEUE, SCORING_FAILED_QUEUE, scoringFailedHandler, userDeletedHandler, USER_DELETED_QUEUE } from './consumers';
import { IntegritySampler } from './frame-event';
import { FRAME_STREAM_IDLE_MS, FrameStreams } from './frame-streams';
import { interviewHandlers } from './handlers';
import { InterviewDownstreams, Interviews } from './interviews';
import { handlerLimits, InterviewSettings } from './limits';
import { Logger } from '../../platform/log/logger';
import { loadLinkKey, ReportLinks } from './report-links';
import { ReportLinkSettings } from './report-link-settings';
import { reportRoute } from './report-route';
import { InterviewStore, InterviewTables } from './store';

/**
 * Whose `x-forwarded-for` this service believes for its per-address limit: the gateway's, proven
 * by its mTLS client certificate (its browsers' addresses; else every gateway user shared the
 * gateway's one counter). Anyone else's is ignored (forwardedClientAddress).
 */
const ADDRESS_FORWARDERS: readonly Caller[] = ['service:gateway'];

/**
 * The interview service's downstreams. Live frames go on AnalyzeStream, one stream per interview
 * (frame-streams.ts), each frame within the emotion budget and behind its breaker; a frame is not
 * retried (its fallback is the analysis queue); GenerateReport and GetJwks change nothing and are retried by the channel on UNAVAILABLE.
 * The auth service is asked only for the keys that verify access tokens (none with AUTH_JWKS_URL).
 */
export const INTERVIEW_DOWNSTREAMS = {
  auth: {
    service: 'auth',
    grpcService: 'auth.v1.AuthService',
    client: AuthServiceClient,
    deadlineMs: 2000,
    idempotentMethods: ['GetJwks'],
  } satisfies DownstreamSpec<AuthServiceClient>,
  emotion: {
    service: 'emotion',
    grpcService: 'emotion.EmotionService',
    client: EmotionServiceClient,
    deadlineMs: 2000,
  } satisfies DownstreamSpec<EmotionServiceClient>,
  scoring: {
    service: 'scoring',
    grpcService: 'scoring.ScoringService',
    client: ScoringServiceClient,
    deadlineMs: 5000,
    idempotentMethods: ['GenerateReport'],
  } satisfies DownstreamSpec<ScoringServiceClient>,
};

/** Frames have their own limit (frames_per_interview_per_second) instead of the per-user request limit. */
const SEND_FRAME = '/interview.v1.InterviewService/SendFrame';

/**
 * The interview service's wiring: its store and use cases on the clients of emotion and scoring,
 * and the HTTPS listener of its report links.
 * Every RPC passes, in order, the per-address limit, the authentication interceptor (tokens
 * verified with the auth service's keys, refused for deleted accounts) and the per-user limit;
 * the handlers apply the frame, interview and stream limits.
 */
export async function startInterview(context: ServiceContext<InterviewSettings, typeof INTERVIEW_DOWNSTREAMS, undefined>): Promise<ServiceParts> {
  const { auth, emotion, scoring } = context.downstreams;
  const { tokens, limits, reportLinks } = context.settings;
  const keys = cachedKeySet(async () => (await auth.call('getJwks', {})).keys);
  const verifier = createTokenVerifier(tokens, keys);
  const store = new InterviewStore(context.db<InterviewTables>());
  const outbox = context.outbox<InterviewTables>();
  // Live frames on one AnalyzeStream per interview, each frame behind the emotion breaker as a call would be.
  const frameStreams = new FrameStreams(
    () => emotion.openDuplex('analyzeStream'),
    FRAME_STREAM_IDLE_MS,
    streamMessageClient(context.metrics, context.name, 'emotion', EmotionServiceService.analyzeStream.path),
  );
  const downstreams: InterviewDownstreams = {
    analyzeFrame: (request, ctx) => emotion.exchange((deadline, signal) => frameStreams.analyze(request, deadline, signal), ctx),
    generateReport: (request, ctx) => scoring.call('generateReport', request, ctx),
  };
  const interviews = new Interviews(store, downstreams, outbox, context.log, new IntegritySampler(context.settings.integritySampleIntervalMs));
  // Report links: signed here, served by this service's HTTPS listener (report-route.ts).
  let origin = reportLinks.baseUrl;
  const links = new ReportLinks(await linkKey(reportLinks, context.log), reportLinks.ttlSeconds, () => origin ?? '');
  const route = reportRoute({
    links,
    document: (grant) => interviews.linkedDocument(grant),
    perAddress: context.rateLimit(limits.requestsPerAddress),
    log: context.log,
  });
  // Its port may be 0 (a free one): the links' origin is known once it listens.
  const https = await context.serveHttps(reportLinks.httpsPort, route);
  origin ??= https.url;
  return {
    grpc: [
      grpcService('interview.v1.InterviewService', InterviewServiceService, interviewHandlers(interviews, handlerLimits(limits, context.rateLimit), links)),
    ],
    interceptors: [
      limitInterceptor(context.rateLimit(limits.requestsPerAddress), (ctx) => forwardedClientAddress(ctx, ADDRESS_FORWARDERS)),
      authenticationInterceptor(verifier, (principal) => store.isDeletedUser(principal.subject)),
      limitInterceptor(context.rateLimit(limits.requestsPerUser), (ctx) => (ctx.method === SEND_FRAME ? undefined : principalOf(ctx).subject)),
    ],
    consumers: {
      [SCORED_QUEUE]: scoredHandler({ store, outbox, log: context.log }),
      [SCORING_FAILED_QUEUE]: scoringFailedHandler({ store, outbox, log: context.log }),
      [USER_DELETED_QUEUE]: userDeletedHandler({ store, outbox, log: context.log }),
    },
    release: () => {
      frameStreams.close();
      return Promise.resolve();
    },
  };
}

/**
 * The report links' key (loadLinkKey). The default file in a data directory this process cannot
 * write (a read-only root filesystem) gives a key of this process alone, said at start-up: its links
 * then work on this replica only. A file named by INTERVIEW_REPORT_LINK_KEY_FILE must be usable.
 */
async function linkKey(settings: ReportLinkSettings, log: Logger): Promise<Uint8Array> {
  try {
    return await loadLinkKey(settings.keyFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (settings.keyFileSet || (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM')) throw error;
    log.warn(
      { file: settings.keyFile, reason: code },
      'report links: cannot write the default key file; using a key of this process (set INTERVIEW_REPORT_LINK_KEY_FILE to a key shared by every replica)',
    );
    return loadLinkKey(undefined);
  }
}
