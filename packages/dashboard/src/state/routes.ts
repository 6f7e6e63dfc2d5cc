/** Hash routes (`#/board`, `#/tasks/<id>` …): the server answers every page path with the same HTML. */
export type Route =
  | { view: 'overview' }
  | { view: 'board' }
  | { view: 'new' }
  | { view: 'task'; id: string }
  | { view: 'projects' }
  | { view: 'policy' }
  | { view: 'quality' }
  | { view: 'skills'; name: string | null }
  | { view: 'plans'; project: string | null; plan: string | null }
  | { view: 'events' }
  | { view: 'not_found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeSafely);
  const [first, second, third] = parts;
  switch (first) {
    case undefined:
    case 'overview':
      return { view: 'overview' };
    case 'board':
      return { view: 'board' };
    case 'new':
      return { view: 'new' };
    case 'tasks':
      return second ? { view: 'task', id: second } : { view: 'board' };
    case 'projects':
      return { view: 'projects' };
    case 'policy':
      return { view: 'policy' };
    case 'quality':
      return { view: 'quality' };
    case 'skills':
      return { view: 'skills', name: second ?? null };
    case 'plans':
      return { view: 'plans', project: second ?? null, plan: third ?? null };
    case 'events':
      return { view: 'events' };
    default:
      return { view: 'not_found', path };
  }
}

export function taskHref(id: string): string {
  return `#/tasks/${encodeURIComponent(id)}`;
}

function decodeSafely(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
