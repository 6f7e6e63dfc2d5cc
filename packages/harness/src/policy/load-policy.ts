import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { builtin, execModule, None, StarlarkError, toJs, type Limits, type Value } from '@harness/starlark';
import { ErrorCodes, HarnessError } from '../core/index.js';
import { Policy, type PolicyOptions } from './policy.js';
import { PolicyBuilder, PolicyDefinitionError, type CallArgs } from './policy-builder.js';
import type { SourcePosition } from './rule-model.js';

/** One policy file: `path` is how messages name it, `source` its Starlark text. */
export interface PolicySource {
  readonly path: string;
  readonly source: string;
}

export interface LoadPolicyOptions extends PolicyOptions {
  /** Interpreter budgets per file; the defaults are generous for hand-written and generated policies. */
  readonly limits?: Partial<Limits>;
}

/** Policy files larger than this are refused (the original engine's limit). */
export const MAX_POLICY_BYTES = 512 * 1024;
/** Project convention: every `*.star` file in `<project>/.harness/policy/`, in name order. */
export const PROJECT_POLICY_DIR = path.join('.harness', 'policy');

/**
 * A policy is loaded in the server at every turn start, so its budgets are sized to policies, not
 * to general programs: the shared 357-rule benchmark policy needs under 50k steps and 100k
 * allocations. These leave 20× headroom and keep a runaway file to tens of MB and a fraction of a
 * second.
 */
const DEFAULT_LIMITS: Partial<Limits> = {
  maxSteps: 1_000_000,
  maxAllocations: 2_000_000,
  maxValueSize: 200_000,
  maxSourceBytes: MAX_POLICY_BYTES,
};

/**
 * Evaluates every file once, in order, into one merged rule set (rules appended, host_executable
 * paths unioned). Throws HarnessError `policy_error` with `file:line:col: what is wrong`.
 */
export function loadPolicy(
  input: { readonly files: readonly PolicySource[] },
  options: LoadPolicyOptions = {},
): Policy {
  const builder = new PolicyBuilder();
  for (const file of input.files) evaluateFile(builder, file, options);
  return new Policy(
    builder.build(),
    input.files.map((f) => f.path),
    options,
  );
}

/** Reads and loads policy files from disk. */
export async function loadPolicyFiles(
  paths: readonly string[],
  options: LoadPolicyOptions = {},
): Promise<Policy> {
  const files: PolicySource[] = [];
  for (const p of paths) {
    try {
      files.push({ path: p, source: await readFile(p, 'utf8') });
    } catch (error) {
      throw new HarnessError(
        ErrorCodes.policy,
        `${p}: cannot read policy file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        {
          data: { file: p },
          cause: error,
        },
      );
    }
  }
  return loadPolicy({ files }, options);
}

/**
 * The policy files of a project: `<root>/.harness/policy/*.star` (sorted by name), then each extra
 * path (from config `rules.exec_policy_paths`; a file, or a directory whose `*.star` files count).
 * Relative extra paths are taken against the project root. A missing extra path is an error; a
 * project without a policy directory simply has no project rules.
 */
export async function discoverPolicyFiles(
  projectRoot: string,
  extraPaths: readonly string[] = [],
): Promise<string[]> {
  const root = path.resolve(projectRoot);
  const found = await starFilesIn(path.join(root, PROJECT_POLICY_DIR), false);
  return [...new Set([...found, ...(await expandPolicyPaths(extraPaths, root))])];
}

/** Files stay files; a directory stands for its `*.star` files. Every path must exist. */
export async function expandPolicyPaths(paths: readonly string[], base: string): Promise<string[]> {
  const found: string[] = [];
  for (const extra of paths) {
    const p = path.resolve(base, extra);
    const info = await stat(p).catch(() => undefined);
    if (!info)
      throw new HarnessError(ErrorCodes.policy, `${p}: policy path does not exist`, { data: { file: p } });
    found.push(...(info.isDirectory() ? await starFilesIn(p, true) : [p]));
  }
  return found;
}

async function starFilesIn(dir: string, mustExist: boolean): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (!mustExist && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new HarnessError(ErrorCodes.policy, `${dir}: cannot read policy directory`, { cause: error });
  }
  return names
    .filter((n) => n.endsWith('.star'))
    .sort()
    .map((n) => path.join(dir, n));
}

function evaluateFile(builder: PolicyBuilder, file: PolicySource, options: LoadPolicyOptions): void {
  const bytes = Buffer.byteLength(file.source, 'utf8');
  if (bytes > MAX_POLICY_BYTES) {
    throw policyError(
      { file: file.path, line: 1, column: 1 },
      `policy file exceeds ${MAX_POLICY_BYTES} bytes (${bytes})`,
    );
  }
  // A builtin's own error is kept here: the interpreter may wrap it, but its position and text are ours.
  let failure: PolicyDefinitionError | undefined;
  const wrap = (name: string, method: (call: CallArgs) => void): Value =>
    builtin(name, (call) => {
      try {
        method({
          args: convertArgs(call.args),
          kwargs: convertKwargs(call.kwargs),
          position: { file: file.path, line: call.position.line, column: call.position.column },
        });
      } catch (error) {
        if (error instanceof PolicyDefinitionError) failure = error;
        throw error;
      }
      return None;
    });
  const predeclared = {
    prefix_rule: wrap('prefix_rule', (c) => builder.prefixRule(c)),
    host_executable: wrap('host_executable', (c) => builder.hostExecutable(c)),
    network_rule: wrap('network_rule', (c) => builder.networkRule(c)),
  };
  try {
    execModule(file.source, {
      filename: file.path,
      dialect: 'strict',
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      predeclared,
    });
  } catch (error) {
    if (failure) throw policyError(failure.position, failure.message, failure);
    if (error instanceof StarlarkError) {
      const where = { file: error.filename || file.path, line: error.line, column: error.column };
      throw policyError(where, error.reason, error);
    }
    throw policyError(
      { file: file.path, line: 1, column: 1 },
      `policy evaluation failed: ${String(error)}`,
      error,
    );
  }
}

// Plain loops: builtins run once per rule, and spreading into temporary arrays showed in profiles.
function convertArgs(args: readonly Value[]): unknown[] {
  const out = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) out[i] = toJs(args[i] as Value);
  return out;
}

function convertKwargs(kwargs: ReadonlyMap<string, Value>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  // forEach, not for…of with destructuring: most calls run before the JIT has optimized this, and
  // unoptimized destructuring goes through the iterator protocol.
  kwargs.forEach((value, key) => out.set(key, toJs(value)));
  return out;
}

function policyError(where: SourcePosition, message: string, cause?: unknown): HarnessError {
  return new HarnessError(ErrorCodes.policy, `${where.file}:${where.line}:${where.column}: ${message}`, {
    data: { file: where.file, line: where.line, column: where.column, message },
    cause,
  });
}
