/**
 * The web app's entry: the routes, each page guarded by the role it is for. Served by the gateway
 * (dist/web), which also answers the API under the same origin.
 */
import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';

import { ApiClient } from './api/client';
import { ApiContext, useApi } from './api/context';
import type { Role } from './api/types';
import { CandidatePage } from './pages/candidate-page';
import { InterviewsPage } from './pages/interviews-page';
import { LoginPage } from './pages/login-page';
import { ReportPage } from './pages/report-page';

function Home() {
  const session = useApi().current;
  if (!session) return <Navigate to="/login" replace />;
  return <Navigate to={session.role === 'interviewer' ? '/interviews' : '/interview'} replace />;
}

function Only({ role, children }: { role: Role; children: React.ReactNode }) {
  const session = useApi().current;
  if (!session) return <Navigate to="/login" replace />;
  if (session.role !== role) return <Navigate to="/" replace />;
  return children;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiContext.Provider value={new ApiClient()}>
      <BrowserRouter>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/login" element={<LoginPage />} />
          <Route
            path="/interview"
            element={
              <Only role="candidate">
                <CandidatePage />
              </Only>
            }
          />
          <Route
            path="/interview/:id/report"
            element={
              <Only role="candidate">
                <ReportPage audience="candidate" />
              </Only>
            }
          />
          <Route
            path="/interviews"
            element={
              <Only role="interviewer">
                <InterviewsPage />
              </Only>
            }
          />
          <Route
            path="/interviews/:id"
            element={
              <Only role="interviewer">
                <ReportPage audience="interviewer" />
              </Only>
            }
          />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </BrowserRouter>
    </ApiContext.Provider>
  </StrictMode>,
);
