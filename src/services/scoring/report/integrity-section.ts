/**
 * The report's integrity section (interview.report.v1.IntegritySection): the integrity service's
 * assessment of the interview (integrity.v1.IntegrityService/GetAssessment), or why there is none.
 * Nothing is made up: a section that is not ASSESSED carries its status alone.
 */
import { Assessment, EventKind, IntegrityEvent, IntegrityServiceClient, Verdict } from '../../../gen/integrity';
import { IntegrityEventKind, IntegrityEventRecord, IntegritySection, IntegrityStatus, IntegrityVerdict } from '../../../gen/report';
import { classifyError } from '../../../platform/errors/classify';
import { CancelledError, NotFoundError } from '../../../platform/errors/domain-errors';
import type { CallContext } from '../../../platform/grpc/call-context';
import type { Logger } from '../../../platform/log/logger';
import type { DownstreamClient } from '../../../platform/service/downstream-client';

/**
 * The integrity service's assessment of a session, as the downstream client gives it: rejects with
 * NotFoundError when no frame of it was analysed, UnavailableError or TimeoutError when the service
 * does not answer in time (or its breaker is open), CancelledError when the caller gave up.
 */
export type ReadAssessment = (sessionId: string, ctx?: CallContext) => Promise<Assessment>;

const VERDICTS: Readonly<Record<Verdict, IntegrityVerdict>> = {
  [Verdict.VERDICT_UNSPECIFIED]: IntegrityVerdict.INTEGRITY_VERDICT_UNSPECIFIED,
  [Verdict.VERDICT_CLEAR]: IntegrityVerdict.INTEGRITY_VERDICT_CLEAR,
  [Verdict.VERDICT_REVIEW]: IntegrityVerdict.INTEGRITY_VERDICT_REVIEW,
  [Verdict.VERDICT_FLAGGED]: IntegrityVerdict.INTEGRITY_VERDICT_FLAGGED,
  [Verdict.UNRECOGNIZED]: IntegrityVerdict.INTEGRITY_VERDICT_UNSPECIFIED,
};

// A Record over every EventKind: a kind added to integrity.proto fails to compile here until the report names it too.
const EVENT_KINDS: Readonly<Record<EventKind, IntegrityEventKind>> = {
  [EventKind.EVENT_KIND_UNSPECIFIED]: IntegrityEventKind.INTEGRITY_EVENT_KIND_UNSPECIFIED,
  [EventKind.EVENT_KIND_LOOKING_AWAY]: IntegrityEventKind.INTEGRITY_EVENT_KIND_LOOKING_AWAY,
  [EventKind.EVENT_KIND_FACE_MISSING]: IntegrityEventKind.INTEGRITY_EVENT_KIND_FACE_MISSING,
  [EventKind.EVENT_KIND_MULTIPLE_FACES]: IntegrityEventKind.INTEGRITY_EVENT_KIND_MULTIPLE_FACES,
  [EventKind.EVENT_KIND_HEAD_TURNED]: IntegrityEventKind.INTEGRITY_EVENT_KIND_HEAD_TURNED,
  [EventKind.EVENT_KIND_PHONE_IN_VIEW]: IntegrityEventKind.INTEGRITY_EVENT_KIND_PHONE_IN_VIEW,
  [EventKind.EVENT_KIND_BOOK_IN_VIEW]: IntegrityEventKind.INTEGRITY_EVENT_KIND_BOOK_IN_VIEW,
  [EventKind.EVENT_KIND_SCREEN_IN_VIEW]: IntegrityEventKind.INTEGRITY_EVENT_KIND_SCREEN_IN_VIEW,
  [EventKind.EVENT_KIND_ANOTHER_PERSON]: IntegrityEventKind.INTEGRITY_EVENT_KIND_ANOTHER_PERSON,
  [EventKind.UNRECOGNIZED]: IntegrityEventKind.INTEGRITY_EVENT_KIND_UNSPECIFIED,
};

/** A Timestamp as milliseconds since the Unix epoch; 0 (proto3's unset) without one. */
const ms = (date: Date | undefined): number => date?.getTime() ?? 0;

function eventRecord(event: IntegrityEvent): IntegrityEventRecord {
  return {
    kind: EVENT_KINDS[event.kind],
    startedAtMs: ms(event.startedAt),
    confirmedAtMs: ms(event.confirmedAt),
    frameNumber: event.frameNumber,
    weight: event.weight,
    riskAfter: event.riskAfter,
    detail: event.detail,
  };
}

/** The section of an assessment: its values as the integrity service gave them (times as epoch milliseconds, risks unrounded). */
export function assessedSection(assessment: Assessment): IntegritySection {
  return {
    status: IntegrityStatus.INTEGRITY_STATUS_ASSESSED,
    verdict: VERDICTS[assessment.verdict],
    risk: assessment.risk,
    peakRisk: assessment.peakRisk,
    peakAtMs: assessment.peakAt?.getTime(),
    framesAnalyzed: assessment.framesAnalyzed,
    firstFrameMs: ms(assessment.firstFrameAt),
    lastFrameMs: ms(assessment.lastFrameAt),
    events: assessment.events.map(eventRecord),
    eventsTotal: assessment.eventsTotal,
    policy: assessment.policy && { ...assessment.policy },
  };
}

/** A section that says only `status` (not assessed, or unavailable). */
export const statusOnlySection = (status: IntegrityStatus): IntegritySection => IntegritySection.fromPartial({ status });

/**
 * The session's integrity section, read now:
 * - ASSESSED with the assessment when the integrity service gives one;
 * - NOT_ASSESSED when it answers NOT_FOUND (no frame of the session analysed);
 * - UNAVAILABLE when it does not answer (UNAVAILABLE, DEADLINE_EXCEEDED, the breaker open), and
 *   also when it fails otherwise (INTERNAL, or PERMISSION_DENIED from a call policy that lacks
 *   scoring): the report does not fail for its integrity section; the failure is logged (warn for
 *   a transient one, error for any other, which a person must look at).
 * @throws CancelledError when the caller gave up (there is no report to give).
 */
export async function readIntegritySection(read: ReadAssessment, sessionId: string, log: Logger, ctx?: CallContext): Promise<IntegritySection> {
  try {
    return assessedSection(await read(sessionId, ctx));
  } catch (error) {
    if (error instanceof NotFoundError) return statusOnlySection(IntegrityStatus.INTEGRITY_STATUS_NOT_ASSESSED);
    if (error instanceof CancelledError) throw error;
    const transient = classifyError(error) === 'transient';
    const line = { sessionId, err: error };
    if (transient) log.warn(line, 'the integrity service did not answer: the report says its integrity section is unavailable');
    else log.error(line, 'the integrity service failed: the report says its integrity section is unavailable');
    return statusOnlySection(IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE);
  }
}

/**
 * A session's integrity section as of now: never rejects but with CancelledError when the caller
 * gave up (readIntegritySection).
 */
export type IntegrityReader = (sessionId: string, ctx?: CallContext) => Promise<IntegritySection>;

/** readIntegritySection on the integrity downstream's GetAssessment (its budget, breaker and retries). */
export function integrityReader(integrity: Pick<DownstreamClient<IntegrityServiceClient>, 'call'>, log: Logger): IntegrityReader {
  const read: ReadAssessment = (sessionId, ctx) => integrity.call('getAssessment', { sessionId }, ctx);
  return (sessionId, ctx) => readIntegritySection(read, sessionId, log, ctx);
}
