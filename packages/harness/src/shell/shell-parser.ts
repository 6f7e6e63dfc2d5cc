import {
  SHELL_KEYWORDS_TRANSPARENT,
  type CommandOrigin,
  type Redirection,
  type ShellParse,
  type SimpleCommand,
  type Word,
} from './shell-words.js';
import { readWord, skipParens } from './shell-word-reader.js';

/**
 * A POSIX-sh (plus common bash) parser that only cares about one question: which simple commands
 * would this line run? It understands quoting, operators, subshells, groups, command and process
 * substitutions, here-documents and redirections; everything it cannot follow with certainty is
 * recorded as a problem so the caller can refuse to allow it silently.
 */
const META = new Set([' ', '\t', '\n', '\r', ';', '&', '|', '<', '>', '(', ')']);
const MAX_DEPTH = 24;
const MAX_SOURCE = 256 * 1024;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const REDIRECT_OPS = ['<<<', '<<-', '<<', '<&', '<>', '<', '>>', '>&', '>|', '>', '&>>', '&>'];
const CONTROL_OPS = [';;&', ';;', ';&', '&&', '||', '|&', ';', '|', '&'];
const UNSUPPORTED_KEYWORDS = new Set(['case', 'esac', 'function', 'coproc', 'select']);

interface StdinHolder {
  text?: string;
  /** The command piped into this one; its output is worked out lazily (here-documents come later). */
  from?: SimpleCommand;
}

interface Heredoc {
  readonly holder: StdinHolder;
  readonly delimiter: string;
  readonly quoted: boolean;
  readonly stripTabs: boolean;
}

type ParsedCommand = { -readonly [K in keyof SimpleCommand]: SimpleCommand[K] };

interface Sink {
  readonly commands: SimpleCommand[];
  readonly problems: string[];
  /** Commands fed on stdin, whose text is known only at the end (here-documents follow the line). */
  readonly fed: { readonly command: ParsedCommand; readonly holder: StdinHolder }[];
}

export function parseShell(source: string): ShellParse {
  const sink: Sink = { commands: [], problems: [], fed: [] };
  if (source.length > MAX_SOURCE) {
    sink.problems.push(`command line longer than ${MAX_SOURCE} bytes`);
    return { commands: sink.commands, problems: sink.problems };
  }
  new ShellParser(source, 0, sink).parseProgram();
  // In order: a command piped from another reads that one's stdin text (`cat <<EOF | sh`).
  for (const { command, holder } of sink.fed)
    command.stdinText = holder.text ?? (holder.from ? pipedText(holder.from) : undefined);
  return { commands: sink.commands, problems: sink.problems };
}

class ShellParser {
  pos = 0;
  private pendingHeredocs: Heredoc[] = [];

  constructor(
    readonly src: string,
    private readonly depth: number,
    private readonly sink: Sink,
  ) {}

  parseProgram(): void {
    this.parseList(undefined, 'command');
    if (this.pendingHeredocs.length > 0) this.problem('here-document without a body');
  }

  problem(message: string): void {
    if (!this.sink.problems.includes(message)) this.sink.problems.push(message);
  }

