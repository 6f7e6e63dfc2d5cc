/**
 * Splits a byte stream into newline-terminated lines without ever buffering more than `maxBytes`
 * of one line: an oversized line is reported once and skipped up to its newline.
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversized: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      this.append(chunk.subarray(start, end));
      if (newline < 0) return;
      this.finishLine();
      start = newline + 1;
    }
  }

  /** Flushes a last line that had no trailing newline. */
  end(): void {
    if (this.size > 0 || this.discarding) this.finishLine();
  }

  private append(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    if (this.size + part.length > this.maxBytes) {
      this.discarding = true;
      this.chunks = [];
      this.size = 0;
      this.onOversized();
      return;
    }
    this.chunks.push(part);
    this.size += part.length;
  }

  private finishLine(): void {
    if (!this.discarding) {
      const line = Buffer.concat(this.chunks, this.size).toString('utf8').replace(/\r$/, '');
      if (line.trim().length > 0) this.onLine(line);
    }
    this.chunks = [];
    this.size = 0;
    this.discarding = false;
  }
}
