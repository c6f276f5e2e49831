import { BOUNDS } from '../../platform/contracts/bounds';
import { Env } from '../../platform/config/env';
import { integritySampleIntervalMs } from '../../platform/contracts/integrity-sampling';
import { TokenVerificationSettings, tokenVerificationSettings } from '../../platform/identity/token-verifier';
import { addressRequestLimit, limitFromEnv } from '../../platform/limits/limit-settings';
import { LimitSpec, RateLimit } from '../../platform/limits/rate-limit';
import { ReportLinkSettings, reportLinkSettings } from './report-link-settings';

/**
 * The interview service's limits (issue 10; seed 002 section 7 for the first three), each set by
 * `LIMIT_<NAME>` (limitVariable): a limit's refusal is RESOURCE_EXHAUSTED naming it, with
 * google.rpc.RetryInfo.
 */
export interface InterviewLimitSpecs {
  /** Calls to the service per client address per minute (1000), SendFrame included. */
  readonly requestsPerAddress: LimitSpec;
  /** Calls per user per minute (100); a stream counts once, frames count towards framesPerInterview instead. */
  readonly requestsPerUser: LimitSpec;
  /**
   * Frames per interview per second (10), through SendFrame and StreamInterview alike; counted per
   * replica (an interview's frames come on its client's connection, to one replica).
   */
  readonly framesPerInterview: LimitSpec;
  /** Interviews a user starts per hour (20). */
  readonly interviewsPerUser: LimitSpec;
  /** StreamInterview calls a user holds open at once (3). */
  readonly streamsPerUser: LimitSpec;
}

export function interviewLimitSpecs(env: Env): InterviewLimitSpecs {
  return {
    requestsPerAddress: addressRequestLimit(env),
    requestsPerUser: limitFromEnv(env, 'requests_per_user_per_minute', 100, 60, 'requests'),
    framesPerInterview: limitFromEnv(env, 'frames_per_interview_per_second', 10, 1, 'frames', true),
    interviewsPerUser: limitFromEnv(env, 'interviews_per_user_per_hour', 20, 3600, 'interviews'),
    // A concurrency limit, counted up when a stream opens and down when it ends: its window is the
    // longest a stream lives, so that a replica that died holding streams frees them at the latest then.
    streamsPerUser: limitFromEnv(env, 'streams_per_user', 3, BOUNDS.streamLifetimeMs / 1000, 'open streams'),
  };
}

/** The interview service's settings: how it verifies access tokens, its limits, its report links, and its frames' sampling for integrity. */
export interface InterviewSettings {
  readonly tokens: TokenVerificationSettings;
  readonly limits: InterviewLimitSpecs;
  readonly reportLinks: ReportLinkSettings;
  /** An analysed frame keeps its image for the integrity service once per this many milliseconds of an interview (INTEGRITY_SAMPLE_INTERVAL_MS; 0: never). */
  readonly integritySampleIntervalMs: number;
}

/**
 * AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL, the LIMIT_*, the report links' variables and
 * INTEGRITY_SAMPLE_INTERVAL_MS; ConfigError names a malformed one.
 */
export function interviewSettings(env: Env): InterviewSettings {
  return {
    tokens: tokenVerificationSettings(env),
    limits: interviewLimitSpecs(env),
    reportLinks: reportLinkSettings(env),
    integritySampleIntervalMs: integritySampleIntervalMs(env),
  };
}

/** The limits the handlers apply themselves (the request limits are interceptors). */
export interface HandlerLimits {
  readonly frames: RateLimit;
  readonly interviews: RateLimit;
  readonly streams: RateLimit;
}

/** `specs`' handler limits counted by `rateLimit` (the service context's). */
export function handlerLimits(specs: InterviewLimitSpecs, rateLimit: (spec: LimitSpec) => RateLimit): HandlerLimits {
  return { frames: rateLimit(specs.framesPerInterview), interviews: rateLimit(specs.interviewsPerUser), streams: rateLimit(specs.streamsPerUser) };
}

/** The key of an interview's frame counter: the caller and the interview (only its candidate may send frames to it). */
export function frameKey(subject: string, interviewId: string): string {
  return `${subject}/${interviewId}`;
}
