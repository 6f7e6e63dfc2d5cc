import { z } from 'zod';
import { complexitySchema, type PreflightResult, preflightRiskSchema } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, wrapExternalData } from '../core/index.js';
import { extractJsonCandidates } from './answer.js';
import type { Reviewer } from './engine.js';

/**
 * Preflight: before anyone implements a task, a read-only turn reads the project and says what
 * the task must respect (constraints), which files it will touch, how risky and how complex it
 * is. Its baseline is the project's latest full rule scan — one is run and stored when the project
 * has none, instead of failing — so the agent knows which findings were there before the task.
 */

/** A stored project scan, as preflight reads it. */
export interface ScanSummary {
  scan_id: string;
  started_at: string;
  finding_count: number;
  by_severity: Record<string, number>;
  by_rule: Record<string, number>;
}

/** The project's scans, given by the server (the quality loop stores them). */
export interface ScanBaseline {
  latest(project: string): Promise<ScanSummary | null>;
  /** Scans the whole project now and stores the scan. */
  scan(project: { name: string; root: string }): Promise<ScanSummary>;
}

export interface PreflightInput {
  project: { name: string; root: string };
  /** Where the agent reads: the task's worktree, or the project checkout. */
  cwd: string;
  taskDescription: string;
}

const answerSchema = z.object({
  constraints: z.array(z.string()).default([]),
  affected_files: z.array(z.string()).default([]),
  risk: preflightRiskSchema,
  complexity: complexitySchema,
  summary: z.string().default(''),
});

const answerFormat = `Answer with one JSON object in a \`\`\`json fenced block, exactly:
{"constraints": ["<what the change must respect: rules, conventions, interfaces it must keep>"],
 "affected_files": ["<path relative to the project root>"],
 "risk": "low" | "medium" | "high",
 "complexity": "simple" | "medium" | "complex" | "critical",
 "summary": "<one paragraph: how to approach the task>"}`;

export function preflightPrompt(description: string, baseline: ScanSummary): string {
  const rules = Object.entries(baseline.by_rule)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([rule, n]) => `- ${rule}: ${n}`)
    .join('\n');
  return [
    'You are planning a task before anyone implements it. Do not modify any file; read and search the project as you need.',
    '## Task Description',
    wrapExternalData(description),
    `## Baseline scan (${baseline.scan_id}, ${baseline.started_at}): ${baseline.finding_count} finding(s) before the task`,
    rules || '(no findings)',
    'Findings already in the baseline are not the task’s to fix unless it says so; the change must add none.',
    answerFormat,
  ].join('\n');
}

export async function runPreflight(
  deps: { baseline: ScanBaseline; clock: Clock },
  agent: Reviewer<string>,
  input: PreflightInput,
): Promise<PreflightResult> {
  const stored = await deps.baseline.latest(input.project.name);
  const baseline = stored ?? (await deps.baseline.scan(input.project));
  const reply = await agent.ask(preflightPrompt(input.taskDescription, baseline));
  if (!reply.ok) throw new HarnessError(ErrorCodes.agent, `preflight: ${reply.stop}`);
  const answer = parsePreflightAnswer(reply.text);
  if (answer === null)
    throw new HarnessError(
      ErrorCodes.agent,
      `preflight: ${agent.name} answered without the JSON object asked for: ${reply.text.slice(0, 500)}`,
      { data: { agent: agent.name, raw: reply.text.slice(0, 20_000) } },
    );
  return {
    agent: agent.name,
    ...answer,
    baseline: {
      scan_id: baseline.scan_id,
      started_at: baseline.started_at,
      finding_count: baseline.finding_count,
      by_severity: baseline.by_severity,
      ran: stored === null,
    },
    cost_usd: reply.costUsd,
    at: deps.clock.now().toISOString(),
  };
}

export function parsePreflightAnswer(text: string): z.infer<typeof answerSchema> | null {
  for (const candidate of extractJsonCandidates(text)) {
    try {
      const parsed = answerSchema.safeParse(JSON.parse(candidate));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON; the next candidate
    }
  }
  return null;
}

/** What the implementor is told the preflight found. */
export function preflightBrief(result: PreflightResult): string {
  const list = (items: readonly string[]) =>
    items.length === 0 ? '(none)' : items.map((i) => `- ${i}`).join('\n');
  return [
    `Preflight (${result.agent}): risk ${result.risk}, complexity ${result.complexity}.`,
    result.summary,
    'Constraints:',
    list(result.constraints),
    'Files likely affected:',
    list(result.affected_files),
    `The baseline scan had ${result.baseline.finding_count} finding(s); add none.`,
  ].join('\n');
}
