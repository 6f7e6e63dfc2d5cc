/** The storage the token lives in: the tab's sessionStorage (gone when the tab closes). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const KEY = 'harness.token';

/**
 * The API token (or the operator key) the user typed into the login form. Kept only in
 * sessionStorage and memory: never in the URL, the page, a log or an error message.
 */
export class TokenStore {
  private value: string | null;

  constructor(private readonly storage: TokenStorage | null) {
    this.value = readSafely(storage);
  }

  get(): string | null {
    return this.value;
  }

  set(token: string): void {
    const trimmed = token.trim();
    if (trimmed === '') throw new Error('the token is empty');
    this.value = trimmed;
    try {
      this.storage?.setItem(KEY, trimmed);
    } catch {
      // Storage refused (private mode, quota): the token still lives for this page.
    }
  }

  clear(): void {
    this.value = null;
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // Nothing to remove.
    }
  }
}

function readSafely(storage: TokenStorage | null): string | null {
  try {
    return storage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}
