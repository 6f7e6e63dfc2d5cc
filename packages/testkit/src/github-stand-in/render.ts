import type {
  RepoPermission,
  StandInUser,
  StoredComment,
  StoredIssue,
  StoredPull,
  StoredRepo,
  StoredReview,
} from './model.js';

/**
 * GitHub's JSON shapes for what the stand-in stores: the fields GitHub documents and clients read
 * (ids, urls, `html_url`, nested users and repositories), not every field it sends.
 */
export interface Urls {
  api: string;
  web: string;
}

export function userJson(urls: Urls, user: StandInUser) {
  const id = Array.from(user.login).reduce((sum, ch) => (sum * 31 + ch.charCodeAt(0)) % 1_000_000_007, 7);
  return {
    login: user.login,
    id,
    type: user.type,
    site_admin: false,
    url: `${urls.api}/users/${user.login}`,
    html_url: `${urls.web}/${user.login}`,
  };
}

function association(repo: StoredRepo, user: StandInUser): string {
  if (user.login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  return repo.permissions.has(user.login.toLowerCase()) ? 'COLLABORATOR' : 'NONE';
}

export function repoJson(urls: Urls, repo: StoredRepo) {
  const full_name = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    name: repo.name,
    full_name,
    private: repo.private,
    owner: userJson(urls, { login: repo.owner, type: 'User' }),
    html_url: `${urls.web}/${full_name}`,
    url: `${urls.api}/repos/${full_name}`,
    clone_url: `${urls.web}/${full_name}.git`,
    default_branch: repo.default_branch,
  };
}

export function pullApiUrl(urls: Urls, repo: StoredRepo, number: number): string {
  return `${urls.api}/repos/${repo.owner}/${repo.name}/pulls/${number}`;
}

export function issueJson(urls: Urls, repo: StoredRepo, issue: StoredIssue) {
  const base = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const kind = issue.pull === null ? 'issues' : 'pull';
  const html_url = `${urls.web}/${repo.owner}/${repo.name}/${kind}/${issue.number}`;
  return {
    id: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body.length > 0 ? issue.body : null,
    state: issue.state,
    locked: false,
    user: userJson(urls, issue.user),
    labels: issue.labels.map((name, index) => ({ id: issue.id * 100 + index, name, color: 'ededed' })),
    comments: repo.comments.filter((c) => c.issue_number === issue.number).length,
    author_association: association(repo, issue.user),
    url: `${base}/issues/${issue.number}`,
    repository_url: base,
    comments_url: `${base}/issues/${issue.number}/comments`,
    html_url,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    ...(issue.pull === null
      ? {}
      : {
          pull_request: {
            url: pullApiUrl(urls, repo, issue.number),
            html_url,
            diff_url: `${html_url}.diff`,
            patch_url: `${html_url}.patch`,
            merged_at: issue.pull.merged ? issue.closed_at : null,
          },
        }),
  };
}

function branchJson(urls: Urls, repo: StoredRepo, owner: string, ref: string, sha: string) {
  const sameRepo = owner.toLowerCase() === repo.owner.toLowerCase();
  return {
    label: `${owner}:${ref}`,
    ref,
    sha,
    user: userJson(urls, { login: owner, type: 'User' }),
    repo: sameRepo ? repoJson(urls, repo) : { ...repoJson(urls, { ...repo, owner }), fork: true },
  };
}

export function pullJson(urls: Urls, repo: StoredRepo, issue: StoredIssue & { pull: StoredPull }) {
  const { pull } = issue;
  const html_url = `${urls.web}/${repo.owner}/${repo.name}/pull/${issue.number}`;
  return {
    id: issue.id,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    body: issue.body.length > 0 ? issue.body : null,
    user: userJson(urls, issue.user),
    author_association: association(repo, issue.user),
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.merged ? issue.closed_at : null,
    mergeable: null,
    url: pullApiUrl(urls, repo, issue.number),
    html_url,
    diff_url: `${html_url}.diff`,
    patch_url: `${html_url}.patch`,
    issue_url: `${urls.api}/repos/${repo.owner}/${repo.name}/issues/${issue.number}`,
    head: branchJson(urls, repo, pull.head_owner, pull.head_ref, pull.head_sha),
    base: branchJson(urls, repo, repo.owner, pull.base_ref, pull.base_sha),
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
  };
}

export function commentJson(urls: Urls, repo: StoredRepo, comment: StoredComment) {
  const base = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const issue = repo.issues.get(comment.issue_number);
  const kind = issue?.pull ? 'pull' : 'issues';
  return {
    id: comment.id,
    body: comment.body,
    user: userJson(urls, comment.user),
    author_association: association(repo, comment.user),
    url: `${base}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/${kind}/${comment.issue_number}#issuecomment-${comment.id}`,
    issue_url: `${base}/issues/${comment.issue_number}`,
    created_at: comment.created_at,
    updated_at: comment.updated_at,
  };
}

export function reviewJson(urls: Urls, repo: StoredRepo, review: StoredReview) {
  return {
    id: review.id,
    user: userJson(urls, review.user),
    body: review.body,
    state: review.state,
    author_association: association(repo, review.user),
    commit_id: review.commit_id,
    submitted_at: review.submitted_at,
    html_url: `${urls.web}/${repo.owner}/${repo.name}/pull/${review.pull_number}#pullrequestreview-${review.id}`,
    pull_request_url: pullApiUrl(urls, repo, review.pull_number),
  };
}

/** `permission` is GitHub's legacy field, which folds maintain into write and triage into read. */
export function permissionJson(urls: Urls, login: string, role: RepoPermission) {
  const legacy = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
  return { permission: legacy, role_name: role, user: userJson(urls, { login, type: 'User' }) };
}
