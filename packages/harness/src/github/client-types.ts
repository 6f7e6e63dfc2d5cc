/**
 * The shapes the client hands out: a small, snake_case subset of GitHub's objects, so callers (and
 * the store) do not depend on Octokit's generated types.
 */
export interface GithubUser {
  login: string;
  type: string;
}

export interface GithubIssue {
  number: number;
  title: string;
  body: string;
  state: string;
  html_url: string;
  user: GithubUser | null;
  labels: string[];
  /** Pull requests are issues too; true when this number is one. */
  is_pull_request: boolean;
}

export interface GithubBranchRef {
  ref: string;
  sha: string;
  /** `owner/repo` the branch lives in; null when that repository was deleted. */
  repo_full_name: string | null;
}

export interface GithubPullRequest {
  number: number;
  title: string;
  body: string;
  state: string;
  draft: boolean;
  merged: boolean;
  html_url: string;
  user: GithubUser | null;
  head: GithubBranchRef;
  base: GithubBranchRef;
}

export interface GithubComment {
  id: number;
  body: string;
  html_url: string;
  user: GithubUser | null;
}

export type ReviewEvent = 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT';

export interface ReviewLineComment {
  path: string;
  line: number;
  body: string;
  /** Which side of the diff `line` counts on; GitHub's default is the new file (RIGHT). */
  side?: 'LEFT' | 'RIGHT';
}

export interface CreateReviewInput {
  event: ReviewEvent;
  body?: string;
  comments?: ReviewLineComment[];
  /** Pin the review to a commit, so it is not silently applied to a newer push. */
  commit_id?: string;
}

export interface GithubReview {
  id: number;
  state: string;
  body: string;
  html_url: string;
  commit_id: string | null;
  user: GithubUser | null;
}

export interface CreatePullRequestInput {
  /** Branch name in the same repository, or `owner:branch` for a fork. */
  head: string;
  base: string;
  title: string;
  body?: string;
  draft?: boolean;
}

export interface CreatePullRequestResult {
  pull_request: GithubPullRequest;
  /** False when an open pull request for the head branch already existed and was returned. */
  created: boolean;
}

/** Repository roles, strongest first; `none` for users without access (or unknown users). */
export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** GitHub's answer to "what may this user do on this repository?", as authorization reads it. */
export interface PermissionAnswer {
  /** The role decisions are made on: `role_name` when GitHub's two fields agree on write access. */
  permission: RepoPermission;
  /** GitHub's `role_name` verbatim (custom roles included); null when absent. */
  role_name: string | null;
  /** False when GitHub answered 404: no such user, or one it will not show on this repository. */
  found: boolean;
}

/** What authorization needs from the client; lets tests and callers pass a smaller object. */
export interface PermissionLookup {
  getCollaboratorPermission(repo: { owner: string; repo: string }, user: string): Promise<PermissionAnswer>;
}

type Loose = Record<string, unknown>;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function user(value: unknown): GithubUser | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Loose;
  return { login: str(v.login), type: str(v.type) || 'User' };
}

export function toIssue(data: unknown): GithubIssue {
  const v = data as Loose;
  const labels = Array.isArray(v.labels) ? v.labels : [];
  return {
    number: Number(v.number),
    title: str(v.title),
    body: str(v.body),
    state: str(v.state),
    html_url: str(v.html_url),
    user: user(v.user),
    labels: labels.map((l) => (typeof l === 'string' ? l : str((l as Loose | null)?.name))),
    is_pull_request: typeof v.pull_request === 'object' && v.pull_request !== null,
  };
}

function branch(value: unknown): GithubBranchRef {
  const v = (value ?? {}) as Loose;
  const repo = v.repo as Loose | null | undefined;
  return { ref: str(v.ref), sha: str(v.sha), repo_full_name: repo ? str(repo.full_name) || null : null };
}

export function toPullRequest(data: unknown): GithubPullRequest {
  const v = data as Loose;
  return {
    number: Number(v.number),
    title: str(v.title),
    body: str(v.body),
    state: str(v.state),
    draft: v.draft === true,
    merged: v.merged === true || (typeof v.merged_at === 'string' && v.merged_at.length > 0),
    html_url: str(v.html_url),
    user: user(v.user),
    head: branch(v.head),
    base: branch(v.base),
  };
}

export function toComment(data: unknown): GithubComment {
  const v = data as Loose;
  return { id: Number(v.id), body: str(v.body), html_url: str(v.html_url), user: user(v.user) };
}

export function toReview(data: unknown): GithubReview {
  const v = data as Loose;
  return {
    id: Number(v.id),
    state: str(v.state),
    body: str(v.body),
    html_url: str(v.html_url),
    commit_id: typeof v.commit_id === 'string' ? v.commit_id : null,
    user: user(v.user),
  };
}

const roles: readonly RepoPermission[] = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];

function knownRole(value: unknown): RepoPermission | null {
  return typeof value === 'string' && (roles as readonly string[]).includes(value)
    ? (value as RepoPermission)
    : null;
}

/** Roles that may push to the repository, and so may ask Harness to. */
export const writePermissions: readonly RepoPermission[] = ['admin', 'maintain', 'write'];

export function grantsWrite(permission: RepoPermission): boolean {
  return writePermissions.includes(permission);
}

/**
 * `permission` (admin, write, read, none) is what GitHub enforces; `role_name` tells maintain from
 * write and triage from read. The finer role is kept only when both agree on write access, so a
 * custom or inconsistent `role_name` can never grant more than `permission` does.
 */
export function toPermission(data: unknown): PermissionAnswer {
  const v = data as Loose;
  const role_name = typeof v.role_name === 'string' ? v.role_name : null;
  const legacy = knownRole(v.permission) ?? 'none';
  const role = knownRole(role_name);
  const permission = role !== null && grantsWrite(role) === grantsWrite(legacy) ? role : legacy;
  return { permission, role_name, found: true };
}
