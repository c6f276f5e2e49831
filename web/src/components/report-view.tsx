import type { ReportJson } from '../api/types';
import { ExpressionChart } from './expression-chart';

const pct = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v)}`);

/** A scored interview's report: scores, each answer's analysis, the expression timeline, insights, and the PDF's link. */
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
        {report.report_url ? (
          <p>
            <a href={report.report_url} download>
              Download the report (PDF)
            </a>
            {report.report_url_expires_at && <span className="small"> · link valid until {new Date(report.report_url_expires_at).toLocaleString()}</span>}
          </p>
        ) : (
          <p className="small">No PDF link was issued for this report.</p>
        )}
      </section>

      <section aria-labelledby="answers-heading" className="card">
        <h2 id="answers-heading">Answers</h2>
        {(r?.answers ?? []).length === 0 && <p>No answers were analysed.</p>}
        {(r?.answers ?? []).map((a, i) => (
          <article key={a.questionId} className="answer">
            <h3>
              {i + 1}. {a.question}
            </h3>
            <p className="small">
              {a.category} · {a.wordCount ?? 0} words{a.durationSeconds ? ` in ${Math.round(a.durationSeconds)} s` : ''}
            </p>
            <p>
              Relevance {pct(a.relevanceScore)} · clarity {pct(a.clarityScore)} · depth {pct(a.depthScore)}
            </p>
            {a.keywords && a.keywords.length > 0 && <p className="small">Keywords: {a.keywords.join(', ')}</p>}
            {a.feedback && <p>{a.feedback}</p>}
          </article>
        ))}
      </section>

      <section aria-labelledby="timeline-heading" className="card">
        <h2 id="timeline-heading">Expression timeline</h2>
        <ExpressionChart timeline={r?.emotionSummary?.timeline ?? []} />
        {r?.blinks?.blinksPerMinute !== undefined && (
          <p>
            Blinks: {r.blinks.blinksPerMinute.toFixed(1)} a minute (usual range {r.blinks.normalLowPerMinute ?? 10.5}–{r.blinks.normalHighPerMinute ?? 32.5}).
          </p>
        )}
      </section>

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
