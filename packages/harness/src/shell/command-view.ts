/** A way of reading one simple command: the argv as written, or what a wrapper will really run. */
export interface CommandView {
  readonly argv: readonly string[];
  /** Parallel to argv: true where the value is only known at run time (`$X`, globs, `{}`). */
  readonly dynamic: readonly boolean[];
  /** More arguments will be appended at run time (`xargs rm`), so longer patterns may match. */
  readonly openTail: boolean;
  /** How this view was derived, for people reading the result. */
  readonly via: string;
}

/** What the analysis of one command found besides its views. */
export interface Analysis {
  readonly views: CommandView[];
  /** Shell code that will run too (`bash -c`, `eval`, git `!` aliases); parsed and checked recursively. */
  readonly scripts: { readonly script: string; readonly via: string }[];
  /** Reasons that always raise the command to at least `prompt`. */
  readonly floors: string[];
  /** Reasons that raise the command to `prompt` unless a rule explicitly decided it (opaque code). */
  readonly opaque: string[];
}

export function emptyAnalysis(): Analysis {
  return { views: [], scripts: [], floors: [], opaque: [] };
}

export function viewOf(
  argv: readonly string[],
  dynamic?: readonly boolean[],
  via = 'as written',
): CommandView {
  return { argv, dynamic: dynamic ?? argv.map(() => false), openTail: false, via };
}

/** The tokens from `from` on (the wrapped command), keeping dynamic flags aligned. */
export function subView(view: CommandView, from: number, via: string, openTail = view.openTail): CommandView {
  return { argv: view.argv.slice(from), dynamic: view.dynamic.slice(from), openTail, via };
}

/** A new view built from chosen token indices of an existing one (global options removed). */
export function pickView(view: CommandView, indices: readonly number[], via: string): CommandView {
  return {
    argv: indices.map((i) => view.argv[i] as string),
    dynamic: indices.map((i) => view.dynamic[i] as boolean),
    openTail: view.openTail,
    via,
  };
}

export function programName(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash >= 0 ? token.slice(slash + 1) : token;
}
