import { createHash } from 'node:crypto';

/** A repository role as GitHub's permission API names it (what Harness's client reads). */
export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** A GitHub-style failure the stand-in answers with (`{ message, errors, documentation_url, status }`). */
export class StandInHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface StandInUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface StoredComment {
  id: number;
  issue_number: number;
  body: string;
  user: StandInUser;
  created_at: string;
  updated_at: string;
  edited: boolean;
  /** What the comment said before each edit, oldest first. */
  earlier_bodies: string[];
}

export interface StoredReviewComment {
  id: number;
  path: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  body: string;
}

export interface StoredReview {
  id: number;
  pull_number: number;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  body: string;
  user: StandInUser;
  commit_id: string;
  submitted_at: string;
  comments: StoredReviewComment[];
}

export interface StoredPull {
  head_owner: string;
  head_ref: string;
  head_sha: string;
  base_ref: string;
  base_sha: string;
  draft: boolean;
  merged: boolean;
}

export interface StoredIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  user: StandInUser;
  labels: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  pull: StoredPull | null;
}

export interface StoredRepo {
  id: number;
  owner: string;
  name: string;
  default_branch: string;
  /** When set, pull requests must name branches from it; null accepts any branch name. */
  branches: Set<string> | null;
  private: boolean;
  issues: Map<number, StoredIssue>;
  comments: StoredComment[];
  reviews: StoredReview[];
  permissions: Map<string, RepoPermission>;
  next_number: number;
}

/** A deterministic fake commit id, so the same branch reads the same within one stand-in. */
export function fakeSha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/** The in-memory GitHub: repositories with their issues, pull requests, comments and reviews. */
export class StandInModel {
  readonly repos = new Map<string, StoredRepo>();
  /** Logins GitHub would know (lowercased); the permission endpoint answers 404 for any other. */
  readonly users = new Set<string>();
  #nextId = 1000;

  constructor(private readonly now: () => Date = () => new Date()) {}

  nextId(): number {
    this.#nextId += 1;
    return this.#nextId;
  }

  timestamp(): string {
    return this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  static key(owner: string, name: string): string {
    return `${owner}/${name}`.toLowerCase();
  }

  repo(owner: string, name: string): StoredRepo {
    const repo = this.repos.get(StandInModel.key(owner, name));
    if (repo === undefined) throw new StandInHttpError(404, 'Not Found');
    return repo;
  }

  issue(repo: StoredRepo, number: number): StoredIssue {
    const issue = repo.issues.get(number);
    if (issue === undefined) throw new StandInHttpError(404, 'Not Found');
    return issue;
  }

  pull(repo: StoredRepo, number: number): StoredIssue & { pull: StoredPull } {
    const issue = repo.issues.get(number);
    if (issue === undefined || issue.pull === null) throw new StandInHttpError(404, 'Not Found');
    return issue as StoredIssue & { pull: StoredPull };
  }

  addRepo(
    owner: string,
    name: string,
    options: { default_branch?: string; branches?: string[]; private?: boolean },
  ) {
    const key = StandInModel.key(owner, name);
    if (this.repos.has(key)) throw new Error(`stand-in: repository ${owner}/${name} already exists`);
    const default_branch = options.default_branch ?? 'main';
    const repo: StoredRepo = {
      id: this.nextId(),
      owner,
      name,
      default_branch,
      branches: options.branches ? new Set([default_branch, ...options.branches]) : null,
      private: options.private ?? true,
      issues: new Map(),
      comments: [],
      reviews: [],
      permissions: new Map([[owner.toLowerCase(), 'admin']]),
      next_number: 1,
    };
    this.repos.set(key, repo);
    this.users.add(owner.toLowerCase());
    return repo;
  }

  addIssue(
    repo: StoredRepo,
    fields: { title: string; body?: string; user: StandInUser; labels?: string[]; pull?: StoredPull },
  ): StoredIssue {
    const at = this.timestamp();
    const issue: StoredIssue = {
      id: this.nextId(),
      number: repo.next_number,
      title: fields.title,
      body: fields.body ?? '',
      state: 'open',
      user: fields.user,
      labels: fields.labels ?? [],
      created_at: at,
      updated_at: at,
      closed_at: null,
      pull: fields.pull ?? null,
    };
    repo.next_number += 1;
    repo.issues.set(issue.number, issue);
    this.users.add(fields.user.login.toLowerCase());
    return issue;
  }

  /** GitHub's `owner:branch` label, the key `head` filters and duplicate checks use. */
  static headLabel(pull: StoredPull): string {
    return `${pull.head_owner}:${pull.head_ref}`.toLowerCase();
  }

  openPullFor(
    repo: StoredRepo,
    head_owner: string,
    head_ref: string,
    base_ref: string,
  ): StoredIssue | undefined {
    const label = `${head_owner}:${head_ref}`.toLowerCase();
    return [...repo.issues.values()].find(
      (i) =>
        i.state === 'open' &&
        i.pull !== null &&
        StandInModel.headLabel(i.pull) === label &&
        i.pull.base_ref === base_ref,
    );
  }

  addComment(repo: StoredRepo, issue_number: number, body: string, user: StandInUser): StoredComment {
    this.issue(repo, issue_number);
    const at = this.timestamp();
    const comment: StoredComment = {
      id: this.nextId(),
      issue_number,
      body,
      user,
      created_at: at,
      updated_at: at,
      edited: false,
      earlier_bodies: [],
    };
    repo.comments.push(comment);
    this.users.add(user.login.toLowerCase());
    return comment;
  }

  /** Like GitHub: 404 for a login that is no user; `none` (private) or `read` (public) for a stranger. */
  permissionOf(repo: StoredRepo, login: string): RepoPermission {
    if (!this.users.has(login.toLowerCase())) throw new StandInHttpError(404, 'Not Found');
    return repo.permissions.get(login.toLowerCase()) ?? (repo.private ? 'none' : 'read');
  }
}
