import { describe, expect, it } from 'vitest';
import { readOnlyCommandGate } from './drafter.js';

describe('the drafting agent’s command gate', () => {
  const decide = async (command: string) => (await readOnlyCommandGate({ command, cwd: '/tmp' })).decision;

  it('lets it read and search', async () => {
    for (const command of [
      'cat src/a.ts | grep -n old',
      'rg -n TODO src',
      'find . -name "*.ts"',
      'sed -n 1,20p src/a.ts',
      'git log --oneline -5',
      'ls -la && wc -l src/a.ts',
    ])
      expect(await decide(command), command).toBe('allow');
  });

  it('refuses writing, running and disguised commands', async () => {
    for (const command of [
      'echo x > a',
      'touch a',
      'git commit -am x',
      'git push',
      'find . -exec rm {} +',
      'rg --pre ./evil.sh x',
      'rg -n --pre=sh x',
      'cat a | sh',
      'bash -c "cat a; rm a"',
      'sed -n "1e rm a" a',
      'curl http://127.0.0.1:9800/',
      'node -e "1"',
    ])
      expect(await decide(command), command).toBe('forbidden');
  });
});
