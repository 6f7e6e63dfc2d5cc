/**
 * shell: what a shell line would run, worked out without running it — pure, no Node imports. It
 * exports `parseShell` (a line split into every simple command it would run, with the words known
 * only at run time marked) and its types `ShellParse`, `SimpleCommand`, `Word`, `CommandOrigin`;
 * `shlexSplit`, `shlexJoin`, `ShlexError` (POSIX quoting); the command analysis `analyzeCommand`,
 * `isPlainCommand`, `CommandContext`, `viewOf`, `emptyAnalysis`, `CommandView`, `Analysis` (through
 * wrappers such as `sudo` or `env`, `sh -c` strings, awk/sed/python code, global options, git config
 * and aliases); `isWrapper` and `unwrap`; option matching for prefix rules (`optionPattern`,
 * `commandOptions`, `matchOptions`, `OptionPattern`, `CommandOptions`, `PrefixPattern`); git aliases
 * (`GitAliasLookup`, `aliasLookup`, `parseAliasConfig`); Makefiles (`MAKE_PROGRAMS`,
 * `makeInvocation`, `makefileOf`, `makeRecipes`, `MakeInvocation`); the scripts a line runs from
 * files (`scriptRunsOf`, `writtenPaths`, `packageScriptText`, `isShellShebang`, `RunPart`,
 * `ScriptRun`); and POSIX path arithmetic (`resolvePath`, `joinPath`, `baseName`, `dirName`).
 * Whatever must be read — files, git's alias configuration — comes in through a port the caller
 * supplies (`FileReader`, the `readConfig` of `aliasLookup`). Depends on nothing.
 */
export { parseShell } from './shell-parser.js';
export type { CommandOrigin, ShellParse, SimpleCommand, Word } from './shell-words.js';
export { shlexJoin, shlexSplit, ShlexError } from './shlex.js';
export { analyzeCommand, isPlainCommand, type CommandContext } from './command-analysis.js';
export { emptyAnalysis, viewOf, type Analysis, type CommandView } from './command-view.js';
export { isWrapper, unwrap } from './wrappers.js';
export {
  commandOptions,
  matchOptions,
  optionPattern,
  type CommandOptions,
  type OptionPattern,
  type PrefixPattern,
} from './option-match.js';
export { aliasLookup, parseAliasConfig, type GitAliasLookup } from './git-aliases.js';
export { MAKE_PROGRAMS, makefileOf, makeInvocation, makeRecipes, type MakeInvocation } from './make-files.js';
export {
  isShellShebang,
  packageScriptText,
  scriptRunsOf,
  writtenPaths,
  type RunPart,
  type ScriptRun,
} from './script-runs.js';
export type { FileReader } from './file-reader.js';
export { baseName, dirName, joinPath, resolvePath } from './posix-path.js';
