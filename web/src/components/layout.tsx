import { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';

import { useApi } from '../api/context';

/** Every page's frame: a header naming the app and who is logged in, a main landmark with the page's h1. */
export function Layout({ title, children }: { title: string; children: ReactNode }) {
  const api = useApi();
  const navigate = useNavigate();
  const session = api.current;
  return (
    <>
      <header className="top">
        <span className="brand">Interview mesh</span>
        {session && (
          <span className="who">
            Logged in as {session.role}{' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                void api.logout().then(() => navigate('/login'));
              }}
            >
              Log out
            </button>
          </span>
        )}
      </header>
      <main>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}

/** A message the page must not hide: role=alert reads it out when it appears. */
export function Alert({ children, tone = 'error' }: { children: ReactNode; tone?: 'error' | 'warning' | 'info' }) {
  return (
    <div className={`alert ${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      {children}
    </div>
  );
}
