import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Event, Project } from '@harness/protocol';
import type { HarnessClient } from './api/client.js';
import { ApiError } from './api/errors.js';
import type { TaskStore } from './state/task-store.js';

/** What every view reaches: the client, the live tasks, the event stream and the login prompt. */
export interface Services {
  client: HarnessClient;
  tasks: TaskStore;
  /** Listens to every streamed event; returns the unsubscribe. */
  onEvent(listener: (event: Event) => void): () => void;
  /** Shows the login form when the error is one a token fixes. */
  reportError(error: unknown): void;
  /**
   * Counts sign-ins: what a view loaded is loaded again after one (with the new token), without
   * remounting it, so what the user typed (a prompt the server refused for want of a token) stays.
   */
  epoch: number;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}

/** An error in words for the page (as text, never HTML). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads what `load` answers when the view opens and when `deps` change; `reload` asks again. An
 * answer to an earlier request that arrives late is dropped.
 */
export function useLoad<T>(load: (services: Services) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const services = useServices();
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const request = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current(services).then(
      (data) => {
        if (request === latest.current) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (request !== latest.current) return;
        services.reportError(error);
        setState((previous) => ({ ...previous, error: describeError(error), loading: false }));
      },
    );
    // The caller names what the load depends on (deps); `load` itself is read through a ref.
  }, [services, nonce, ...deps]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs an action (a button), keeping its error and whether it is running. */
export function useAction(): {
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  busy: boolean;
  error: string | null;
} {
  const services = useServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (action: () => Promise<unknown>) => {
      setBusy(true);
      setError(null);
      try {
        await action();
        return true;
      } catch (caught) {
        services.reportError(caught);
        setError(describeError(caught));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [services],
  );
  return { run, busy, error };
}

/**
 * The registered projects and the one a page shows: `name` when it names one, else the default
 * project, else the first; null while loading or when none is registered.
 */
export function useProjects(name: string | null): {
  projects: Loaded<{ projects: Project[] }>;
  project: Project | null;
} {
  const projects = useLoad(({ client }) => client.call('project/list'), []);
  const list = projects.data?.projects ?? [];
  const project = list.find((p) => p.name === name) ?? list.find((p) => p.default) ?? list[0] ?? null;
  return { projects, project };
}
