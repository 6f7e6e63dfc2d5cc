/** A plain JSON-like object (not null, not an array): what untyped wire data must be to be read by key. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
