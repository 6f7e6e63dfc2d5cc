import { randomUUID } from 'node:crypto';

/** Ids are UUID v4 strings, prefixed by kind so that a stray id in a log says what it names. */
export type IdKind =
  'thr' | 'turn' | 'evt' | 'task' | 'sess' | 'conn' | 'item' | 'draft' | 'sig' | 'plan' | 'scan' | 'gcrun';

export function newId(kind: IdKind): string {
  return `${kind}_${randomUUID()}`;
}
