import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../../lib/api/schemas';
import { type ApiClient, createApiClient } from './api-client';
import { useRoute } from './hooks';
import { completeSignIn, isCallback } from './oidc';
import { BreakPage } from './pages/break-page';
import { BreaksPage } from './pages/breaks-page';
import { RunPage } from './pages/run-page';
import { RunsPage } from './pages/runs-page';
import { SignIn } from './pages/sign-in';
import { TrendsPage } from './pages/trends-page';
import type { Route } from './routes';
import { type Access, accessOf, clearSession, loadSession, type Session, saveSession } from './session';

/** The API lives beside the console: `/console/` is served by the same service, so its base is the path above. */
export function apiBase(href: string): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname.replace(/console(\/.*)?$/, '')}`;
}

/** What every page is given: the API client, what the person may do, who they are, and the status line. */
export interface PageProps {
  api: ApiClient;
  access: Access;
  sub: string;
  announce: (message: string) => void;
}

/** The console: its settings, the session (or the sign-in form), the navigation and the page of the hash. */
export function App() {
  const [config, setConfig] = useState<ConsoleConfig | Error>();
  const [session, setSession] = useState(() => loadSession(sessionStorage, new Date()));
  const [status, setStatus] = useState('');
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const signOut = useCallback(() => {
    clearSession(sessionStorage);
    setSession(undefined);
  }, []);
  const api = useMemo(
    () => createApiClient({ base: apiBase(location.href), token: () => sessionRef.current?.token, onUnauthorized: signOut }),
    [signOut],
  );
  const signIn = useCallback((next: Session) => {
    saveSession(sessionStorage, next);
    setSession(next);
  }, []);
  useEffect(() => {
    api.config().then(
      (loaded) => {
        setConfig(loaded);
        if (loaded.oidc && isCallback(location.search)) finishOidc(loaded.oidc, signIn, setConfig);
      },
      (error: unknown) => setConfig(error instanceof Error ? error : new Error(String(error))),
    );
  }, [api, signIn]);
  useExpiry(session, signOut);
  if (config === undefined) return <Frame status="Loading the console…" />;
  if (config instanceof Error) return <Frame status={`The console's settings could not be loaded: ${config.message}`} />;
  if (!session) return <SignIn api={api} config={config} onSignedIn={signIn} />;
  const props: PageProps = { api, access: accessOf(session.roles, config.roles), sub: session.sub, announce: setStatus };
  return (
    <Shell session={session} onSignOut={signOut} status={status}>
      <Page route={useRoute()} {...props} />
    </Shell>
  );
}

function finishOidc(oidc: NonNullable<ConsoleConfig['oidc']>, signIn: (session: Session) => void, fail: (error: Error) => void) {
  const url = new URL(location.href);
  history.replaceState(null, '', `${url.pathname}${url.hash || '#/breaks'}`);
  completeSignIn(oidc, sessionStorage, url, new Date()).then(signIn, (error: unknown) =>
    fail(new Error(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })),
  );
}

/** Signs out when the token expires: the next call would be refused anyway. */
function useExpiry(session: Session | undefined, signOut: () => void) {
  useEffect(() => {
    if (!session) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    const timer = setTimeout(signOut, Math.max(0, Math.min(left, 2 ** 31 - 1)));
    return () => clearTimeout(timer);
  }, [session, signOut]);
}

function Page({ route, ...props }: PageProps & { route: Route }) {
  switch (route.page) {
    case 'breaks':
      return <BreaksPage {...props} filter={route.filter} />;
    case 'break':
      return <BreakPage {...props} id={route.id} />;
    case 'runs':
      return <RunsPage {...props} />;
    case 'run':
      return <RunPage {...props} id={route.id} />;
    case 'trends':
      return <TrendsPage {...props} />;
  }
}

function Frame({ status }: { status: string }) {
  return (
    <main class="frame">
      <p role="status" aria-live="polite">
        {status}
      </p>
    </main>
  );
}

function Shell({
  session,
  onSignOut,
  status,
  children,
}: {
  session: Session;
  onSignOut: () => void;
  status: string;
  children: ComponentChildren;
}) {
  const route = useRoute();
  const current = (page: string) => (route.page === page || route.page === page.replace(/s$/, '') ? 'page' : undefined);
  return (
    <>
      <header class="bar">
        <span class="brand">balance-recon</span>
        <nav aria-label="Main">
          <a href="#/breaks" aria-current={current('breaks')}>
            Breaks
          </a>
          <a href="#/runs" aria-current={current('runs')}>
            Runs
          </a>
          <a href="#/trends" aria-current={current('trends')}>
            Trends
          </a>
        </nav>
        <span class="who">
          Signed in as <strong>{session.sub}</strong>
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
      <main>{children}</main>
    </>
  );
}
