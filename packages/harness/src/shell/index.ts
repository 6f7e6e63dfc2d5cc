/**
 * shell: what a shell line would run, worked out without running it — pure, no Node imports. It
 * exports `parseShell` (a line split into every simple command it would run, with the words known
 * only at run time marked) and its types `ShellParse`, `SimpleCommand`, `Word`, `CommandOrigin`;
 * `shlexSplit`, `shlexJoin`, `ShlexError` (POSIX quoting); the command analysis `analyzeCommand`,
 * `isPlainCommand`, `CommandContext`, `viewOf`, `CommandView`, `Analysis` (through wrappers such
 * as `sudo` or `env`, `sh -c` strings, awk/sed/python code, global options, git config and
 * aliases); option matching for prefix rules (`optionPattern`, `commandOptions`, `matchOptions`,
 * `OptionPattern`, `CommandOptions`, `PrefixPattern`); git aliases (`GitAliasLookup`,
 * `aliasLookup`); the scripts a line runs from files (`scriptRunsOf`, `writtenPaths`,
 * `packageScriptText`, `isShellShebang`, `RunPart`, `ScriptRun`) and the Makefile recipes
 * `make` would run (`makeRecipes`, `MakeInvocation`). Whatever must be read — files, git's alias
 * configuration — comes in through a port the caller supplies (`FileReader`, the `readConfig` of
 * `aliasLookup`). Depends on nothing.
 */
export { parseShell } from './shell-parser.js';
export type { CommandOrigin, ShellParse, SimpleCommand, Word } from './shell-words.js';
export { shlexJoin, shlexSplit, ShlexError } from './shlex.js';
export { analyzeCommand, isPlainCommand, unique, type CommandContext } from './command-analysis.js';
export { viewOf, type Analysis, type CommandView } from './command-view.js';
export {
  commandOptions,
  matchOptions,
  optionPattern,
  type CommandOptions,
  type OptionPattern,
  type PrefixPattern,
} from './option-match.js';
export { aliasLookup, type GitAliasLookup } from './git-aliases.js';
export { makeRecipes, type MakeInvocation } from './make-files.js';
export {
  isShellShebang,
  packageScriptText,
  scriptRunsOf,
  writtenPaths,
  type RunPart,
  type ScriptRun,
} from './script-runs.js';
export type { FileReader } from './file-reader.js';
