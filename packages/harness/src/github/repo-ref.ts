import { ErrorCodes, HarnessError } from '../core/index.js';

/** A repository on GitHub, as `owner/repo`. */
export interface RepoRef {
  owner: string;
  repo: string;
}

// GitHub's own limits: owners are alphanumerics and dashes (underscores appear in enterprise
// managed users), repository names also allow dots. Anything else is not a GitHub repository, and
// rejecting it here keeps odd characters out of URLs and prompts.
const ownerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$/;
const namePattern = /^[A-Za-z0-9_.-]{1,100}$/;

function validRef(owner: string, repo: string): RepoRef | null {
  if (!ownerPattern.test(owner) || !namePattern.test(repo) || repo === '.' || repo === '..') return null;
  return { owner, repo };
}

/** `owner/repo` → RepoRef, or null when it is not one. */
export function tryParseRepoSlug(slug: string): RepoRef | null {
  const parts = slug.trim().split('/');
  if (parts.length !== 2) return null;
  return validRef(parts[0]!, parts[1]!);
}

export function parseRepoSlug(slug: string): RepoRef {
  const ref = tryParseRepoSlug(slug);
  if (ref === null) {
    throw new HarnessError(ErrorCodes.invalidParams, `not an owner/repo slug: ${JSON.stringify(slug)}`);
  }
  return ref;
}

export function repoSlug(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

function fromPath(path: string): RepoRef | null {
  // The last two path segments name the repository, so enterprise hosts with a path prefix and
  // local stand-ins (`http://127.0.0.1:4000/git/owner/repo.git`) parse the same as github.com.
  const segments = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter((s) => s.length > 0);
  if (segments.length < 2) return null;
  return validRef(segments[segments.length - 2]!, segments[segments.length - 1]!);
}

/**
 * The `owner/repo` a git remote points at: `https://github.com/o/r(.git)`, `ssh://git@host/o/r.git`,
 * `git@host:o/r.git`, `git://…`, `file://…/o/r.git` and bare local paths ending in `o/r(.git)`.
 * Null when the URL does not end in an owner and a repository name.
 */
export function parseRemoteUrl(remote: string): RepoRef | null {
  const text = remote.trim();
  if (text.length === 0 || /\s/.test(text)) return null;
  const scp = /^[A-Za-z0-9._-]+@[^:/]+:(?!\/\/)(.+)$/.exec(text);
  if (scp !== null) return fromPath(scp[1]!);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    try {
      return fromPath(decodeURIComponent(new URL(text).pathname));
    } catch {
      return null;
    }
  }
  return fromPath(text);
}
