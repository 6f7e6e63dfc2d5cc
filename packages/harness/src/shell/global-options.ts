import { type CommandView, pickView } from './command-view.js';
import { scanOptions, spec, type OptionSpec } from './option-scan.js';

/**
 * Global options that may stand between a tool and its subcommand. Prefix rules are written against
 * `tool subcommand …`, so `git -C dir push`, `kubectl --context prod delete` or `npm -C dir publish`
 * are also checked with these options removed. Covered tools are listed here and nowhere else.
 */
const K8S = spec(
  '--context --kubeconfig -n --namespace --cluster --user -s --server --token --as --as-group --as-uid --request-timeout --cache-dir --certificate-authority --client-certificate --client-key --tls-server-name --username --password -v --v --vmodule --log-file --profile --profile-output',
  '--insecure-skip-tls-verify --match-server-version --warnings-as-errors --disable-compression',
);
const CONTAINERS = spec(
  '--context -c --config -H --host -l --log-level --tlscacert --tlscert --tlskey --connection --url --root --runroot --storage-driver --namespace -n --address -a',
  '-D --debug --tls --tlsverify --remote -r',
);

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  git: spec(
    '-c -C --git-dir --work-tree --namespace --super-prefix --config-env --list-cmds',
    '--no-pager -p --paginate -P --bare --no-replace-objects --literal-pathspecs --glob-pathspecs --noglob-pathspecs --icase-pathspecs --no-optional-locks --no-lazy-fetch --no-advice --exec-path',
  ),
  kubectl: K8S,
  oc: K8S,
  helm: spec(
    '--kube-context --kubeconfig -n --namespace --kube-apiserver --kube-as-user --kube-as-group --kube-ca-file --kube-token --kube-tls-server-name --registry-config --repository-cache --repository-config --burst-limit --qps',
    '--debug --kube-insecure-skip-tls-verify',
  ),
  docker: CONTAINERS,
  podman: CONTAINERS,
  nerdctl: CONTAINERS,
  npm: spec(
    '-C --prefix -w --workspace --userconfig --registry --cache --loglevel',
    '-g --global -s --silent -q --quiet -d -dd -ddd --verbose -ws --workspaces --include-workspace-root -y --yes --no-color',
  ),
  pnpm: spec(
    '-C --dir --filter -F --loglevel --reporter --workspace-dir',
    '-r --recursive -w --workspace-root -s --silent --stream --parallel -g --global --aggregate-output',
  ),
  yarn: spec('--cwd', '-s --silent --verbose --offline --frozen-lockfile --non-interactive'),
  cargo: spec('-C --config -Z --color', '-v -vv -q --verbose --quiet --frozen --locked --offline'),
  terraform: spec('', ''),
  aws: spec(
    '--profile --region --output --endpoint-url --ca-bundle --cli-read-timeout --cli-connect-timeout --query --color',
    '--debug --no-verify-ssl --no-paginate --no-cli-pager --no-sign-request --cli-auto-prompt',
  ),
  systemctl: spec(
    '-H --host -M --machine -t --type -p --property',
    '--user --system --no-pager -q --quiet --now --no-block --global',
  ),
};

export function hasGlobalOptions(tool: string): boolean {
  return Object.hasOwn(GLOBAL_OPTIONS, tool);
}

/** Tool-specific prefixes that are not options in the usual form: `cargo +nightly`, `terraform -chdir=x`. */
function isToolPrefix(tool: string, token: string): boolean {
  if (tool === 'cargo') return token.startsWith('+');
  if (tool === 'terraform') return token.startsWith('-chdir=');
  return false;
}

/**
 * The readings of `view` with its global options removed. Unknown options are ambiguous (flag, or
 * option with a value?), so both readings are returned; rules then see every candidate subcommand.
 */
export function withoutGlobalOptions(tool: string, view: CommandView): CommandView[] {
  // Own properties only: `toString -x` or `constructor -x` must not find Object.prototype members.
  if (!hasGlobalOptions(tool)) return [];
  const s = GLOBAL_OPTIONS[tool] as OptionSpec;
  let start = 1;
  while (start < view.argv.length && isToolPrefix(tool, view.argv[start] as string)) start++;
  const readings = new Map<number, CommandView>();
  for (const unknownTakesValue of [false, true]) {
    const scan = scanOptions(view.argv, start, s, unknownTakesValue);
    if (scan.operand === 1 || scan.operand >= view.argv.length || readings.has(scan.operand)) continue;
    const keep = [0];
    for (let i = scan.operand; i < view.argv.length; i++) keep.push(i);
    readings.set(scan.operand, pickView(view, keep, `${tool} global options removed`));
    if (scan.unknown.length === 0) break;
  }
  return [...readings.values()];
}

/** `-c key=value` pairs and `--config-env=key=ENV` given to git before the subcommand. */
export function gitConfigPairs(view: CommandView): { key: string; value: string; dynamic: boolean }[] {
  const scan = scanOptions(view.argv, 1, GLOBAL_OPTIONS.git as OptionSpec);
  const pairs: { key: string; value: string; dynamic: boolean }[] = [];
  for (const [opt, raw] of scan.values) {
    if (opt !== '-c' && opt !== '--config-env') continue;
    const eq = raw.indexOf('=');
    const key = (eq < 0 ? raw : raw.slice(0, eq)).toLowerCase();
    pairs.push({ key, value: eq < 0 ? 'true' : raw.slice(eq + 1), dynamic: opt === '--config-env' });
  }
  return pairs;
}
