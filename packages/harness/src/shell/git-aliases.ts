/**
 * Git aliases defined in configuration (the repository's, the user's, the system's, and files they
 * include) are looked up when a command is checked, in the directory it will run in: `git p` with
 * `alias.p = push` is checked as `git push`. git never lets an alias shadow a built-in command, so
 * only other subcommands are looked up, and the configuration is read at most once per lookup.
 */

/** An alias's definition; undefined when there is none; null when the configuration cannot be read. */
export type GitAliasLookup = (name: string) => string | undefined | null;

// git's own commands (`git --list-cmds=main`, helpers left out): no alias can replace them.
const BUILTIN = new Set(
  [
    'add am annotate apply archive bisect blame branch bugreport bundle cat-file check-attr',
    'check-ignore check-mailmap check-ref-format checkout checkout-index cherry cherry-pick clean',
    'clone column commit commit-graph commit-tree config count-objects credential credential-cache',
    'credential-store daemon describe diagnose diff diff-files diff-index diff-tree difftool',
    'fast-export fast-import fetch fetch-pack filter-branch fmt-merge-msg for-each-ref for-each-repo',
    'format-patch fsck fsck-objects gc get-tar-commit-id grep hash-object help hook http-backend',
    'http-fetch http-push imap-send index-pack init init-db instaweb interpret-trailers log ls-files',
    'ls-remote ls-tree mailinfo mailsplit maintenance merge merge-base merge-file merge-index',
    'merge-octopus merge-one-file merge-ours merge-recursive merge-recursive-ours',
    'merge-recursive-theirs merge-resolve merge-subtree merge-tree mergetool mktag mktree',
    'multi-pack-index mv name-rev notes pack-objects pack-redundant pack-refs patch-id pickaxe prune',
    'prune-packed pull push quiltimport range-diff read-tree rebase receive-pack reflog remote',
    'remote-ext remote-fd remote-ftp remote-ftps remote-http remote-https repack replace request-pull',
    'rerere reset restore rev-list rev-parse revert rm send-pack shell shortlog show show-branch',
    'show-index show-ref sparse-checkout stage stash status stripspace submodule subtree switch',
    'symbolic-ref tag unpack-file unpack-objects update-index update-ref update-server-info',
    'upload-archive upload-pack var verify-commit verify-pack verify-tag version whatchanged worktree',
    'write-tree backfill replay last-modified',
  ]
    .join(' ')
    .split(' '),
);

/** True when `git SUB` is git's own command, so no alias applies. */
export function isGitBuiltin(sub: string): boolean {
  return BUILTIN.has(sub);
}

/**
 * A lookup over git's alias configuration, read on first use through `readConfig`: the output of
 * `git config -z --get-regexp '^alias\.'` (`key\nvalue\0` entries; empty when there are none), or
 * null when the configuration cannot be read. The caller supplies the reading, so this stays pure.
 */
export function aliasLookup(readConfig: () => string | null): GitAliasLookup {
  let aliases: Map<string, string> | null | undefined;
  return (name) => {
    if (aliases === undefined) {
      const text = readConfig();
      aliases = text === null ? null : parseAliasConfig(text);
    }
    if (aliases === null) return null;
    return aliases.get(name.toLowerCase());
  };
}

/** `git config -z --get-regexp '^alias\.'` output as name → definition; a later one wins, as in git. */
export function parseAliasConfig(text: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const nl = entry.indexOf('\n');
    if (nl < 0) continue;
    aliases.set(entry.slice('alias.'.length, nl).toLowerCase(), entry.slice(nl + 1));
  }
  return aliases;
}
