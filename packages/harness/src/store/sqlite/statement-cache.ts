import type Database from 'better-sqlite3';

/** Enough for every fixed statement the repositories use, with room for the filtered queries. */
const maxCached = 256;

/**
 * Makes `db.prepare` hand back the statement it compiled before for the same SQL. The repositories
 * prepare where they run a statement, which keeps each query beside its use; compiling the same
 * text again on every call cost more than running it (about a tenth of a task's bookkeeping). A
 * statement keeps no state between runs here: nothing uses `pluck`, `raw`, `expand` or `iterate`,
 * whose modes or open cursors would be shared by every user of the statement.
 */
export function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      // Oldest first out: dynamic filter queries cannot grow the cache without bound.
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof db.prepare;
}
