/** One token of the lexer's output. */
export interface Token {
  readonly kind: string;
  /** Identifier name, string contents (byte string), int (bigint) or float (number). */
  readonly value: string | bigint | number | null;
  readonly line: number;
  readonly col: number;
}

/** How starlark-go names a token in "got X, want Y" messages. */
export function describe(t: Token): string {
  switch (t.kind) {
    case 'ident':
      return 'identifier';
    case 'int':
      return 'int literal';
    case 'float':
      return 'float literal';
    case 'string':
      return 'string literal';
    case 'bytes':
      return 'bytes literal';
    case 'newline':
      return 'newline';
    case 'indent':
      return 'indent';
    case 'outdent':
      return 'outdent';
    case 'eof':
      return 'end of file';
    default:
      return /^[a-z]/.test(t.kind) ? t.kind : `'${t.kind}'`;
  }
}
