import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCodes, HarnessError } from '../core/index.js';
import { builtinRuleFiles } from './builtin/index.js';
import { parseRuleFile } from './rule-file.js';
import type { Rule } from './scan.js';

/**
 * The rule catalogue of a project: rule files from the project, the user, the machine and the
 * config, then the built-in catalogue. For the same id the first wins (project > user > admin >
 * configured > builtin) and every rule it hides is reported, so a restated rule is never a
 * surprise. A broken file stops the load with its file:line; a configured path that does not exist
 * is an error too (it is a typo, not an empty catalogue).
 */
export type RuleOrigin = 'project' | 'user' | 'admin' | 'configured' | 'builtin';

export interface CatalogueOptions {
  readonly projectRoot?: string;
  /** The home whose `.harness/rules/` is read; the user's by default. */
  readonly home?: string;
  /** The machine-wide rules directory; `/etc/harness/rules` by default. */
  readonly adminDir?: string;
  /** `rules.discovery_paths`: files or directories, read after the three above. */
  readonly discoveryPaths?: readonly string[];
  /** Include the shipped catalogue (default true). */
  readonly builtin?: boolean;
}

export interface Shadowed {
  readonly id: string;
  /** Where the rule that wins comes from (`file:line`). */
  readonly by: string;
  /** Where the hidden one was (`file:line`). */
  readonly hidden: string;
}

export interface RuleCatalogue {
  /** By id, the winning rule of each. */
  readonly rules: ReadonlyMap<string, Rule>;
  readonly origins: ReadonlyMap<string, RuleOrigin>;
  readonly shadowed: readonly Shadowed[];
  /** The rule files read, in order. */
  readonly files: readonly string[];
}

export const ADMIN_RULES_DIR = '/etc/harness/rules';
export const RULES_DIR = path.join('.harness', 'rules');

export async function loadRuleCatalogue(options: CatalogueOptions = {}): Promise<RuleCatalogue> {
  const sources: { origin: RuleOrigin; files: string[] }[] = [];
  if (options.projectRoot !== undefined) {
    sources.push({
      origin: 'project',
      files: await markdownUnder(path.join(options.projectRoot, RULES_DIR)),
    });
  }
  sources.push({
    origin: 'user',
    files: await markdownUnder(path.join(options.home ?? os.homedir(), RULES_DIR)),
  });
  sources.push({ origin: 'admin', files: await markdownUnder(options.adminDir ?? ADMIN_RULES_DIR) });
  const configured: string[] = [];
  for (const entry of options.discoveryPaths ?? []) configured.push(...(await configuredFiles(entry)));
  sources.push({ origin: 'configured', files: configured });

  const rules = new Map<string, Rule>();
  const origins = new Map<string, RuleOrigin>();
  const shadowed: Shadowed[] = [];
  const add = (origin: RuleOrigin, parsed: readonly Rule[]) => {
    for (const rule of parsed) {
      const winner = rules.get(rule.id);
      if (winner) shadowed.push({ id: rule.id, by: where(winner), hidden: where(rule) });
      else {
        rules.set(rule.id, rule);
        origins.set(rule.id, origin);
      }
    }
  };
  const files: string[] = [];
  for (const { origin, files: list } of sources) {
    for (const file of list) {
      files.push(file);
      add(origin, parseRuleFile(await readFile(file, 'utf8'), file));
    }
  }
  if (options.builtin !== false) {
    for (const { file, text } of builtinRuleFiles()) add('builtin', parseRuleFile(text, file));
  }
  return { rules, origins, shadowed, files };
}

function where(rule: Rule): string {
  return `${rule.source.file}:${rule.source.line}`;
}

/** `*.md` files below `dir` (recursively, sorted); none when it does not exist. */
async function markdownUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await markdownUnder(full)));
    else if (entry.isFile() && entry.name.endsWith('.md')) out.push(full);
  }
  return out;
}

async function configuredFiles(entry: string): Promise<string[]> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) {
    throw new HarnessError(
      ErrorCodes.config,
      `rules.discovery_paths: ${entry} does not exist (remove it from the config or create it)`,
    );
  }
  return info.isDirectory() ? markdownUnder(entry) : [path.resolve(entry)];
}

let builtinCache: ReadonlyMap<string, Rule> | undefined;

/** The shipped catalogue alone, by id (parsed once). */
export function builtinRules(): ReadonlyMap<string, Rule> {
  builtinCache ??= new Map(
    builtinRuleFiles().flatMap(({ file, text }) => parseRuleFile(text, file).map((r) => [r.id, r] as const)),
  );
  return builtinCache;
}
