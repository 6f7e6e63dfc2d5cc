import { ErrorCodes, HarnessError } from '../core/index.js';

/** Newest-first paging: the cursor is the (created_at, id) of the last row of the previous page. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string, method: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return value as [string, string];
    }
  } catch {
    // fall through to the error below
  }
  throw new HarnessError(ErrorCodes.invalidParams, `cursor: not a cursor returned by ${method}`, {
    data: { path: ['cursor'] },
  });
}
