/**
 * The starter policy `harness init` writes to `.harness/policy/default.star`. It is code, not a
 * file beside the bundle, so the built CLI carries it. Every rule has `match`/`not_match` examples:
 * the policy loader checks them when the file loads, so a rule edited into nonsense fails loudly.
 */
export const starterPolicy = `# Harness execution policy for this project, written by \`harness init\`.
# Every command an agent wants to run is checked against these rules before it runs (compound
# commands, \`bash -c\`, sudo/env/xargs wrappers and git aliases are split and each part checked).
# The strictest decision wins: allow < prompt < forbidden. "prompt" stops the turn unless
# rules.on_prompt = "needs_input" is configured, in which case the task waits for a person.
# Rules match words as written (no globs); options match however they are spelled
# (\`rm -r -f\` is \`rm -rf\`). \`match\`/\`not_match\` are examples the loader checks on every load.
# Check a command by hand:  harness rule check . -- git push --force origin main

# Rewriting or deleting the remote's history.
prefix_rule(
    pattern = ["git", "push", ["--force", "-f", "--force-with-lease", "--mirror", "--delete"]],
    decision = "forbidden",
    justification = "rewrites or deletes history on the remote",
    match = [["git", "push", "--force", "origin", "main"], ["git", "push", "--delete", "origin", "main"]],
    not_match = [["git", "push", "origin", "topic"], ["git", "pull", "--force"]],
)

# Harness pushes the task's branch and opens the pull request itself.
prefix_rule(
    pattern = ["git", "push"],
    decision = "prompt",
    justification = "Harness pushes the task's branch itself; an agent's push needs a person",
    match = [["git", "push", "origin", "topic"]],
    not_match = [["git", "pull"], ["git", "status"]],
)

# History rewrites and discarding work.
prefix_rule(
    pattern = ["git", ["filter-branch", "filter-repo"]],
    decision = "forbidden",
    justification = "rewrites the whole history",
    match = [["git", "filter-branch", "--all"]],
    not_match = [["git", "log"]],
)
prefix_rule(
    pattern = ["git", "reset", "--hard"],
    decision = "prompt",
    justification = "discards commits and uncommitted work",
    match = [["git", "reset", "--hard", "HEAD~3"]],
    not_match = [["git", "reset", "HEAD", "file.txt"]],
)
prefix_rule(
    pattern = ["git", "update-ref", "-d"],
    decision = "forbidden",
    justification = "deletes a ref outright",
    match = [["git", "update-ref", "-d", "refs/heads/main"]],
    not_match = [["git", "update-ref", "refs/heads/topic", "HEAD"]],
)

# Recursive deletes of the file system root, the home directory or a parent of the worktree.
prefix_rule(
    pattern = ["rm", ["-rf", "-fr"], ["/", "/*", "~", "~/", "$HOME", "..", "../"]],
    decision = "forbidden",
    justification = "deletes outside the worktree",
    match = [["rm", "-rf", "/"], ["rm", "-rf", "~"], ["rm", "-rf", ".."]],
    not_match = [["rm", "-rf", "build"], ["rm", "file.txt"]],
)

# Fetching from the network: \`curl … | sh\` runs whatever the download contains.
prefix_rule(
    pattern = [["curl", "wget"]],
    decision = "prompt",
    justification = "reaches the network; piping a download into a shell runs unreviewed code",
    match = [["curl", "-fsSL", "https://example.com/install.sh"], ["wget", "https://example.com/x"]],
    not_match = [["git", "fetch"]],
)

# Reading credentials. Rules match exact words: list the files your machine keeps secrets in.
prefix_rule(
    pattern = [
        ["cat", "less", "more", "head", "tail", "cp", "scp", "base64", "xxd", "grep"],
        [
            "~/.ssh", "~/.ssh/id_rsa", "~/.ssh/id_ed25519", "~/.aws/credentials", "~/.aws/config",
            "~/.netrc", "~/.npmrc", "~/.pypirc", "~/.docker/config.json", "~/.config/gh/hosts.yml",
            ".env", ".env.local", ".env.production",
        ],
    ],
    decision = "forbidden",
    justification = "reads credentials",
    match = [["cat", "~/.ssh/id_rsa"], ["cat", ".env"], ["cp", "~/.aws/credentials", "/tmp/x"]],
    not_match = [["cat", "README.md"], ["cat", ".env.example"]],
)
`;
