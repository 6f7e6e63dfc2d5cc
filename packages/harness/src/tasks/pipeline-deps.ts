import type { AgentRegistry } from '../agents/index.js';
import type { Clock, Git, GitAuthor, Logger, ProcessRunner } from '../core/index.js';
import type { GithubClient } from '../github/index.js';
import type { Rule } from '../guards/index.js';
import type { EventLog } from '../observe/index.js';
import type { ProjectRegistry } from '../projects/index.js';
import type { ScanBaseline } from '../review/index.js';
import type { Store } from '../store/index.js';
import type { ThreadService, TurnService } from '../threads/index.js';
import type { ServerProcessGroups } from './process-groups.js';
import type { WorktreeManager } from './worktrees.js';

/** What the task pipeline is built from: its ports and services, given by the composition root. */
export interface PipelineDeps {
  store: Store;
  events: EventLog;
  clock: Clock;
  logger: Logger;
  projects: ProjectRegistry;
  threads: ThreadService;
  turns: TurnService;
  agents: AgentRegistry;
  worktrees: WorktreeManager;
  git: Git;
  runner: ProcessRunner;
  github: GithubClient | null;
  author: GitAuthor;
  onPrompt: 'refuse' | 'needs_input';
  /** Validation commands' process groups are recorded like agents', to be ended after a crash. */
  processGroups?: ServerProcessGroups;
  /**
   * The rule catalogue that applies to a project (by its root): what the guard stage maps findings
   * to (severity, title, text). None: no catalogue, every project-guard finding is `medium`.
   */
  guardRules?: (projectRoot: string) => Promise<ReadonlyMap<string, Rule>>;
  /** The project scans preflight starts from (`[preflight] enabled`); none: preflight is skipped, said in an event. */
  scanBaseline?: ScanBaseline;
}
