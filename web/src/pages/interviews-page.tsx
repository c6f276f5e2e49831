import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';

import { useApi } from '../api/context';
import type { Interview } from '../api/types';
import { Alert, Layout } from '../components/layout';

const PAGE_SIZE = 20;

/** The interviewer's list of interviews, a page at a time (page_token), each opening its report. */
export function InterviewsPage() {
  const api = useApi();
  const [pages, setPages] = useState<string[]>(['']);
  const [interviews, setInterviews] = useState<readonly Interview[]>();
  const [next, setNext] = useState('');
  const [error, setError] = useState<string>();
  const token = pages[pages.length - 1] ?? '';

  useEffect(() => {
    api.listInterviews(PAGE_SIZE, token).then(
      (page) => {
        setInterviews(page.interviews);
        setNext(page.next_page_token);
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  }, [api, token]);

  return (
    <Layout title="Interviews">
      {error && <Alert>{error}</Alert>}
      {!interviews && !error && <p role="status">Loading…</p>}
      {interviews?.length === 0 && <p>No interviews yet.</p>}
      {interviews && interviews.length > 0 && (
        <table className="card">
          <caption>Interviews, newest first (page {pages.length})</caption>
          <thead>
            <tr>
              <th scope="col">Interview</th>
              <th scope="col">Candidate</th>
              <th scope="col">State</th>
              <th scope="col">Started</th>
              <th scope="col">Questions answered</th>
            </tr>
          </thead>
          <tbody>
            {interviews.map((i) => (
              <tr key={i.id}>
                <td>
                  <Link to={`/interviews/${i.id}`}>Open interview {i.id.slice(0, 8)}</Link>
                </td>
                <td>{i.candidate_id.slice(0, 8)}</td>
                <td>{i.state.replace('_', ' ')}</td>
                <td>{i.started_at ? new Date(i.started_at).toLocaleString() : '—'}</td>
                <td>
                  {i.answered_question_ids.length} of {i.questions.length}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages" className="pager">
        <button
          type="button"
          disabled={pages.length === 1}
          onClick={() => {
            setPages(pages.slice(0, -1));
          }}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!next}
          onClick={() => {
            setPages([...pages, next]);
          }}
        >
          Next page
        </button>
      </nav>
    </Layout>
  );
}
