import { useState } from 'react';

import { useApi } from '../api/context';
import type { ReportJson } from '../api/types';
import { Alert } from './layout';
import { ExpressionChart } from './expression-chart';
import { IntegrityView } from './integrity-view';

/** A score out of 100, rounded; proto3 JSON leaves a 0 out, so an absent score is 0. */
const pct = (v: number | undefined) => `${Math.round(v ?? 0)}`;

/** Fetches the PDF with the session's token and hands it to the browser as a download (a link cannot carry the token). */
function PdfDownload({ interviewId }: { interviewId: string }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const download = () => {
    setBusy(true);
    setError(undefined);
    api.getReportPdf(interviewId).then(
      (pdf) => {
        const url = URL.createObjectURL(pdf);
        const link = document.createElement('a');
        link.href = url;
        link.download = `interview-${interviewId}.pdf`;
        link.click();
        // The download has its own copy once started.
        setTimeout(() => {
          URL.revokeObjectURL(url);
        }, 60_000);
        setBusy(false);
      },
      (e: unknown) => {
        setError(`The PDF could not be fetched: ${e instanceof Error ? e.message : String(e)}`);
        setBusy(false);
      },
    );
  };
  return (
    <>
      <p>
        <button type="button" onClick={download} disabled={busy}>
          Download the report (PDF)
        </button>
      </p>
      {error && <Alert>{error}</Alert>}
    </>
  );
}

/** A scored interview's report: scores, each answer's analysis, the expression timeline, the integrity verdict and its events, insights, the PDF and a link to the report's data. */
export function ReportView({ report }: { report: ReportJson }) {
  const r = report.report;
  const scores = r?.scores ?? report.scores ?? {};
  return (
    <>
      <section aria-labelledby="scores-heading" className="card">
        <h2 id="scores-heading">Scores</h2>
        <table>
          <caption className="visually-hidden">Scores out of 100</caption>
          <thead>
            <tr>
              <th scope="col">Overall</th>
              <th scope="col">Technical</th>
              <th scope="col">Communication</th>
              <th scope="col">Expression</th>
            </tr>
          </thead>
          <tbody>
            <tr data-testid="scores">
              <td>{pct(scores.overall)}</td>
              <td>{pct(scores.technical)}</td>
              <td>{pct(scores.communication)}</td>
              <td>{pct(scores.emotion)}</td>
            </tr>
          </tbody>
        </table>
        {(r?.feedback ?? report.feedback) && <p>{r?.feedback ?? report.feedback}</p>}
        <PdfDownload interviewId={report.interview_id} />
        {report.report_url && (
          <p className="small">
            <a href={report.report_url}>A link to this report&apos;s data (JSON)</a> that works without logging in
            {report.report_url_expires_at ? ` until ${new Date(report.report_url_expires_at).toLocaleString()}` : ''}: share it with care.
          </p>
        )}
      </section>

      <section aria-labelledby="answers-heading" className="card">
        <h2 id="answers-heading">Answers</h2>
        {(r?.answers ?? []).length === 0 && <p>No answers were analysed.</p>}
        {(r?.answers ?? []).map((a, i) => (
          <article key={a.question_id} className="answer">
            <h3>
              {i + 1}. {a.question}
            </h3>
            <p className="small">
              {a.category} · {a.word_count ?? 0} words{a.duration_seconds ? ` in ${Math.round(a.duration_seconds)} s` : ''}
            </p>
            <p>
              Relevance {pct(a.relevance_score)} · clarity {pct(a.clarity_score)} · depth {pct(a.depth_score)}
            </p>
            {a.keywords && a.keywords.length > 0 && <p className="small">Keywords: {a.keywords.join(', ')}</p>}
            {a.feedback && <p>{a.feedback}</p>}
          </article>
        ))}
      </section>

      <section aria-labelledby="timeline-heading" className="card">
        <h2 id="timeline-heading">Expression timeline</h2>
        <ExpressionChart timeline={r?.emotion_summary?.timeline ?? []} />
        {r?.blinks?.blinks_per_minute !== undefined ? (
          <p>
            Blinks: {r.blinks.blinks_per_minute.toFixed(1)} a minute (usual range {r.blinks.normal_low_per_minute ?? 10.5}–
            {r.blinks.normal_high_per_minute ?? 32.5}).
          </p>
        ) : (
          <p>Blinks: too little of the face was tracked to tell a rate.</p>
        )}
      </section>

      {r?.integrity && <IntegrityView section={r.integrity} startedAt={r.started_at} />}

      <section aria-labelledby="insights-heading" className="card">
        <h2 id="insights-heading">Insights</h2>
        {(r?.insights ?? []).length === 0 ? (
          <p>No insights.</p>
        ) : (
          <ul>
            {(r?.insights ?? []).map((insight, i) => (
              <li key={i}>
                <strong>{insight.category}</strong>: {insight.description}
                {insight.evidence && insight.evidence.length > 0 && <span className="small"> ({insight.evidence.join('; ')})</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
