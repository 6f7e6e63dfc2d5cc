/**
 * store: persistence behind the `Store` interface (threads, turns, events), with the embedded
 * SQLite backend as the default. Depends only on core (and the protocol's wire shapes).
 */
export * from './store.js';
export { SqliteStore, databaseFileName } from './sqlite/sqlite-store.js';
export { latestSchemaVersion } from './sqlite/migrations.js';
