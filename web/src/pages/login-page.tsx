import { FormEvent, useState } from 'react';
import { useNavigate } from 'react-router-dom';

import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import { Alert, Layout } from '../components/layout';

/** Log in, or sign up (a candidate; an interviewer with an invitation code) and log in. */
export function LoginPage() {
  const api = useApi();
  const navigate = useNavigate();
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [interviewer, setInterviewer] = useState(false);
  const [invitation, setInvitation] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    void (async () => {
      try {
        if (mode === 'signup') await api.register(email, password, interviewer ? 'interviewer' : 'candidate', interviewer ? invitation : undefined);
        const session = await api.login(email, password);
        void navigate(session.role === 'interviewer' ? '/interviews' : '/interview');
      } catch (e) {
        setError(
          e instanceof ApiError
            ? e.limited
              ? `Too many attempts: please wait${e.retryAfterSeconds ? ` ${e.retryAfterSeconds} s` : ''} and try again.`
              : e.message
            : 'The server could not be reached.',
        );
      } finally {
        setBusy(false);
      }
    })();
  };

  return (
    <Layout title={mode === 'login' ? 'Log in' : 'Sign up'}>
      <form onSubmit={submit} className="card narrow" aria-describedby={error ? 'login-error' : undefined}>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
          }}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'signup' ? 8 : 1}
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
        {mode === 'signup' && (
          <>
            <div className="check">
              <input
                id="interviewer"
                type="checkbox"
                checked={interviewer}
                onChange={(e) => {
                  setInterviewer(e.target.checked);
                }}
              />
              <label htmlFor="interviewer">I am an interviewer</label>
            </div>
            {interviewer && (
              <>
                <label htmlFor="invitation">Invitation code</label>
                <input
                  id="invitation"
                  required
                  value={invitation}
                  onChange={(e) => {
                    setInvitation(e.target.value);
                  }}
                />
              </>
            )}
          </>
        )}
        {error && (
          <div id="login-error">
            <Alert>{error}</Alert>
          </div>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'login' ? 'Log in' : 'Sign up'}
        </button>
      </form>
      <p>
        {mode === 'login' ? 'No account yet? ' : 'Have an account? '}
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === 'login' ? 'signup' : 'login');
            setError(undefined);
          }}
        >
          {mode === 'login' ? 'Sign up' : 'Log in'}
        </button>
      </p>
    </Layout>
  );
}
