import { z } from 'zod';
import type { Git, Logger } from '../../core/index.js';
import { tryParseRepoSlug } from '../../github/index.js';
import type { EventLog } from '../../observe/index.js';
import type { ProjectRegistry } from '../../projects/index.js';
import { projectForRepo } from './project-match.js';

/**
 * What GitHub tells about a project's trouble, kept as events for signal detection: a check run
 * that failed (`github.check_failed`) and a review that requested changes
 * (`github.changes_requested`). Each event's id is derived from GitHub's own id, so a redelivery
 * under a new delivery id is not counted twice. Only deliveries from a repository that a project
 * is a checkout of are kept.
 */
export interface QualityEventDeps {
  events: EventLog;
  projects: ProjectRegistry;
  git: Git;
  logger: Logger;
}

const positive = z.number().int().positive();
const repository = z.object({ full_name: z.string().max(300) });

const checkRunPayload = z.object({
  action: z.literal('completed'),
  repository,
  check_run: z.object({
    id: positive,
    name: z.string().max(500),
    conclusion: z.string().nullish(),
    head_sha: z.string().max(100),
    html_url: z.string().max(2000).nullish(),
    pull_requests: z.array(z.object({ number: positive })).default([]),
  }),
});

const reviewPayload = z.object({
  action: z.literal('submitted'),
  repository,
  review: z.object({
    id: positive,
    state: z.string(),
    html_url: z.string().max(2000).nullish(),
    user: z.object({ login: z.string().max(100) }).nullish(),
  }),
  pull_request: z.object({ number: positive }),
});

/** Conclusions that mean the check found something wrong (not `cancelled`, `skipped`, `neutral`). */
const failing = new Set(['failure', 'timed_out']);

type QualityEvent = { kind: string; id: string; tool: string; reason: string; slug: string; data: object };

/** Records the delivery's quality event, if it is one; never throws (a delivery is not refused for it). */
export async function recordQualityEvent(
  deps: QualityEventDeps,
  event: string,
  payload: unknown,
): Promise<void> {
  const found = qualityEventOf(event, payload);
  if (found === null) return;
  try {
    const repo = tryParseRepoSlug(found.slug);
    const project = repo === null ? null : await projectForRepo(deps.projects, deps.git, repo);
    if (project === null) return;
    await deps.events.append({
      id: found.id,
      kind: found.kind,
      tool: found.tool,
      decision: 'block',
      reason: found.reason,
      project,
      data: found.data,
    });
  } catch (error) {
    deps.logger.warn({ err: error, event }, 'recording a GitHub quality event failed');
  }
}

function qualityEventOf(event: string, payload: unknown): QualityEvent | null {
  if (event === 'check_run') {
    const parsed = checkRunPayload.safeParse(payload);
    if (!parsed.success || !failing.has(parsed.data.check_run.conclusion ?? '')) return null;
    const { check_run: run, repository: repo } = parsed.data;
    return {
      kind: 'github.check_failed',
      id: `github.check_failed:${run.id}`,
      tool: run.name,
      reason: `${run.name}: ${run.conclusion}`,
      slug: repo.full_name,
      data: {
        repo: repo.full_name,
        check_name: run.name,
        conclusion: run.conclusion,
        head_sha: run.head_sha,
        pr_numbers: run.pull_requests.map((pr) => pr.number),
        html_url: run.html_url ?? null,
      },
    };
  }
  if (event === 'pull_request_review') {
    const parsed = reviewPayload.safeParse(payload);
    if (!parsed.success || parsed.data.review.state.toLowerCase() !== 'changes_requested') return null;
    const { review, pull_request: pr, repository: repo } = parsed.data;
    return {
      kind: 'github.changes_requested',
      id: `github.changes_requested:${review.id}`,
      tool: 'review',
      reason: `changes requested on #${pr.number}`,
      slug: repo.full_name,
      data: {
        repo: repo.full_name,
        pr_number: pr.number,
        reviewer: review.user?.login ?? null,
        html_url: review.html_url ?? null,
      },
    };
  }
  return null;
}
