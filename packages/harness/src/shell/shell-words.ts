/** Shared shapes of the shell parser's output. */

/** One argv word after quote removal. `dynamic` means its value is only known at run time. */
export interface Word {
  readonly text: string;
  readonly dynamic: boolean;
  /** The word as written, for assignments (`A=b` only counts when `A=` is unquoted). */
  readonly raw: string;
}

export interface Redirection {
  readonly op: string;
  readonly target: string;
}

export type CommandOrigin = 'command' | 'subshell' | 'substitution' | 'process-substitution';

/** A simple command: what the shell would hand to execve (or run as a builtin). */
export interface SimpleCommand {
  readonly words: readonly Word[];
  readonly assignments: readonly string[];
  readonly redirections: readonly Redirection[];
  /** stdin comes from a pipe, here-document or here-string: relevant when the program is a shell. */
  readonly stdinFed: boolean;
  /** What arrives on stdin when it is visible in the line: a here-document, here-string or piped `echo`. */
  readonly stdinText: string | undefined;
  readonly origin: CommandOrigin;
}

export interface ShellParse {
  readonly commands: readonly SimpleCommand[];
  /** Why the line could not be understood with certainty; any entry makes the result at least `prompt`. */
  readonly problems: readonly string[];
}

export const SHELL_KEYWORDS_TRANSPARENT = new Set([
  '!',
  '{',
  '}',
  'then',
  'else',
  'do',
  'done',
  'fi',
  'if',
  'elif',
  'while',
  'until',
]);
