import { useEffect, useRef, useState } from 'react';

/**
 * Asks for the API token (or the operator key) once. The value goes to sessionStorage and the
 * Authorization header only: the field is a password field, and the form never submits anywhere.
 */
export function LoginForm({
  reason,
  onSignIn,
  onDismiss,
}: {
  reason: string;
  onSignIn: (token: string) => void;
  onDismiss: () => void;
}) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="login-title" className="dialog">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (token.trim() === '') {
              setProblem('Enter the token: the API token (server.api_token) or the operator key.');
              return;
            }
            onSignIn(token);
            setToken('');
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') onDismiss();
          }}
        >
          <h2 id="login-title">Sign in</h2>
          <p>{reason}</p>
          <label htmlFor="login-token">API token</label>
          <input
            id="login-token"
            ref={input}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby="login-help"
          />
          <p id="login-help" className="hint">
            Kept in this tab only (sessionStorage) and sent as a bearer token; never in a URL.
          </p>
          {problem && (
            <p role="alert" className="error">
              {problem}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="primary">
              Sign in
            </button>
            <button type="button" onClick={onDismiss}>
              Not now
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
