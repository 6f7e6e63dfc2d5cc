import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScriptTurn } from '../../../packages/harness/src/agents/index.js';
import { git, makeRepo } from './repos.js';

/** What the scripted model sees of a conversation: the latest prompt, and whether a tool just ran. */
export interface ConversationView {
  lastPrompt: string;
  afterTool: boolean;
  /** How many user prompts contain `marker` (e.g. which review round this is). */
  count(marker: string): number;
}

type Block = { type?: string; text?: string };
type Message = { role?: string; content?: string | Block[] };

export function viewOf(body: unknown): ConversationView {
  const messages = ((body as { messages?: Message[] }).messages ?? []).filter((m) => m.role === 'user');
  const texts = messages.map((m) =>
    typeof m.content === 'string'
      ? m.content
      : (m.content ?? [])
          .filter((b) => b.type === 'text')
          .map((b) => b.text ?? '')
          .join('\n'),
  );
  const last = messages.at(-1);
  const afterTool = Array.isArray(last?.content) && last.content.some((b) => b.type === 'tool_result');
  const prompts = texts.filter((t) =>
    /You are (implementing|reviewing)|validation commands failed|asked for changes/.test(t),
  );
  return {
    lastPrompt: prompts.at(-1) ?? texts.at(-1) ?? '',
    afterTool,
    count: (marker) => texts.filter((t) => t.includes(marker)).length,
  };
}

export const approve = (summary = 'Looks correct.'): ScriptTurn => ({
  text: 'Reviewed.\n```json\n' + JSON.stringify({ verdict: 'approve', summary, findings: [] }) + '\n```',
});

export const requestChanges = (message: string): ScriptTurn => ({
  text:
    '```json\n' +
    JSON.stringify({
      verdict: 'changes_requested',
      summary: 'One problem.',
      findings: [{ file: 'fix.txt', line: 1, severity: 'medium', message }],
    }) +
    '\n```',
});

/**
 * A project with a failing check (`sh test.sh` wants fix.txt to say "fixed"), pushed to a local
 * bare remote whose path reads as the GitHub repository acme/<name>.
 */
export function makeProject(
  dir: string,
  name: string,
  overlay = '[validation]\npre_commit = ["sh test.sh"]\n',
): { root: string; remote: string } {
  const remote = path.join(dir, 'remotes', 'acme', `${name}.git`);
  mkdirSync(remote, { recursive: true });
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const root = makeRepo(path.join(dir, name), {
    'README.md': `# ${name}\n`,
    'test.sh':
      'grep -q fixed fix.txt 2>/dev/null || { echo "test failed: fix.txt does not say fixed"; exit 1; }\n',
  });
  mkdirSync(path.join(root, '.harness'), { recursive: true });
  writeFileSync(path.join(root, '.harness', 'config.toml'), overlay);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'harness overlay');
  git(root, 'remote', 'add', 'origin', remote);
  git(root, 'push', '-q', 'origin', 'main');
  return { root, remote };
}
