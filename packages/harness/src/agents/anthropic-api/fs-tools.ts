import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertWritable, resolveInsideWorkspace, type SandboxSpec } from '../../sandbox/index.js';

/** What a tool gives back to the model, and the file it changed, if any. */
export interface ToolOutcome {
  output: string;
  isError: boolean;
  fileChange?: { path: string; kind: 'add' | 'update' };
}

const MAX_READ = 200_000;
const SKIP_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

const str = (input: Record<string, unknown>, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string') throw new Error(`missing string parameter \`${key}\``);
  return value;
};

export async function readFileTool(spec: SandboxSpec, input: Record<string, unknown>): Promise<ToolOutcome> {
  const file = resolveInsideWorkspace(spec.workspace, str(input, 'path'));
  const text = await readFile(file, 'utf8');
  const clipped =
    text.length > MAX_READ ? `${text.slice(0, MAX_READ)}\n[truncated: ${text.length} characters]` : text;
  return { output: clipped, isError: false };
}

export async function listFilesTool(spec: SandboxSpec, input: Record<string, unknown>): Promise<ToolOutcome> {
  const dir = resolveInsideWorkspace(spec.workspace, typeof input.path === 'string' ? input.path : '.');
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => !SKIP_DIRS.has(e.name))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
  return { output: names.join('\n') || '(empty directory)', isError: false };
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

export async function searchTool(spec: SandboxSpec, input: Record<string, unknown>): Promise<ToolOutcome> {
  const root = resolveInsideWorkspace(spec.workspace, typeof input.path === 'string' ? input.path : '.');
  const pattern = new RegExp(str(input, 'pattern'));
  const hits: string[] = [];
  for await (const file of walk(root)) {
    if ((await stat(file)).size > 1_000_000) continue;
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (hits.length < 200 && pattern.test(line))
        hits.push(`${path.relative(spec.workspace, file)}:${i + 1}: ${line}`);
    });
    if (hits.length >= 200) break;
  }
  return { output: hits.join('\n') || 'no matches', isError: false };
}

export async function writeFileTool(spec: SandboxSpec, input: Record<string, unknown>): Promise<ToolOutcome> {
  const rel = str(input, 'path');
  const file = resolveInsideWorkspace(spec.workspace, rel);
  assertWritable(spec, file);
  const existed = await stat(file).then(
    () => true,
    () => false,
  );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, str(input, 'content'));
  return {
    output: `wrote ${rel}`,
    isError: false,
    fileChange: { path: path.relative(spec.workspace, file), kind: existed ? 'update' : 'add' },
  };
}

export async function editFileTool(spec: SandboxSpec, input: Record<string, unknown>): Promise<ToolOutcome> {
  const rel = str(input, 'path');
  const file = resolveInsideWorkspace(spec.workspace, rel);
  assertWritable(spec, file);
  const oldString = str(input, 'old_string');
  const text = await readFile(file, 'utf8');
  const count = text.split(oldString).length - 1;
  if (count !== 1) {
    return {
      output: `old_string must occur exactly once in ${rel}; it occurs ${count} times`,
      isError: true,
    };
  }
  await writeFile(
    file,
    text.replace(oldString, () => str(input, 'new_string')),
  );
  return {
    output: `edited ${rel}`,
    isError: false,
    fileChange: { path: path.relative(spec.workspace, file), kind: 'update' },
  };
}
