import type { SourceLine } from './lexer.js';
import { isDynamic, lineGuard, type BuiltinCatalogueFile, type BuiltinGuard } from './types.js';

/**
 * The security rules of the shipped catalogue. Secrets (SEC-01, SEC-02) are looked for in every
 * text file, code rules in source files of the languages the guards read.
 */
const secretsMarkdown = `---
paths: "**/*"
category: security
---
# Secrets

## SEC-01: No hard-coded secrets (critical)
A password, API key, token or client secret is written into the source as a literal, or a
well-known credential format (AWS access key id, GitHub token, Slack token, OpenAI/Anthropic key,
Google API key) appears in a file. Anyone who can read the repository can use it.

Read it from the environment or a secret store at run time, and rotate the one that was committed.

## SEC-02: No private keys in the repository (critical)
A PEM private key block (RSA, EC, DSA, OpenSSH, PGP) is committed. Remove it, rotate the key, and
load keys from outside the repository.
`;

const codeMarkdown = `---
paths: ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}", "**/*.py", "**/*.go", "**/*.rs", "**/*.{java,kt,rb,php}"]
category: security
---
# Security

## SEC-03: No eval of strings (high)
\`eval\`, \`new Function\` (JavaScript) or \`eval\`/\`exec\` (Python) run a string as code; if any
part of it comes from input, the input runs. Parse the data instead (JSON.parse, ast.literal_eval)
or dispatch on known names.

## SEC-04: No shell commands built from strings (critical)
A command line built by concatenation, interpolation or formatting is run through a shell
(\`child_process.exec\`, \`os.system\`, \`subprocess\` with \`shell=True\`, \`sh -c\`). Input that
contains \`;\`, \`$()\` or quotes runs its own commands. Pass an argument vector without a shell
(execFile/spawn, subprocess.run([...]), exec.Command(name, args...)).

## SEC-05: No SQL built by concatenation (high)
A SQL statement is assembled from strings and values (\`+\`, template literals, f-strings, \`%\`,
format). Use the driver's placeholders and pass the values as parameters.

## SEC-06: Do not disable TLS verification (high)
Certificate checks are turned off (\`rejectUnauthorized: false\`, NODE_TLS_REJECT_UNAUTHORIZED=0,
\`verify=False\`, \`InsecureSkipVerify: true\`, \`danger_accept_invalid_certs(true)\`, CERT_NONE).
Anyone on the path can then read and change the traffic. Trust the right CA instead.

## SEC-07: No file paths from request input (high)
A path is joined or resolved from request parameters, query, body or form values and then used to
read or send a file. \`../\` in the input reaches files outside the intended directory. Resolve the
path, check it stays under the base directory, or map ids to files.

## SEC-08: No MD5 or SHA-1 for security (medium)
MD5 and SHA-1 are broken for signatures, passwords and integrity against an attacker. Use SHA-256
or better, and a password hash (scrypt, argon2, bcrypt) for passwords.
`;

