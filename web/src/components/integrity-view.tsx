import type { IntegrityEvent, IntegritySection } from '../api/types';

const VERDICTS: Readonly<Record<string, string>> = {
  INTEGRITY_VERDICT_CLEAR: 'clear',
  INTEGRITY_VERDICT_REVIEW: 'review',
  INTEGRITY_VERDICT_FLAGGED: 'flagged',
};

const KINDS: Readonly<Record<string, string>> = {
  INTEGRITY_EVENT_KIND_LOOKING_AWAY: 'looking away',
  INTEGRITY_EVENT_KIND_FACE_MISSING: 'no face in view',
  INTEGRITY_EVENT_KIND_MULTIPLE_FACES: 'several faces',
  INTEGRITY_EVENT_KIND_HEAD_TURNED: 'head turned',
  INTEGRITY_EVENT_KIND_PHONE_IN_VIEW: 'phone in view',
  INTEGRITY_EVENT_KIND_BOOK_IN_VIEW: 'book in view',
  INTEGRITY_EVENT_KIND_SCREEN_IN_VIEW: 'another screen in view',
  INTEGRITY_EVENT_KIND_ANOTHER_PERSON: 'another person',
};

/** A kind this page does not know yet, in words all the same: `INTEGRITY_EVENT_KIND_X_Y` as "x y". */
const kindWords = (kind: string | undefined) =>
  kind
    ? (KINDS[kind] ??
      kind
        .replace(/^INTEGRITY_EVENT_KIND_/, '')
        .toLowerCase()
        .replace(/_/g, ' '))
    : 'unspecified';

/** Risks are 0..1: two decimals. proto3 JSON leaves a 0 out. */
const risk = (v: number | undefined) => (v ?? 0).toFixed(2);

/** int64 as proto3 JSON may print it (a string) or ts-proto does (a number). */
const num = (v: string | number | undefined) => Number(v ?? 0);

/** Milliseconds after `origin` as m:ss (h:mm:ss past an hour), or the local time without an origin. */
function elapsed(ms: number, origin: number | undefined): string {
  if (origin === undefined) return new Date(ms).toLocaleTimeString();
  const total = Math.max(0, Math.round((ms - origin) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function EventRow({ event, origin }: { event: IntegrityEvent; origin: number | undefined }) {
  const confirmed = num(event.confirmed_at_ms);
  const started = num(event.started_at_ms);
  return (
    <tr>
      <td>{elapsed(confirmed, origin)}</td>
      <td>{kindWords(event.kind)}</td>
      <td>{num(event.frame_number)}</td>
      <td>{risk(event.weight)}</td>
      <td>{risk(event.risk_after)}</td>
      <td>
        {event.detail}
        {started && started !== confirmed ? <span className="small"> (began {elapsed(started, origin)})</span> : null}
      </td>
    </tr>
  );
}

/**
 * The report's integrity section: the verdict, the risk at its peak and at the end, the policy and
 * the events that raised the risk; or why there is no assessment (nothing is shown as known that
 * is not). `startedAt` (RFC 3339) is the interview's start, times are shown from it.
 */
export function IntegrityView({ section, startedAt }: { section: IntegritySection; startedAt: string | undefined }) {
  const origin = startedAt ? Date.parse(startedAt) : undefined;
  const at = (ms: number) => (origin === undefined ? elapsed(ms, undefined) : `${elapsed(ms, origin)} into the interview`);
  const body = (() => {
    switch (section.status) {
      case 'INTEGRITY_STATUS_ASSESSED':
        break;
      case 'INTEGRITY_STATUS_NOT_ASSESSED':
        return <p data-testid="integrity-status">Not assessed: the integrity service analysed no frame of this interview.</p>;
      case 'INTEGRITY_STATUS_UNAVAILABLE':
        return (
          <p data-testid="integrity-status">
            Unavailable: the integrity service did not answer when the report was asked for. Nothing is said about this interview&apos;s integrity; open the
            report again later.
          </p>
        );
      default:
        return <p data-testid="integrity-status">Not recorded for this report.</p>;
    }
    const events = section.events ?? [];
    const total = section.events_total ?? events.length;
    const policy = section.policy;
    const peakAt = section.peak_at_ms === undefined ? undefined : num(section.peak_at_ms);
    return (
      <>
        <p data-testid="integrity-verdict">
          Verdict: <strong>{VERDICTS[section.verdict ?? ''] ?? 'not given'}</strong>
        </p>
        <p>
          Risk peaked at {risk(section.peak_risk)}
          {peakAt === undefined ? '' : ` at ${at(peakAt)}`}, and was {risk(section.risk)} at the last of {num(section.frames_analyzed)} analysed frames.
        </p>
        {policy && (
          <p className="small">
            Risk runs from 0 to 1: each event adds its weight, and without events it halves every {policy.half_life_seconds ?? 0} s. Review from{' '}
            {risk(policy.review_threshold)}, flagged from {risk(policy.flag_threshold)}. A person should judge the events before any conclusion.
          </p>
        )}
        {events.length === 0 ? (
          <p>No event raised the risk.</p>
        ) : (
          <table data-testid="integrity-events">
            <caption>Events that raised the risk{total > events.length ? ` (the first ${events.length} of ${total})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">{origin === undefined ? 'Time' : 'Time since the start'}</th>
                <th scope="col">Event</th>
                <th scope="col">Frame</th>
                <th scope="col">Weight</th>
                <th scope="col">Risk after</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event, i) => (
                <EventRow key={i} event={event} origin={origin} />
              ))}
            </tbody>
          </table>
        )}
      </>
    );
  })();
  return (
    <section aria-labelledby="integrity-heading" className="card">
      <h2 id="integrity-heading">Integrity</h2>
      {body}
    </section>
  );
}
