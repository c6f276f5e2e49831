import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';

import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import type { Interview, ReportJson } from '../api/types';
import { Alert, Layout } from '../components/layout';
import { ReportView } from '../components/report-view';

const POLL_MS = 2000;

/**
 * One interview's report, for its candidate (/interview/:id/report) or an interviewer
 * (/interviews/:id). Scoring runs after completion: until the report exists (404 or
 * FAILED_PRECONDITION) the page says so and asks again every 2 s.
 */
export function ReportPage({ audience }: { audience: 'candidate' | 'interviewer' }) {
  const api = useApi();
  const { id = '' } = useParams();
  const [interview, setInterview] = useState<Interview>();
  const [report, setReport] = useState<ReportJson>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const load = async () => {
      try {
        setInterview(await api.getInterview(id));
        setReport(await api.getReport(id));
      } catch (e) {
        if (e instanceof ApiError && (e.httpStatus === 404 || e.code === 'FAILED_PRECONDITION' || e.limited)) {
          if (!stopped) timer = setTimeout(() => void load(), e.limited ? (e.retryAfterSeconds ?? 5) * 1000 : POLL_MS);
        } else setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, id]);

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
      {error && <Alert>{error}</Alert>}
      {!report && !error && <p role="status">The report is being prepared…</p>}
      {report && <ReportView report={report} />}
    </Layout>
  );
}
