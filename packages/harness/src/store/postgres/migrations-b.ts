/**
 * Schema changes the second half of the Postgres repositories needs on top of version 1
 * (migrations.ts). Applied after it, in the same way: in order, each in its own transaction.
 */
export const partBMigrations: { version: number; name: string; sql: string }[] = [
  {
    // SQLite breaks a tie between scans started in the same millisecond by rowid (arrival order);
    // Postgres rows have no such order, so scans get an identity column that gives one.
    version: 2,
    name: 'scans: an arrival order, for scans that started in the same millisecond',
    sql: `ALTER TABLE scans ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;`,
  },
  {
    // Which process runs a turn: a server starting recovers only the turns of one that is gone,
    // never those another live server of the fleet is running.
    version: 3,
    name: 'turns: the process that runs each',
    sql: `ALTER TABLE turns ADD COLUMN owner text COLLATE "C";`,
  },
  {
    // A turn's owner renews its lease while it runs: a server of the fleet that died on another
    // host (no process to look for) has its turns marked interrupted once their leases expire.
    version: 4,
    name: 'turns: a lease the owner renews while the turn runs',
    sql: `ALTER TABLE turns ADD COLUMN lease_expires_at text COLLATE "C";`,
  },
];
