import type { Draft, LearnResult, RemediationKind, Signal } from '@harness/protocol';
import { newId, systemClock, type Clock } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { ReadOnlyAgent } from '../agent-turn.js';
import type { ProjectRef } from '../replay/history.js';
import { replayDraft, type ReplayContext } from '../replay/replay.js';
import { fencedFiles } from './fenced-files.js';
import { lessonSignalId, lessonsOf, type Lesson } from './lessons.js';
import { promptFor } from './prompts.js';

/**
 * `learn/rules` and `learn/skills`: lessons from the project's past (recurring failures, recurring
 * review findings, adopted drafts), each given to a read-only agent that proposes rule files or
 * skills. What comes back is a pending draft — tried on the past by replay, stored when a drafts
 * store is there — and never a file in the project. Without a lesson no agent is asked.
 */
export type LearnKind = 'rules' | 'skills';

export interface LearnContext {
  readonly project: ProjectRef;
  readonly store: Store;
  /** Made only when there is something to learn, so a project without lessons costs nothing. */
  readonly agent: () => Promise<ReadOnlyAgent>;
  /** The project's adopted drafts (the GC drafts store). */
  readonly adoptedDrafts?: () => Promise<readonly Draft[]>;
  /** Stores a learned draft (the GC drafts store). */
  readonly saveDraft?: (draft: Draft) => Promise<void>;
  readonly maxDrafts?: number;
  readonly minOccurrences?: number;
  /** The agent's budget for one draft. */
  readonly budgetUsd?: number;
  /** All of this run's drafts together; once spent, the remaining lessons are reported, not drafted. */
  readonly totalBudgetUsd?: number;
  readonly ttlHours?: number;
  /** What replay needs beyond the project and store (catalogue, policy files, runner). */
  readonly replay?: Omit<ReplayContext, 'root' | 'store' | 'project'>;
  readonly clock?: Clock;
}

export const NO_LESSONS = 'no adopted drafts or recurring failures yet';
const DEFAULTS = { maxDrafts: 3, minOccurrences: 2, budgetUsd: 0.5, ttlHours: 72 };

const ALLOWED: Record<LearnKind, { prefix: string; kind: RemediationKind }[]> = {
  rules: [
    { prefix: '.harness/rules/', kind: 'rule' },
    { prefix: '.harness/guards/', kind: 'guard' },
  ],
  skills: [{ prefix: '.harness/skills/', kind: 'skill' }],
};

export async function learn(kind: LearnKind, ctx: LearnContext): Promise<LearnResult> {
  const adopted = ctx.adoptedDrafts ? (await ctx.adoptedDrafts()).filter((d) => d.status === 'adopted') : [];
  const minOccurrences = ctx.minOccurrences ?? DEFAULTS.minOccurrences;
  const lessons = await lessonsOf(ctx.store, ctx.project, { minOccurrences, adopted });
  const result: LearnResult = { project: ctx.project.name, drafts: [], cost_usd: 0, errors: [] };
  if (lessons.length === 0) return { ...result, reason: NO_LESSONS };
  const agent = await ctx.agent();
  const budget = ctx.budgetUsd ?? DEFAULTS.budgetUsd;
  const maxDrafts = ctx.maxDrafts ?? DEFAULTS.maxDrafts;
  const total = ctx.totalBudgetUsd ?? budget * maxDrafts;
  let spent = 0;
  for (const lesson of lessons.slice(0, maxDrafts)) {
    if (spent + budget > total + 1e-9) {
      result.errors.push({
        key: lesson.key,
        message: `not drafted: the $${total} budget of this run is spent`,
      });
      continue;
    }
    const answer = await agent.run(promptFor(kind, ctx.project, lesson), { budgetUsd: budget });
    spent += answer.cost_usd;
    result.cost_usd = spent;
    if (!answer.ok) {
      result.errors.push({ key: lesson.key, message: `the agent failed: ${answer.error}` });
      continue;
    }
    const files = fencedFiles(answer.text, ALLOWED[kind]);
    if (files.artifacts.length === 0) {
      const why = files.refused.length > 0 ? ` (refused: ${files.refused.join(', ')})` : '';
      result.errors.push({
        key: lesson.key,
        message: `the agent proposed no file under ${ALLOWED[kind].map((a) => a.prefix).join(' or ')}${why}`,
      });
      continue;
    }
    const draft = await draftFor(kind, lesson, files.artifacts, agent, answer.cost_usd, ctx);
    await ctx.saveDraft?.(draft);
    result.drafts.push(draft);
  }
  return result;
}

async function draftFor(
  kind: LearnKind,
  lesson: Lesson,
  artifacts: Draft['artifacts'],
  agent: ReadOnlyAgent,
  cost: number,
  ctx: LearnContext,
): Promise<Draft> {
  const now = (ctx.clock ?? systemClock).now();
  const ttl = (ctx.ttlHours ?? DEFAULTS.ttlHours) * 3_600_000;
  const draft: Draft = {
    id: newId('draft'),
    project: ctx.project.name,
    status: 'pending',
    signal: signalOf(kind, ctx.project.name, lesson, now.toISOString()),
    artifacts,
    rationale: `Learned ${kind} from ${lesson.summary}`,
    agent: agent.name,
    model: agent.model,
    cost_usd: cost,
    replay: null,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttl).toISOString(),
    decided_at: null,
    decided_by: null,
    reject_reason: null,
    task_id: null,
  };
  const replay = await replayDraft(draft, {
    ...ctx.replay,
    root: ctx.project.root,
    project: ctx.project.name,
    store: ctx.store,
  });
  return { ...draft, replay };
}

/** Learned drafts answer a synthetic signal: the lesson, with its evidence. */
function signalOf(kind: LearnKind, project: string, lesson: Lesson, at: string): Signal {
  return {
    id: lessonSignalId(lesson),
    project,
    type: lesson.type,
    key: lesson.key,
    strength: lesson.count,
    threshold: 0,
    remediation: kind === 'rules' ? 'rule' : 'skill',
    summary: lesson.summary,
    details: { ...lesson.details, learned: kind },
    evidence: lesson.evidence,
    detected_at: at,
  };
}
