import { secretKeyPaths, type HarnessConfig } from './schema.js';

export const maskedValue = '****';

/**
 * The config as it may be shown to people: credentials replaced by "****" (an unset one stays
 * absent, so the output still tells whether it is set), the user and password of any URL in it
 * (`[store] url`, remotes) too, and unset optional keys dropped.
 */
export function maskSecrets(config: HarnessConfig): unknown {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const keyPath of secretKeyPaths) {
    const keys = keyPath.split('.');
    const last = keys.pop()!;
    let table: Record<string, unknown> | undefined = copy;
    for (const key of keys) table = table?.[key] as Record<string, unknown> | undefined;
    if (table !== undefined && table[last] !== undefined) table[last] = maskedValue;
  }
  return maskUrlCredentials(copy);
}

/**
 * A copy of `value` in which every string that holds a URL with credentials
 * (`https://user:token@host/…`) shows them as "****": settings shown to people may name remotes.
 */
export function maskUrlCredentials(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, `$1${maskedValue}@`);
  if (Array.isArray(value)) return value.map(maskUrlCredentials);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskUrlCredentials(inner)]));
  return value;
}
