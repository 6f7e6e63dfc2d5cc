import { securityCatalogue } from './security.js';
import { languageCatalogue } from './languages.js';
import type { BuiltinCatalogueFile, BuiltinGuard } from './types.js';

/**
 * The shipped catalogue: rule files as markdown (TypeScript modules, so the bundled CLI carries
 * them with no files to find at run time) and, for every rule, the in-process guard that finds it.
 */
export const BUILTIN_PREFIX = 'builtin:';

const files: readonly BuiltinCatalogueFile[] = [...securityCatalogue, ...languageCatalogue];

/** Each file's name (`builtin:security.md`) and markdown. */
export function builtinRuleFiles(): { file: string; text: string }[] {
  return files.map((f) => ({ file: `${BUILTIN_PREFIX}${f.name}`, text: f.markdown }));
}

/** The guard of every built-in rule, by rule id. */
export function builtinGuards(): ReadonlyMap<string, BuiltinGuard> {
  return new Map(files.flatMap((f) => f.guards.map((g) => [g.ruleId, g] as const)));
}

export { lexLines, type SourceLine } from './lexer.js';
export { isTestFile, type BuiltinGuard, type FileContext } from './types.js';
