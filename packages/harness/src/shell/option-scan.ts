/**
 * Walks the options in front of a wrapped command or subcommand. Tools differ in which options take
 * a value; an option we do not know is ambiguous, so callers get every plausible reading.
 */
export interface OptionSpec {
  /** Options that take the next argument as their value (`-u root`, `--context prod`). */
  readonly valued: ReadonlySet<string>;
  /** Options that take no value. Anything else starting with `-` is unknown. */
  readonly flags: ReadonlySet<string>;
  /** Options whose presence changes what is run (e.g. `sudo -s`); reported, not skipped blindly. */
  readonly special?: ReadonlySet<string>;
}

export interface OptionScan {
  /** Index of the first operand (the wrapped command or the subcommand). */
  readonly operand: number;
  readonly unknown: string[];
  readonly special: string[];
  /** Values of valued options, in order, as [option, value]. */
  readonly values: [string, string][];
}

export function spec(valued: string, flags: string, special = ''): OptionSpec {
  const set = (s: string) => new Set(s.split(/\s+/).filter(Boolean));
  return { valued: set(valued), flags: set(flags), special: set(special) };
}

/**
 * Scans options from `start`. An unknown option is read as a flag when `unknownTakesValue` is
 * false and as taking the next argument when true, so a caller can try both readings.
 */
export function scanOptions(
  argv: readonly string[],
  start: number,
  s: OptionSpec,
  unknownTakesValue = false,
): OptionScan {
  const result: OptionScan = { operand: argv.length, unknown: [], special: [], values: [] };
  let i = start;
  while (i < argv.length) {
    const a = argv[i] as string;
    if (a === '--') return { ...result, operand: i + 1 };
    if (!a.startsWith('-') || a === '-' || /^-\d+$/.test(a)) {
      if (/^-\d+$/.test(a)) {
        i++;
        continue;
      }
      break;
    }
    if (s.special?.has(a)) result.special.push(a);
    if (s.valued.has(a)) {
      result.values.push([a, argv[i + 1] ?? '']);
      i += 2;
    } else if (s.flags.has(a) || s.special?.has(a)) i++;
    else if (a.startsWith('--') && a.includes('=')) {
      const eq = a.indexOf('=');
      result.values.push([a.slice(0, eq), a.slice(eq + 1)]);
      if (!s.valued.has(a.slice(0, eq)) && !s.flags.has(a.slice(0, eq))) result.unknown.push(a);
      i++;
    } else if (!a.startsWith('--') && a.length > 2) {
      i += scanCluster(a, s, result, argv[i + 1]);
    } else {
      result.unknown.push(a);
      i += unknownTakesValue ? 2 : 1;
    }
  }
  return { ...result, operand: Math.min(i, argv.length) };
}

/** `-euo pipefail`, `-oL`: short options glued together; a valued letter eats the rest or the next arg. */
function scanCluster(a: string, s: OptionSpec, result: OptionScan, next: string | undefined): number {
  for (let k = 1; k < a.length; k++) {
    const opt = `-${a[k]}`;
    if (s.special?.has(opt)) result.special.push(opt);
    if (s.valued.has(opt)) {
      const rest = a.slice(k + 1);
      result.values.push([opt, rest === '' ? (next ?? '') : rest]);
      return rest === '' ? 2 : 1;
    }
    if (!s.flags.has(opt) && !s.special?.has(opt)) {
      result.unknown.push(a);
      return 1;
    }
  }
  return 1;
}
