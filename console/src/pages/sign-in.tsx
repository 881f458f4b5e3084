import { useState } from 'preact/hooks';
import type { ConsoleConfig } from '../../../lib/api/schemas';
import type { ApiClient } from '../api-client';
import { beginSignIn } from '../oidc';
import type { Session } from '../session';

/**
 * The sign-in page: the organisation's sign-in (OIDC, code + PKCE) where the service has an issuer,
 * and locally the dev sign-in (`POST /dev/token`) with a name and a role.
 */
export function SignIn({ api, config, onSignedIn }: { api: ApiClient; config: ConsoleConfig; onSignedIn: (session: Session) => void }) {
  const [problem, setProblem] = useState('');
  const oidc = config.oidc;
  return (
    <main class="sign-in">
      <h1>Sign in</h1>
      {oidc && (
        <button
          type="button"
          class="primary"
          onClick={() => beginSignIn(oidc, sessionStorage, location).catch((error: unknown) => setProblem(messageOf(error)))}
        >
          Sign in with your organisation
        </button>
      )}
      {config.devSignIn && <DevSignIn api={api} onSignedIn={onSignedIn} onProblem={setProblem} />}
      {!oidc && !config.devSignIn && <p>No sign-in is configured for this service.</p>}
      {problem && <p role="alert">{problem}</p>}
    </main>
  );
}

function DevSignIn({
  api,
  onSignedIn,
  onProblem,
}: {
  api: ApiClient;
  onSignedIn: (session: Session) => void;
  onProblem: (problem: string) => void;
}) {
  const [user, setUser] = useState('');
  const [access, setAccess] = useState<'act' | 'read'>('act');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    onProblem('');
    setBusy(true);
    try {
      onSignedIn(await api.devToken(user.trim(), access));
    } catch (error) {
      onProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-label="Local sign-in">
      <p class="hint">Local stage: sign in as anyone, with the role you want to try.</p>
      <label>
        User
        <input name="user" value={user} required autoComplete="username" onInput={(event) => setUser(event.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>Role</legend>
        <label>
          <input type="radio" name="access" checked={access === 'act'} onChange={() => setAccess('act')} /> Analyst (act)
        </label>
        <label>
          <input type="radio" name="access" checked={access === 'read'} onChange={() => setAccess('read')} /> Viewer (read)
        </label>
      </fieldset>
      <button type="submit" class="primary" disabled={busy}>
        Sign in locally
      </button>
    </form>
  );
}

/** An error's message for the person: what went wrong, in the API's words where it gave some. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
