import { systemClock, type Clock } from '../core/index.js';
import type { PermissionAnswer, PermissionLookup } from './client-types.js';

export interface PermissionCacheOptions {
  /** How long an answer is trusted. Default 60 s: a revoked collaborator is refused within a minute. */
  ttl_ms?: number;
  /** At most this many repository+login answers are kept; the least recently used go first. Default 1000. */
  capacity?: number;
  clock?: Clock;
}

interface Entry {
  answer: PermissionAnswer;
  at: number;
}

/**
 * A short-lived, bounded cache in front of the collaborator-permission endpoint, so a burst of
 * comments by one person costs one API call. Only answers are cached (a 404 is one: `found:
 * false`); failures are not, so the next delivery asks again. Concurrent lookups of the same
 * key share one request.
 */
export class CachedPermissionLookup implements PermissionLookup {
  readonly #inner: PermissionLookup;
  readonly #ttl: number;
  readonly #capacity: number;
  readonly #clock: Clock;
  readonly #answers = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<PermissionAnswer>>();

  constructor(inner: PermissionLookup, options: PermissionCacheOptions = {}) {
    this.#inner = inner;
    this.#ttl = options.ttl_ms ?? 60_000;
    this.#capacity = Math.max(1, options.capacity ?? 1000);
    this.#clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.#answers.size;
  }

  async getCollaboratorPermission(
    repo: { owner: string; repo: string },
    user: string,
  ): Promise<PermissionAnswer> {
    // Logins and repository names are case-insensitive on GitHub.
    const key = `${repo.owner}/${repo.repo}\u0000${user}`.toLowerCase();
    const now = this.#clock.now().getTime();
    const hit = this.#answers.get(key);
    if (hit !== undefined && now - hit.at < this.#ttl) {
      // Re-inserting moves the key to the young end of the Map's insertion order: that is the LRU.
      this.#answers.delete(key);
      this.#answers.set(key, hit);
      return hit.answer;
    }
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const lookup = this.#inner.getCollaboratorPermission(repo, user);
    this.#pending.set(key, lookup);
    try {
      const answer = await lookup;
      this.#remember(key, { answer, at: now });
      return answer;
    } finally {
      this.#pending.delete(key);
    }
  }

  /** Forgets every answer, e.g. after permissions were changed on purpose. */
  clear(): void {
    this.#answers.clear();
  }

  #remember(key: string, entry: Entry): void {
    this.#answers.delete(key);
    this.#answers.set(key, entry);
    while (this.#answers.size > this.#capacity) {
      this.#answers.delete(this.#answers.keys().next().value as string);
    }
  }
}
