/**
 * One queue per key: callers with the same key run one after another, different keys run in
 * parallel. Git takes its own lock files for `worktree add/remove/prune` and fails rather than
 * waits when they are held, so every mutation of one repository goes through here.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async runExclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last one out removes the entry so the map does not grow with every repository ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work queued or running; for tests and diagnostics. */
  get busyKeys(): string[] {
    return [...this.tails.keys()];
  }
}

/**
 * Another process (a second `harness serve`, a person running git) may hold the repository's
 * lock files; those failures are worth a few retries, anything else is not.
 */
export function isGitLockContention(error: unknown): boolean {
  const data = (error as { data?: { stderr_tail?: unknown } } | null)?.data;
  const stderr = typeof data?.stderr_tail === 'string' ? data.stderr_tail : '';
  return /\.lock'?: File exists|Unable to create '.*\.lock'|cannot lock ref|could not lock config file/i.test(
    stderr,
  );
}

export async function withLockRetries<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isGitLockContention(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