  /** Parses commands until the end, or until the `)` closing a subshell/substitution (true if found). */
  private parseList(closer: ')' | undefined, origin: CommandOrigin): boolean {
    let piped = false;
    let pipedFrom: SimpleCommand | undefined;
    let last: SimpleCommand | undefined;
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.src.length) return closer === undefined;
      const ch = this.src[this.pos] as string;
      if (ch === '#') this.skipComment();
      else if (ch === ')') {
        this.pos++;
        if (closer) return true;
        this.problem('unbalanced `)`');
      } else if (ch === '\n') {
        this.pos++;
        this.readHeredocBodies();
        last = undefined;
        piped = false;
      } else if (this.readControlOperator(ch)) {
        const op = this.lastOp;
        if (op.startsWith(';;') || op === ';&') this.problem('`case` statements are not supported');
        piped = op === '|' || op === '|&';
        pipedFrom = piped ? last : undefined;
        last = undefined;
      } else if (ch === '(') {
        this.pos++;
        if (this.src[this.pos] === '(') this.skipArithmetic(1);
        else if (!this.nestedList(origin === 'command' ? 'subshell' : origin))
          this.problem('unterminated subshell `(`');
      } else {
        last = this.parseSimpleCommand(origin, piped, pipedFrom);
        piped = false;
        pipedFrom = undefined;
      }
    }
  }

  private lastOp = '';

  private readControlOperator(ch: string): boolean {
    if (ch !== ';' && ch !== '&' && ch !== '|') return false;
    if (this.src.startsWith('&>', this.pos)) return false;
    const op = CONTROL_OPS.find((o) => this.src.startsWith(o, this.pos)) as string;
    this.pos += op.length;
    this.lastOp = op;
    return true;
  }

  private parseSimpleCommand(
    origin: CommandOrigin,
    piped: boolean,
    pipedFrom: SimpleCommand | undefined,
  ): SimpleCommand | undefined {
    const words: Word[] = [];
    const redirections: Redirection[] = [];
    const holder: StdinHolder = {};
    let stdinFed = piped;
    if (pipedFrom) holder.from = pipedFrom;
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.src.length) break;
      const ch = this.src[this.pos] as string;
      if (ch === '\n' || ch === '\r' || ch === ';' || ch === '|' || ch === ')') break;
      if (ch === '&' && !this.src.startsWith('&>', this.pos)) break;
      if (ch === '#') {
        this.skipComment();
        break;
      }
      if (ch === '(') {
        if (words.length > 0 && /^\(\s*\)/.test(this.src.slice(this.pos))) {
          // `name() { … }`: the body is parsed as ordinary commands right after this.
          this.problem('function definitions are not supported');
          this.pos = this.src.indexOf(')', this.pos) + 1;
          return undefined;
        }
        this.problem('unexpected `(`');
        this.pos++;
        this.nestedList(origin);
        continue;
      }
      if (ch === '<' || ch === '>' || ch === '&') {
        const fed = this.readRedirection(words, redirections, holder);
        stdinFed ||= fed;
        continue;
      }
      const word = readWord(this);
      if (word) words.push(word);
    }
    return this.finishCommand(words, redirections, stdinFed, origin, holder);
  }

  private finishCommand(
    words: Word[],
    redirections: Redirection[],
    stdinFed: boolean,
    origin: CommandOrigin,
    holder: StdinHolder,
  ): SimpleCommand | undefined {
    const assignments: string[] = [];
    let i = 0;
    for (;;) {
      const w = words[i];
      if (!w) break;
      if (ASSIGNMENT.test(w.raw)) assignments.push(w.text);
      else if (w.raw === w.text && SHELL_KEYWORDS_TRANSPARENT.has(w.text)) {
        // `if`, `then`, `do`, `{`, `!` … only frame commands; what follows them is the command.
      } else break;
      i++;
    }
    const argv = words.slice(i);
    const first = argv[0];
    if (first && first.raw === first.text && (first.text === 'for' || first.text === 'in')) return undefined;
    if (first && first.raw === first.text && UNSUPPORTED_KEYWORDS.has(first.text)) {
      this.problem(`\`${first.text}\` is not supported`);
    }
    if (argv.length === 0 && assignments.length === 0 && redirections.length === 0) return undefined;
    const command: ParsedCommand = {
      words: argv,
      assignments,
      redirections,
      stdinFed,
      origin,
      stdinText: undefined,
    };
    // Here-document bodies are read after the command line: parseShell fills stdinText in at the end.
    if (stdinFed) this.sink.fed.push({ command, holder });
    this.sink.commands.push(command);
    return command;
  }

  /** Returns true when the redirection feeds the command's stdin. */
  private readRedirection(words: Word[], redirections: Redirection[], holder: StdinHolder): boolean {
    if (
      (this.src.startsWith('<(', this.pos) || this.src.startsWith('>(', this.pos)) &&
      !this.src.startsWith('<((', this.pos)
    ) {
      this.pos += 2;
      if (!this.nestedList('process-substitution')) this.problem('unterminated process substitution');
      words.push({ text: '<(…)', raw: '<(…)', dynamic: true });
      return false;
    }
    // A number glued to the operator (`2>err`) is a file descriptor, not an argument.
    const last = words[words.length - 1];
    if (last && /^\d+$/.test(last.raw) && this.prevCharIsWord()) words.pop();
    const op = REDIRECT_OPS.find((o) => this.src.startsWith(o, this.pos)) as string;
    this.pos += op.length;
    this.skipBlanks();
    const target = readWord(this);
    if (!target) {
      this.problem(`redirection \`${op}\` without a target`);
      return false;
    }
    redirections.push({ op, target: target.text });
    if (op === '<<' || op === '<<-') {
      const quoted = target.raw !== target.text || /['"\\]/.test(target.raw);
      this.pendingHeredocs.push({ holder, delimiter: target.text, quoted, stripTabs: op === '<<-' });
    }
    if (op === '<<<') holder.text = `${target.text}\n`;
    return op === '<<' || op === '<<-' || op === '<<<' || op === '<';
  }

  private prevCharIsWord(): boolean {
    const prev = this.src[this.pos - 1];
    return prev !== undefined && !META.has(prev);
  }

  private readHeredocBodies(): void {
    for (const doc of this.pendingHeredocs) {
      let body = '';
      let closed = false;
      while (this.pos < this.src.length) {
        const nl = this.src.indexOf('\n', this.pos);
        const end = nl < 0 ? this.src.length : nl;
        const line = this.src.slice(this.pos, end);
        this.pos = nl < 0 ? this.src.length : nl + 1;
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
          closed = true;
          break;
        }
        body += line + '\n';
      }
      if (!closed) this.problem(`unterminated here-document (missing \`${doc.delimiter}\`)`);
      doc.holder.text = body;
      if (!doc.quoted && /\$\(|`/.test(body)) this.problem('command substitution inside a here-document');
    }
    this.pendingHeredocs = [];
  }

  /** Parses a nested command list (substitution, subshell) up to its `)`, with a depth guard. */
  nestedList(origin: CommandOrigin): boolean {
    if (this.depth + 1 > MAX_DEPTH) {
      this.problem('nesting too deep');
      this.pos = this.src.length;
      return false;
    }
    const inner = new ShellParser(this.src, this.depth + 1, this.sink);
    inner.pos = this.pos;
    const closed = inner.parseList(')', origin);
    this.pos = inner.pos;
    return closed;
  }

  /** Parses a separate script (backtick body) whose commands run as substitutions. */
  nestedScript(
    script: string,
    origin: CommandOrigin,
    keep: (command: SimpleCommand) => boolean = () => true,
  ): void {
    if (this.depth + 1 > MAX_DEPTH) return this.problem('nesting too deep');
    const sink: Sink = { commands: [], problems: this.sink.problems, fed: this.sink.fed };
    const inner = new ShellParser(script, this.depth + 1, sink);
    inner.parseList(undefined, origin);
    for (const command of sink.commands) if (keep(command)) this.sink.commands.push(command);
  }

  private skipArithmetic(open: number): void {
    const end = skipParens(this.src, this.pos, open);
    const body = this.src.slice(this.pos, end < 0 ? this.src.length : end);
    if (end < 0) this.problem('unterminated arithmetic `((`');
    if (/\$\(|`/.test(body)) this.problem('command substitution inside arithmetic');
    this.pos = end < 0 ? this.src.length : end;
  }

  skipBlanks(): void {
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r') this.pos++;
      else if (ch === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else break;
    }
  }

  private skipComment(): void {
    const nl = this.src.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.src.length : nl;
  }
}

/** `echo TEXT | sh`, `cat <<EOF | sh`: what the command sends down the pipe, if it is known. */
function pipedText(command: SimpleCommand): string | undefined {
  const [program, ...args] = command.words;
  if (command.words.some((w) => w.dynamic) || command.redirections.some((r) => r.op.includes('>')))
    return undefined;
  if (program?.text === 'cat' && args.every((w) => w.text.startsWith('-'))) return command.stdinText;
  if (!program || (program.text !== 'echo' && program.text !== 'printf')) return undefined;
  const texts = args.map((w) => w.text);
  while (program.text === 'echo' && /^-[neE]+$/.test(texts[0] ?? '')) texts.shift();
  return `${texts.join(' ')}\n`;
}
