import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';

import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import type { Interview, ReportJson } from '../api/types';
import { Alert, Layout } from '../components/layout';
import { ReportView } from '../components/report-view';

/** How often the page asks again while the report is not ready, milliseconds. */
const POLL_MS = 2000;

/** Where the page stands with the report. */
type ReportState =
  | { readonly kind: 'loading' }
  /** Not scored yet: the gateway's 400 FAILED_PRECONDITION (google.api's mapping). `checkedAt`: ms since the epoch. */
  | { readonly kind: 'not-ready'; readonly checkedAt: number }
  /** Scoring failed: there will be no report (the interview's failure_reason says why). */
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'ready'; readonly report: ReportJson }
  | { readonly kind: 'error'; readonly message: string };

/**
 * One interview's report, for its candidate (/interview/:id/report) or an interviewer
 * (/interviews/:id). Scoring runs after completion: until then the gateway answers the report with
 * 400 FAILED_PRECONDITION, and the page says the report is not ready yet, asks again every 2 s
 * (after Retry-After on 429) and offers to check at once. An interview whose scoring failed gets
 * its reason and no more polling; any other error (404 unknown interview, 403, …) is shown as is.
 */
export function ReportPage({ audience }: { audience: 'candidate' | 'interviewer' }) {
  const api = useApi();
  const { id = '' } = useParams();
  const [interview, setInterview] = useState<Interview>();
  const [state, setState] = useState<ReportState>({ kind: 'loading' });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const stopped = useRef(false);

  const load = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    const again = (ms: number) => {
      // One timer at most, however many loads overlap (a click on "Check now" during a poll).
      clearTimeout(timer.current);
      if (!stopped.current) timer.current = setTimeout(() => void load(), ms);
    };
    try {
      const current = await api.getInterview(id);
      setInterview(current);
      if (current.state === 'failed') {
        const reason = current.failure_reason ?? '';
        setState({ kind: 'failed', reason: reason !== '' ? reason : 'no reason given' });
        return;
      }
      setState({ kind: 'ready', report: await api.getReport(id) });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'FAILED_PRECONDITION') {
        setState({ kind: 'not-ready', checkedAt: Date.now() });
        again(POLL_MS);
      } else if (e instanceof ApiError && e.limited) again((e.retryAfterSeconds ?? 5) * 1000);
      else setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, [api, id]);

  useEffect(() => {
    stopped.current = false;
    void load();
    return () => {
      stopped.current = true;
      clearTimeout(timer.current);
    };
  }, [load]);

  return (
    <Layout title={audience === 'candidate' ? 'Your report' : 'Interview report'}>
      {audience === 'interviewer' && (
        <p>
          <Link to="/interviews">Back to the interviews</Link>
        </p>
      )}
      {interview && (
        <p className="small">
          Interview {interview.id} · {interview.state.replace('_', ' ')}
          {interview.completed_at ? ` · completed ${new Date(interview.completed_at).toLocaleString()}` : ''}
        </p>
      )}
      {state.kind === 'loading' && <p role="status">Loading the report…</p>}
      {state.kind === 'not-ready' && (
        <div data-testid="report-not-ready">
          <Alert tone="info">
            {interview?.state === 'in_progress'
              ? 'The report is not ready yet: the interview is not completed.'
              : 'The report is not ready yet: the interview is being scored.'}{' '}
            This page checks again every {POLL_MS / 1000} s.
          </Alert>
          {/* Outside the live region: it changes at every check. */}
          <p className="small">Last checked {new Date(state.checkedAt).toLocaleTimeString()}.</p>
          <button type="button" onClick={() => void load()}>
            Check now
          </button>
        </div>
      )}
      {state.kind === 'failed' && <Alert>This interview could not be scored, so it has no report: {state.reason}</Alert>}
      {state.kind === 'error' && <Alert>{state.message}</Alert>}
      {state.kind === 'ready' && <ReportView report={state.report} />}
    </Layout>
  );
}
