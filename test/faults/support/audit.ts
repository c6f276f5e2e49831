import { waitFor } from '../../support/wait';
import { FaultMesh } from './fault-mesh';
import { InterviewLoad } from './interview-load';

/** One row of the fault suite's table. */
export interface FaultReport {
  case: string;
  /** Frames SendFrame confirmed. */
  sent: number;
  /** Confirmed frames that reached the end of the pipeline (a scoring sample). */
  processed: number;
  /** Confirmed work missing after heal and drain: frames at any stage, and completed interviews not scored or not notified. */
  lost: number;
  /** Effects recorded more than once (analysis, sample, score or notification of one frame or interview). */
  duplicateEffects: number;
  /** Deliveries the inboxes recognised and dropped (redeliveries and republished events). */
  duplicatesAbsorbed: number;
  /** Frames recorded whose SendFrame had failed (indeterminate operations that did happen). */
  unexpected: number;
  interviewsCompleted: number;
  interviewsScored: number;
  /** Messages in `*.dead` queues. */
  deadLettered: number;
  /** What went missing or twice, when anything did. */
  details: string[];
}

type Groups = Map<string, number>;

async function groups(mesh: FaultMesh, query: string, ids: string[]): Promise<Groups> {
  // The queries count(*) without a cast: a bigint, which node-postgres returns as a string.
  const rows = await mesh.query<{ k: string; n: string }>(query, [ids]);
  return new Map(rows.map((r) => [r.k, Number(r.n)]));
}

/**
 * Waits until every completed interview is scored and notified (or `timeoutMs` passes), then
 * compares what the load confirmed with what the databases hold. `absorbedBefore` is the inbox
 * duplicate count before the case started.
 */
export async function drainAndAudit(name: string, mesh: FaultMesh, load: InterviewLoad, absorbedBefore: number, timeoutMs = 120_000): Promise<FaultReport> {
  const ids = [...load.started];
  const completed = [...load.completed];
  // Past `until` the audit goes on: it reports what is missing.
  const until = Date.now() + timeoutMs;
  await waitFor(
    'completed interviews to be scored and notified',
    async () => {
      const [{ n: scored }] = await mesh.query<{ n: number }>(
        `select count(*)::int as n from interview.interview_sessions where id = any($1::uuid[]) and status = 'scored'`,
        [completed],
      );
      const [{ n: notified }] = await mesh.query<{ n: number }>(
        `select count(distinct session_id)::int as n from notifier.notifications where session_id = any($1::uuid[])`,
        [completed],
      );
      return (scored === completed.length && notified === completed.length) || Date.now() > until;
    },
    Infinity,
    500,
  );

  const analyses = await groups(
    mesh,
    `select session_id::text || '#' || frame_number as k, count(*) as n from emotion.emotion_analysis where session_id = any($1::uuid[]) group by 1`,
    ids,
  );
  const samples = await groups(
    mesh,
    `select session_id::text || '#' || frame_number as k, count(*) as n from scoring.emotion_samples where session_id = any($1::uuid[]) group by 1`,
    ids,
  );
  const scores = await groups(mesh, `select session_id::text as k, count(*) as n from scoring.scores where session_id = any($1::uuid[]) group by 1`, ids);
  const notifications = await groups(
    mesh,
    `select session_id::text as k, count(*) as n from notifier.notifications where session_id = any($1::uuid[]) group by 1`,
    ids,
  );
  const states = await groups(
    mesh,
    `select id::text as k, count(*) filter (where status = 'scored') as n from interview.interview_sessions where id = any($1::uuid[]) group by 1`,
    ids,
  );

  const details: string[] = [];
  const missing = (what: string, expected: Iterable<string>, found: Groups) => {
    const gone = [...expected].filter((k) => !found.has(k) || found.get(k) === 0);
    if (gone.length) details.push(`${gone.length} ${what} missing, e.g. ${gone.slice(0, 3).join(', ')}`);
    return gone.length;
  };
  const twice = (what: string, found: Groups) => {
    const extra = [...found.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    if (extra) details.push(`${extra} extra ${what}`);
    return extra;
  };
  const lost =
    missing('frame analyses', load.confirmedFrames, analyses) +
    missing('scoring samples', load.confirmedFrames, samples) +
    missing('scores', completed, scores) +
    missing('notifications', completed, notifications) +
    missing('SCORED states', completed, states);
  const duplicateEffects = twice('analyses', analyses) + twice('samples', samples) + twice('scores', scores) + twice('notifications', notifications);
  const depths = await mesh.queueDepths();
  return {
    case: name,
    sent: load.confirmedFrames.size,
    processed: [...load.confirmedFrames].filter((k) => samples.has(k)).length,
    lost,
    duplicateEffects,
    duplicatesAbsorbed: mesh.countLogs('duplicate message ignored') - absorbedBefore,
    unexpected: [...analyses.keys()].filter((k) => !load.confirmedFrames.has(k)).length,
    interviewsCompleted: completed.length,
    interviewsScored: [...states.values()].filter((n) => n > 0).length,
    deadLettered: deadLetteredIn(depths),
    details,
  };
}

/** Messages in the `*.dead` queues of `depths` (FaultMesh.queueDepths). */
export function deadLetteredIn(depths: Record<string, number>): number {
  return Object.entries(depths)
    .filter(([queue]) => queue.endsWith('.dead'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** The table the suite prints (and the closing note quotes). */
export function formatReports(reports: readonly FaultReport[]): string {
  const header = ['case', 'sent', 'processed', 'lost', 'dup effects', 'dups absorbed', 'unexpected', 'interviews scored', 'dead-lettered'];
  const rows = reports.map((r) =>
    [
      r.case,
      r.sent,
      r.processed,
      r.lost,
      r.duplicateEffects,
      r.duplicatesAbsorbed,
      r.unexpected,
      `${r.interviewsScored}/${r.interviewsCompleted}`,
      r.deadLettered,
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
