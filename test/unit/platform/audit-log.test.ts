/**
 * The audit line the logging interceptor writes for each call refused access (issue 10, item 5):
 * who (subject, role, the caller's workload identity, peer), what (the method), why, at info level, for UNAUTHENTICATED,
 * PERMISSION_DENIED, a rate limit and a NOT_FOUND that hides another's resource; none for a call
 * that failed for another reason, nor for a NOT_FOUND that hides nothing.
 */
import { Metadata, status } from '@grpc/grpc-js';
import pino from 'pino';
import { NotFoundError, PermissionDeniedError, UnavailableError } from '../../../src/platform/errors/domain-errors';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { loggingInterceptor } from '../../../src/platform/grpc/logging-interceptor';
import { Principal, setPrincipal } from '../../../src/platform/identity/principal';
import { RateLimitedError } from '../../../src/platform/limits/rate-limit';
import { CALL_POLICY } from '../../../src/mesh/call-policy';
import { callPolicyInterceptor } from '../../../src/platform/tls/call-policy';
import { WorkloadIdentity } from '../../../src/platform/tls/spiffe';
import { InterviewNotFoundError } from '../../../src/services/interview/domain/errors';

const METHOD = '/interview.v1.InterviewService/GetInterview';
const PEER = 'ipv4:192.0.2.7:50123';
const MALLORY: Principal = { subject: 'b7f4c1a2-0000-4000-8000-000000000001', role: 'candidate' };

/** A call's context on `method`, from `caller` (a verified client certificate's identity), logging into `lines`. */
function callContext(lines: string[], method = METHOD, caller?: WorkloadIdentity): CallContext {
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }).child({ method });
  return { method, metadata: new Metadata(), deadline: undefined, signal: new AbortController().signal, peer: PEER, caller, log };
}

/** Runs a call whose handler throws `error`, as `principal`; the parsed log lines it wrote. */
async function linesOfCallFailingWith(error: Error, principal?: Principal): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const ctx = callContext(lines);
  if (principal) setPrincipal(ctx, principal);
  await expect(loggingInterceptor(ctx, () => Promise.reject(error))).rejects.toBe(error);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

const auditLines = (lines: Record<string, unknown>[]) => lines.filter((line) => line.audit !== undefined);

describe('the audit line of a refused call', () => {
  it("names who, what and why for another candidate's interview, which the caller is told is NOT_FOUND", async () => {
    const lines = await linesOfCallFailingWith(new InterviewNotFoundError('7d1f0d4e-0000-4000-8000-000000000002', "another candidate's interview"), MALLORY);
    expect(auditLines(lines)).toEqual([
      expect.objectContaining({
        level: 30,
        audit: 'denied',
        method: METHOD,
        subject: MALLORY.subject,
        role: 'candidate',
        peer: PEER,
        code: 'NOT_FOUND',
        why: "another candidate's interview",
        msg: 'call refused',
      }),
    ]);
    // The client's message does not say why; only the audit line does.
    expect(lines.find((line) => line.msg === 'call failed')?.details).toBe('interview 7d1f0d4e-0000-4000-8000-000000000002 not found');
  });

  it('is written for PERMISSION_DENIED, with the principal', async () => {
    const interviewer: Principal = { subject: 'c0ffee00-0000-4000-8000-000000000003', role: 'interviewer' };
    const lines = await linesOfCallFailingWith(new PermissionDeniedError('only the candidate answers'), interviewer);
    expect(auditLines(lines)).toEqual([
      expect.objectContaining({ subject: interviewer.subject, role: 'interviewer', code: 'PERMISSION_DENIED', why: 'only the candidate answers' }),
    ]);
  });

  it('is written for a rate limit, naming the limit', async () => {
    const error = new RateLimitedError({ name: 'requests_per_user_per_minute', max: 100, windowSeconds: 60, unit: 'requests' }, 12_000);
    const lines = await linesOfCallFailingWith(error, MALLORY);
    expect(auditLines(lines)).toEqual([expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', limit: 'requests_per_user_per_minute', why: error.message })]);
  });

  it('is not written for a NOT_FOUND that hides nothing, nor for a call that failed otherwise', async () => {
    expect(auditLines(await linesOfCallFailingWith(new NotFoundError('interview x not found'), MALLORY))).toEqual([]);
    expect(auditLines(await linesOfCallFailingWith(new UnavailableError('the database is unavailable'), MALLORY))).toEqual([]);
  });

  it("names the caller's workload identity when the call policy refuses it, before the handler runs", async () => {
    const lines: string[] = [];
    const method = '/scoring.ScoringService/GenerateReport';
    const ctx = callContext(lines, method, { kind: 'service', name: 'auth' });
    const handler = jest.fn(() => Promise.resolve());
    const refused = loggingInterceptor(ctx, () => callPolicyInterceptor(CALL_POLICY)(ctx, handler));
    await expect(refused).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    expect(handler).not.toHaveBeenCalled();
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(auditLines(parsed)).toEqual([
      expect.objectContaining({
        audit: 'denied',
        method,
        caller: 'spiffe://interview-mesh/service/auth',
        peer: PEER,
        code: 'PERMISSION_DENIED',
        why: `spiffe://interview-mesh/service/auth may not call ${method}`,
      }),
    ]);
    expect(auditLines(parsed)[0]).not.toHaveProperty('subject');
  });
});
