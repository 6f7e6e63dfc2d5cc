import type { StandInModel, StoredRepo } from './model.js';
import type { Urls } from './render.js';

export interface InspectedPullRequest {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  draft: boolean;
  author: string;
  head: string;
  base: string;
}

export interface InspectedComment {
  id: number;
  issue_number: number;
  body: string;
  author: string;
  edited: boolean;
  /** The first version of the body, before any edit. */
  first_body: string;
}

export interface InspectedReview {
  id: number;
  pull_number: number;
  state: string;
  body: string;
  author: string;
  commit_id: string;
  comments: Array<{ path: string; line: number; side: string; body: string }>;
}

/** What tests read back: copies of the stand-in's state, in creation order. */
export abstract class StandInInspector {
  constructor(protected readonly model: StandInModel) {}

  protected abstract urls(): Urls;

  #repo(slug: string): StoredRepo {
    const [owner = '', name = ''] = slug.split('/');
    return this.model.repo(owner, name);
  }

  pullRequests(slug: string): InspectedPullRequest[] {
    return [...this.#repo(slug).issues.values()].flatMap((i) =>
      i.pull === null
        ? []
        : [
            {
              number: i.number,
              title: i.title,
              body: i.body,
              state: i.state,
              draft: i.pull.draft,
              author: i.user.login,
              head: `${i.pull.head_owner}:${i.pull.head_ref}`,
              base: i.pull.base_ref,
            },
          ],
    );
  }

  /** Comments on one issue or pull request, or on the whole repository. */
  comments(slug: string, issue_number?: number): InspectedComment[] {
    return this.#repo(slug)
      .comments.filter((c) => issue_number === undefined || c.issue_number === issue_number)
      .map((c) => ({
        id: c.id,
        issue_number: c.issue_number,
        body: c.body,
        author: c.user.login,
        edited: c.edited,
        first_body: c.earlier_bodies[0] ?? c.body,
      }));
  }

  reviews(slug: string, pull_number?: number): InspectedReview[] {
    return this.#repo(slug)
      .reviews.filter((r) => pull_number === undefined || r.pull_number === pull_number)
      .map((r) => ({
        id: r.id,
        pull_number: r.pull_number,
        state: r.state,
        body: r.body,
        author: r.user.login,
        commit_id: r.commit_id,
        comments: r.comments.map(({ path, line, side, body }) => ({ path, line, side, body })),
      }));
  }
}
