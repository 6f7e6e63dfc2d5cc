import { type Analysis, type CommandView, subView } from './command-view.js';
import { scanOptions, spec, type OptionSpec } from './option-scan.js';

/**
 * Programs that run another program given on their command line. The wrapped command is checked as
 * well as the wrapper, so `sudo rm -rf /`, `timeout 5 git push` or `xargs rm` cannot hide it.
 */
interface WrapperSpec {
  readonly options: OptionSpec;
  /** Operands between the options and the wrapped command (`timeout DURATION`, `chroot DIR`). */
  readonly positional?: number;
  /** `NAME=value` operands before the command (`env`). */
  readonly assignments?: boolean;
  /** The wrapper appends arguments of its own (`xargs`), so the wrapped command has an open tail. */
  readonly openTail?: boolean;
  /** With one of these options the operands are joined and run by a shell (`sudo -s`, `watch`). */
  readonly viaShell?: (special: readonly string[]) => boolean;
  /** An option whose value is shell code (`su -c`, `flock -c`, `env -S`). */
  readonly scriptOption?: ReadonlySet<string>;
  /** With one of these options nothing is executed (`command -v`). */
  readonly inert?: ReadonlySet<string>;
}

const S = (s: string) => new Set(s.split(' '));

const WRAPPERS: Record<string, WrapperSpec> = {
  env: {
    options: spec('-u --unset -C --chdir -S --split-string', '-i --ignore-environment -0 --null -v --debug'),
    assignments: true,
    scriptOption: S('-S --split-string'),
  },
  sudo: {
    options: spec(
      '-u --user -g --group -h --host -p --prompt -C --close-from -D --chdir -r --role -t --type -U --other-user -T --command-timeout -R --chroot',
      '-A --askpass -b --background -E --preserve-env -H --set-home -k --reset-timestamp -K -n --non-interactive -P --preserve-groups -S --stdin -N --no-update',
      '-s --shell -i --login -l --list -v --validate -e --edit',
    ),
    viaShell: (sp) => sp.some((o) => ['-s', '--shell', '-i', '--login'].includes(o)),
    inert: S('-l --list -v --validate -e --edit'),
  },
  doas: { options: spec('-u -C', '-n -L', '-s'), viaShell: (sp) => sp.includes('-s') },
  runuser: { options: spec('-u --user -g --group -G --supp-group', '-l --login'), positional: 0 },
  su: {
    options: spec(
      '-g --group -G --supp-group -s --shell -w',
      '- -l --login -m -p --preserve-environment -P --pty',
    ),
    scriptOption: S('-c --command'),
    positional: 0,
    inert: S(''),
  },
  nice: { options: spec('-n --adjustment', '') },
  nohup: { options: spec('', '') },
  setsid: { options: spec('', '-c --ctty -f --fork -w --wait') },
  timeout: {
    options: spec('-s --signal -k --kill-after', '--preserve-status --foreground -v --verbose'),
    positional: 1,
  },
  stdbuf: { options: spec('-i --input -o --output -e --error', '') },
  ionice: { options: spec('-c --class -n --classdata -p --pid -P --pgid -u --uid', '-t --ignore') },
  taskset: { options: spec('', '-a --all-tasks -c --cpu-list -p --pid'), positional: 1 },
  chroot: { options: spec('--userspec --groups', '--skip-chdir'), positional: 1 },
  exec: { options: spec('-a', '-c -l') },
  command: { options: spec('', '-p', '-v -V'), inert: S('-v -V') },
  builtin: { options: spec('', '') },
  time: { options: spec('-f --format -o --output', '-p --portability -v --verbose -a --append -q --quiet') },
  busybox: { options: spec('', '') },
  unbuffer: { options: spec('', '-p') },
  caffeinate: { options: spec('-t -w', '-d -i -m -s -u') },
  flock: {
    options: spec(
      '-w --wait --timeout -E --conflict-exit-code',
      '-s --shared -x -e --exclusive -u --unlock -n --nb --nonblock -o --close -F --no-fork --verbose',
    ),
    positional: 1,
    scriptOption: S('-c --command'),
  },
  xargs: {
    options: spec(
      '-a --arg-file -d --delimiter -E -I -L -n --max-args -P --max-procs -s --max-chars --process-slot-var',
      '-0 --null -r --no-run-if-empty -t --verbose -p --interactive -x --exit -o --open-tty',
    ),
    openTail: true,
  },
  strace: {
    options: spec(
      '-e --expr -o --output -p --attach -s --string-limit -u --user -E --env -a --columns -b --detach-on -I --interruptible -O -P --trace-path -S --summary-sort-by -X --const-print-style',
      '-c --summary-only -C --summary -d --debug -D --daemonize -f --follow-forks -ff --output-separately -F -h --help -i --instruction-pointer -k --stack-trace -n --syscall-number -q --quiet -qq -r --relative-timestamps -t --absolute-timestamps -tt -ttt -T --syscall-times -v --no-abbrev -V --version -w --summary-wall-clock -x -xx -y --decode-fds -yy -z --successful-only -Z --failed-only',
    ),
  },
  ltrace: {
    options: spec(
      '-e -o --output -p -s -u -a --align -A -b -D --debug -F --config -l --library -n --indent -w --where',
      '-c -C --demangle -f -h --help -i -L -r -S -t -tt -ttt -T -V --version -x',
    ),
  },
  script: {
    options: spec(
      '-c --command -E --echo -I --log-in -O --log-out -B --log-io -T --log-timing -m --logging-format -o --output-limit',
      '-a --append -e --return -f --flush --force -q --quiet',
    ),
    scriptOption: S('-c --command'),
    // The operand is the typescript file, not a command.
    positional: 1,
  },
  parallel: {
    options: spec(
      '-j --jobs -P --max-procs -S --sshlogin --delay --timeout --results --joblog -a --arg-file --colsep -d --delimiter -E -I -n --max-args -N --max-replace-args',
      '-k --keep-order -q --quote --dry-run --dryrun -v --verbose --tag -0 --null --bar --progress --eta -u --ungroup --line-buffer -X -m --xargs',
    ),
    // GNU parallel hands the command, with the arguments it adds, to a shell.
    openTail: true,
    viaShell: () => true,
  },
  watch: {
    options: spec(
      '-n --interval -q --equexit',
      '-d --differences -t --no-title -b --beep -e --errexit -g --chgexit -c --color -p --precise -w --no-wrap',
      '-x --exec',
    ),
    viaShell: (sp) => !sp.includes('-x') && !sp.includes('--exec'),
  },
};

