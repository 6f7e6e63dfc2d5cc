/**
 * The README's embedding example, exactly as printed: extracted from README.md, type-checked by
 * the TypeScript compiler against the built @harness/harness (its dist/index.d.ts), then run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@harness/testkit';

// Inside the repository, so that '@harness/harness' resolves to the workspace package.
const dir = mkdtempSync(path.join(repoRoot, 'test', 'e2e', '.embedding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function example(): string {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const match = /<!-- embedding-example -->\n```ts\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README.md has no ```ts block after <!-- embedding-example -->');
  return match[1];
}

describe("the README's embedding example", () => {
  it('compiles against the built package and runs', () => {
    writeFileSync(path.join(dir, 'example.ts'), example());
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          types: ['node'],
          outDir: 'out',
          skipLibCheck: true,
        },
        files: ['example.ts'],
      }),
    );
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    const printed = execFileSync(process.execPath, [path.join(dir, 'out', 'example.js')], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(printed.trim()).toMatch(/^sess_[0-9a-f-]{36} draft read-only -32603$/);
  });
});