/** Values that stand for a secret rather than being one. */
const PLACEHOLDER =
  /^(\$\{|\$\(|<|\{\{|%\()|x{4,}|\*{3,}|…|\.\.\.|change_?me|example|sample|your[_-]|dummy|fake|placeholder|redacted|scripted/i;
/** An environment variable's name (`'ANTHROPIC_API_KEY'`) is where a secret is, not the secret. */
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** `KEY=value` without quotes is an assignment only in env, shell and config files. */
const BARE_ASSIGNMENT_FILE = /(^|\/)\.env[^/]*$|\.(env|sh|bash|zsh|ya?ml|toml|ini|cfg|conf|properties)$/;
const SECRET_NAME = String.raw`[A-Za-z0-9_]*(?:password|passwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|access[_-]?token|private[_-]?key|client[_-]?secret)[A-Za-z0-9_]*`;
const ASSIGNED_LITERAL = new RegExp(
  String.raw`\b${SECRET_NAME}["']?\s*(?::=|=|:)\s*["'\`]([^"'\`\s]{8,})["'\`]`,
  'i',
);
const ASSIGNED_BARE = new RegExp(
  String.raw`^\s*(?:export\s+)?${SECRET_NAME}\s*[=:]\s*([^\s"'$#]{8,})\s*$`,
  'i',
);
const TOKEN_FORMATS = [
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/,
  /\bxox[baprs]-[A-Za-z0-9-]{10,}/,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}/,
  /\bAIza[0-9A-Za-z_-]{35}\b/,
];

const hardCodedSecret: BuiltinGuard = {
  ruleId: 'SEC-01',
  skipTests: true,
  check(line, context) {
    if (TOKEN_FORMATS.some((format) => format.test(line.text))) return 'a credential in a well-known format';
    const bare = BARE_ASSIGNMENT_FILE.test(context.file) ? ASSIGNED_BARE.exec(line.text) : null;
    const value = (ASSIGNED_LITERAL.exec(line.text) ?? bare)?.[1];
    if (value === undefined || PLACEHOLDER.test(value) || ENV_NAME.test(value)) return null;
    return looksRandom(value) ? 'a secret assigned as a literal' : null;
  },
};

const EVAL = [/(?<![\w.$])(?<!(?:function|def|fn)\s+)eval\s*\(/, /\bnew\s+Function\s*\(/];
/** A method called eval being defined (`eval(e: Expr): Value {`), not called. */
const EVAL_METHOD =
  /^\s*(?:(?:public|private|protected|static|async|override)\s+)*eval\s*\([^)]*\)\s*(?::[^={]+)?\{/;
/** Python's `exec(source)`; in other languages `exec(` is a process call, which SEC-04 judges. */
const PY_EXEC = /(?<![\w.])exec\s*\((?!\s*\))/;

const evalOfStrings: BuiltinGuard = {
  ruleId: 'SEC-03',
  skipTests: true,
  check(line, context) {
    const python = context.file.endsWith('.py') && PY_EXEC.test(line.code);
    const called = !EVAL_METHOD.test(line.code) && EVAL.some((p) => p.test(line.code));
    return python || called ? 'a string evaluated as code' : null;
  },
};

/** Two or more kinds of character (lower, upper, digit, symbol): a word like "scripted" is no secret. */
function looksRandom(value: string): boolean {
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((kind) => kind.test(value));
  return kinds.length >= 2;
}

const SHELL_CALL = [
  /(?:(?<![\w.$])|\b(?:child_process|childProcess|cp)\.)(?:exec|execSync)\s*\(/,
  /\bos\.(?:system|popen)\s*\(/,
  /\bsubprocess\.\w+\s*\((?=.*\bshell\s*=\s*True)/,
  /\bexec\.Command\(\s*"(?:sh|bash)"\s*,\s*"-c"/,
  /\bCommand::new\(\s*"(?:sh|bash)"\s*\)/,
];

const shellInjection: BuiltinGuard = {
  ruleId: 'SEC-04',
  skipTests: true,
  check(line: SourceLine) {
    for (const call of SHELL_CALL) {
      const match = call.exec(line.code);
      if (!match) continue;
      const from = match.index;
      if (isDynamic(line.text.slice(from), line.code.slice(from)))
        return 'a shell command built from strings';
    }
    return null;
  },
};

const SQL = /["'`]\s*(?:SELECT\s.*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b)/i;

const sqlConcatenation: BuiltinGuard = {
  ruleId: 'SEC-05',
  skipTests: true,
  check: (line) =>
    SQL.test(line.text) && isDynamic(line.text, line.code) ? 'SQL built by concatenation' : null,
};

const TLS_OFF = [
  /\brejectUnauthorized\s*:\s*false\b/,
  /\bverify\s*=\s*False\b/,
  /\bInsecureSkipVerify\s*:\s*true\b/,
  /\bdanger_accept_invalid_certs\s*\(\s*true\s*\)/,
  /\bCERT_NONE\b/,
  /\bcheck_hostname\s*=\s*False\b/,
];

/** Read in code, not strings, so that text about these settings (like this catalogue's) is no finding. */
const tlsDisabled: BuiltinGuard = {
  ruleId: 'SEC-06',
  skipTests: true,
  check(line) {
    const envOff =
      /NODE_TLS_REJECT_UNAUTHORIZED/.test(line.code) &&
      /NODE_TLS_REJECT_UNAUTHORIZED["'\]]*\s*=\s*["']?0/.test(line.text);
    return envOff || TLS_OFF.some((p) => p.test(line.code)) ? 'TLS certificate verification disabled' : null;
  },
};

export const securityCatalogue: readonly BuiltinCatalogueFile[] = [
  {
    name: 'secrets.md',
    markdown: secretsMarkdown,
    guards: [
      hardCodedSecret,
      lineGuard(
        'SEC-02',
        'raw',
        /-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/,
        'a private key block',
        { skipTests: false },
      ),
    ],
  },
  {
    name: 'security.md',
    markdown: codeMarkdown,
    guards: [
      evalOfStrings,
      shellInjection,
      sqlConcatenation,
      tlsDisabled,
      lineGuard(
        'SEC-07',
        'code',
        /\b(?:path\.(?:join|resolve)|os\.path\.join|filepath\.Join|path\.Join|sendFile|send_file)\s*\(.*(?:\b(?:req|request)\.(?:params|query|body|args|form|files|GET|POST|values)\b|\br\.URL\.|\bFormValue\s*\(|\.Param\s*\()/,
        'a file path joined from request input',
      ),
      lineGuard(
        'SEC-08',
        'text',
        [
          /\bcreateHash\(\s*["'](?:md5|sha1)["']/i,
          /\bhashlib\.(?:md5|sha1)\s*\(/,
          /"crypto\/(?:md5|sha1)"/,
          /\b(?:Md5|Sha1)::new\b/,
          /MessageDigest\.getInstance\(\s*"(?:MD5|SHA-?1)"/i,
        ],
        'MD5 or SHA-1 used',
      ),
    ],
  },
];
