import { secretKeyPaths, type HarnessConfig } from './schema.js';

export const maskedValue = '****';

/**
 * The config as it may be shown to people: credentials replaced by "****" (an unset one stays
 * absent, so the output still tells whether it is set) and unset optional keys dropped.
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
  return copy;
}