export function isWrapper(program: string): boolean {
  return Object.hasOwn(WRAPPERS, program);
}

export const WRAPPER_NAMES: readonly string[] = Object.keys(WRAPPERS);

/** The command a wrapper runs, added to `out`; returns the inner view to analyse further, if any. */
export function unwrap(program: string, view: CommandView, out: Analysis): CommandView | undefined {
  const w = WRAPPERS[program] as WrapperSpec;
  if (program === 'su' || program === 'runuser') return suCommand(program, view, out);
  const scan = scanOptions(view.argv, 1, w.options);
  for (const u of scan.unknown) out.opaque.push(`unrecognised option \`${u}\` of \`${program}\``);
  for (const [opt, value] of scan.values) {
    if (w.scriptOption?.has(opt)) out.scripts.push({ script: value, via: `${program} ${opt}` });
  }
  if (scan.special.some((o) => w.inert?.has(o))) return undefined;
  let start = scan.operand + (w.positional ?? 0);
  if (w.assignments) while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(view.argv[start] ?? '')) start++;
  const tail = view.argv[start];
  if (tail !== undefined && w.scriptOption?.has(tail)) {
    // `flock FILE -c CMD`: the script option comes after the operand.
    out.scripts.push({ script: view.argv[start + 1] ?? '', via: `${program} ${tail}` });
    return undefined;
  }
  const via = `run by ${program}`;
  if (start >= view.argv.length) {
    if (program === 'xargs') return { argv: ['echo'], dynamic: [false], openTail: true, via };
    if (w.viaShell?.(scan.special)) out.opaque.push(`\`${program}\` opens an interactive shell`);
    return undefined;
  }
  if (w.viaShell?.(scan.special)) {
    if (view.dynamic.slice(start).some(Boolean))
      out.floors.push(`the command run by \`${program}\` is computed at run time`);
    out.scripts.push({ script: view.argv.slice(start).join(' '), via });
  }
  return subView(view, start, via, view.openTail || Boolean(w.openTail));
}

/** `env` assignments count like leading `VAR=x` assignments. */
export function wrapperAssignments(program: string, view: CommandView): string[] {
  if (program !== 'env') return [];
  const scan = scanOptions(view.argv, 1, (WRAPPERS.env as WrapperSpec).options);
  const out: string[] = [];
  for (let i = scan.operand; /^[A-Za-z_][A-Za-z0-9_]*=/.test(view.argv[i] ?? ''); i++)
    out.push(view.argv[i] as string);
  return out;
}

/**
 * `su [user] -c CMD` and `runuser [user] -c CMD`: options may follow the user name, so look at
 * every argument. `runuser -u USER -- CMD ARGS` runs CMD directly.
 */
function suCommand(program: string, view: CommandView, out: Analysis): CommandView | undefined {
  const via = `${program} -c`;
  view.argv.forEach((a, i) => {
    if (a === '-c' || a === '--command') out.scripts.push({ script: view.argv[i + 1] ?? '', via });
    else if (a.startsWith('--command=')) out.scripts.push({ script: a.slice('--command='.length), via });
  });
  if (view.dynamic.some(Boolean))
    out.floors.push(`the command run by \`${program}\` is computed at run time`);
  const dashes = view.argv.indexOf('--');
  if (program !== 'runuser' || dashes < 0 || dashes + 1 >= view.argv.length) return undefined;
  return subView(view, dashes + 1, `run by ${program}`, view.openTail);
}
