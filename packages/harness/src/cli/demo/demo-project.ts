import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DemoTurn } from './demo-kit.js';

const run = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore' });

/**
 * A throwaway repository with a failing test (`add` subtracts), validated by `node test.js`, and
 * a local bare remote whose path reads as the GitHub repository acme/calculator.
 */
export function createDemoProject(dir: string): { root: string; remote: string } {
  const remote = path.join(dir, 'remotes', 'acme', 'calculator.git');
  mkdirSync(remote, { recursive: true });
  run(remote, 'init', '-q', '--bare', '-b', 'main');
  const root = path.join(dir, 'calculator');
  mkdirSync(path.join(root, '.harness'), { recursive: true });
  const files: Record<string, string> = {
    'math.js': 'exports.add = (a, b) => a - b;\n',
    'test.js':
      "const assert = require('node:assert');\nconst { add } = require('./math');\nassert.strictEqual(add(2, 2), 4);\nconsole.log('tests pass');\n",
    'README.md': '# calculator\n\n`node test.js` runs the tests.\n',
    '.harness/config.toml': '[validation]\npre_commit = ["node test.js"]\n[review]\nmax_rounds = 3\n',
  };
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(root, file), content);
  run(root, 'init', '-q', '-b', 'main');
  run(root, '-c', 'user.name=Demo', '-c', 'user.email=demo@example.com', 'add', '-A');
  run(
    root,
    '-c',
    'user.name=Demo',
    '-c',
    'user.email=demo@example.com',
    'commit',
    '-qm',
    'calculator with a bug',
  );
  run(root, 'remote', 'add', 'origin', remote);
  run(root, 'push', '-q', 'origin', 'main');
  return { root, remote };
}

type Block = { type?: string; text?: string };

/**
 * The scripted model behind both agents. It reads the conversation and answers like a careful
 * engineer would: fix the bug; when the reviewer (round 1) asks for a test of negative numbers,
 * add one; approve in round 2. No model is called.
 */
export function demoModel(body: unknown): DemoTurn {
  const messages = (
    (body as { messages?: { role?: string; content?: string | Block[] }[] }).messages ?? []
  ).filter((m) => m.role === 'user');
  const texts = messages.map((m) =>
    typeof m.content === 'string' ? m.content : (m.content ?? []).map((b) => b.text ?? '').join('\n'),
  );
  const last = messages.at(-1)?.content;
  const afterTool = Array.isArray(last) && last.some((b) => b.type === 'tool_result');
  const prompt =
    texts
      .filter((t) => /You are (implementing|reviewing)|asked for changes|validation commands failed/.test(t))
      .at(-1) ?? '';
  if (prompt.includes('You are reviewing')) {
    const round = texts.filter((t) => t.includes('You are reviewing')).length;
    const verdict =
      round === 1
        ? {
            verdict: 'changes_requested',
            summary: 'The fix is right, but nothing guards against the bug coming back for negative numbers.',
            findings: [
              {
                file: 'test.js',
                line: 3,
                severity: 'medium',
                message: 'Add an assertion for negative numbers, e.g. add(-2, -3) === -5.',
              },
            ],
          }
        : {
            verdict: 'approve',
            summary: 'add() is fixed and covered for positive and negative numbers.',
            findings: [],
          };
    return { text: `Reviewed the diff.\n\`\`\`json\n${JSON.stringify(verdict)}\n\`\`\`` };
  }
  if (afterTool)
    return {
      text: prompt.includes('asked for changes')
        ? 'Added a test for negative numbers.'
        : 'Fixed add(): it subtracted instead of adding.',
    };
  if (prompt.includes('asked for changes')) {
    return {
      tool_calls: [
        {
          name: 'Bash',
          input: {
            command: `sed -i "s/^console.log/assert.strictEqual(add(-2, -3), -5);\\nconsole.log/" test.js && node test.js`,
          },
        },
      ],
    };
  }
  return {
    tool_calls: [{ name: 'Bash', input: { command: `sed -i 's/a - b/a + b/' math.js && node test.js` } }],
  };
}
