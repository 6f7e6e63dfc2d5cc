import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Event, Task } from '@harness/protocol';
import { HarnessClient } from './api/client.js';
import { ApiError } from './api/errors.js';
import { backoffDelay, EventStream, type StreamStatus } from './api/event-stream.js';
import { TokenStore } from './api/token.js';
import { LoginForm } from './components/LoginForm.js';
import { NewTaskForm } from './components/NewTaskForm.js';
import { ThemeToggle } from './components/ThemeToggle.js';
import { type Services, ServicesContext } from './services.js';
import { loadBoard } from './state/board-loader.js';
import { parseRoute, type Route } from './state/routes.js';
import { TaskStore } from './state/task-store.js';
import { BoardView } from './views/BoardView.js';
import { EventsView } from './views/EventsView.js';
import { OverviewView } from './views/OverviewView.js';
import { PlansView } from './views/PlansView.js';
import { PolicyView } from './views/PolicyView.js';
import { ProjectsView } from './views/ProjectsView.js';
import { QualityView } from './views/QualityView.js';
import { SkillsView } from './views/SkillsView.js';
import { TaskView } from './views/TaskView.js';

const navigation: { href: string; label: string; views: Route['view'][] }[] = [
  { href: '#/overview', label: 'Overview', views: ['overview'] },
  { href: '#/board', label: 'Board', views: ['board', 'task', 'new'] },
  { href: '#/projects', label: 'Projects', views: ['projects'] },
  { href: '#/policy', label: 'Policy', views: ['policy'] },
  { href: '#/quality', label: 'Quality', views: ['quality'] },
  { href: '#/skills', label: 'Skills', views: ['skills'] },
  { href: '#/plans', label: 'Plans', views: ['plans'] },
  { href: '#/events', label: 'Events', views: ['events'] },
];

/** How often stale tasks are fetched again: often enough to look live, rarely enough to stay cheap. */
const REFRESH_EVERY_MS = 250;

export function App() {
  const tokens = useMemo(() => new TokenStore(safeSessionStorage()), []);
  const client = useMemo(
    () => new HarnessClient({ fetch: (input, init) => fetch(input, init), token: () => tokens.get() }),
    [tokens],
  );
  const tasks = useMemo(() => new TaskStore(), []);
  const listeners = useRef(new Set<(event: Event) => void>());
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  const [login, setLogin] = useState<string | null>(null);
  const [status, setStatus] = useState<StreamStatus>('reconnecting');
  const [epoch, setEpoch] = useState(0);
  /** Attempts at the board's first load since the last success: a server still starting is retried. */
  const [loadAttempt, setLoadAttempt] = useState(0);
  const stream = useRef<EventStream | null>(null);

  const reportError = useCallback(
    (error: unknown) => {
      if (!(error instanceof ApiError) || !error.needsToken) return;
      setLogin(
        tokens.get() === null
          ? 'This server asks for a token.'
          : /is for a person/.test(error.message)
            ? 'This act is for a person: sign in with the API token or the operator key.'
            : 'The token was refused: sign in again.',
      );
    },
    [tokens],
  );

  const services = useMemo<Services>(
    () => ({
      client,
      tasks,
      onEvent: (listener) => {
        listeners.current.add(listener);
        return () => listeners.current.delete(listener);
      },
      reportError,
      epoch,
    }),
    [client, tasks, reportError, epoch],
  );

  // After a navigation, keyboard and screen-reader users land on the new page, not on the link they
  // left; a page that focused a field of its own (the new-task prompt) keeps it.
  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(window.location.hash));
      requestAnimationFrame(() => {
        const main = document.getElementById('main');
        if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
      });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // The board's tasks, then the live stream from the seq they were read at; again after a login.
  useEffect(() => {
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    void loadBoard(client).then(
      ({ tasks: list, tokens: totals, seq }) => {
        if (cancelled) return;
        tasks.replaceAll(list, totals);
        stream.current?.stop();
        stream.current = new EventStream({
          client,
          afterSeq: seq,
          onEvent: (event) => {
            tasks.applyEvent(event);
            for (const listener of listeners.current) listener(event);
          },
          onStatus: setStatus,
          onAuthNeeded: reportError,
        });
        stream.current.start();
      },
      (error: unknown) => {
        if (cancelled) return;
        reportError(error);
        if (error instanceof ApiError && error.needsToken) return; // the login form takes over
        retry = setTimeout(() => setLoadAttempt((n) => n + 1), backoffDelay(loadAttempt));
      },
    );
    return () => {
      cancelled = true;
      if (retry !== null) clearTimeout(retry);
      stream.current?.stop();
      stream.current = null;
    };
  }, [client, tasks, reportError, epoch, loadAttempt]);

  // Tasks whose events arrived are fetched again, a batch at a time.
  useEffect(() => {
    const timer = setInterval(() => {
      for (const id of tasks.takeStale()) {
        client.rest<Record<string, unknown>>('GET', `/tasks/${encodeURIComponent(id)}`).then(
          (task) => tasks.upsert(withoutTimeline(task)),
          () => undefined,
        );
      }
    }, REFRESH_EVERY_MS);
    return () => clearInterval(timer);
  }, [client, tasks]);

  const signIn = (token: string) => {
    tokens.set(token);
    client.resetSession();
    setLogin(null);
    setEpoch((n) => n + 1);
  };

  return (
    <ServicesContext.Provider value={services}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href="#/overview">
          Harness
        </a>
        <nav aria-label="Main">
          <ul>
            {navigation.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.views.includes(route.view) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
          <button type="button" className="primary" onClick={() => (window.location.hash = '#/new')}>
            New task
          </button>
          <span
            data-testid="live-status"
            className={`live-status ${status}`}
            role="status"
            aria-label="Event stream"
          >
            {status}
          </span>
          <ThemeToggle />
        </div>
      </header>
      {login !== null && <LoginForm reason={login} onSignIn={signIn} onDismiss={() => setLogin(null)} />}
      <main id="main" tabIndex={-1}>
        <CurrentView route={route} />
      </main>
    </ServicesContext.Provider>
  );
}

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'overview':
      return <OverviewView />;
    case 'board':
      return <BoardView />;
    case 'new':
      return (
        <NewTaskForm
          onClose={() => window.history.back()}
          onCreated={(id) => (window.location.hash = `#/tasks/${encodeURIComponent(id)}`)}
        />
      );
    case 'task':
      return <TaskView id={route.id} key={route.id} />;
    case 'projects':
      return <ProjectsView />;
    case 'policy':
      return <PolicyView />;
    case 'quality':
      return <QualityView />;
    case 'skills':
      return <SkillsView name={route.name} />;
    case 'plans':
      return <PlansView project={route.project} plan={route.plan} />;
    case 'events':
      return <EventsView />;
    case 'not_found':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page <code>{route.path}</code>. <a href="#/overview">Go to the overview</a>.
          </p>
        </section>
      );
  }
}

/** `GET /tasks/:id` answers the task with its timeline; the board keeps the task alone. */
export function withoutTimeline(detail: Record<string, unknown>): Task {
  const { timeline: _timeline, ...task } = detail;
  return task as unknown as Task;
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}
