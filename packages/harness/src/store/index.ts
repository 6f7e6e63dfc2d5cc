/**
 * store: persistence behind the `Store` interface — threads, turns, events, tasks with their
 * leases and checkpoints, projects, rule scans, and the process groups agents run in — SQLite
 * default (better-sqlite3, nowhere else), PostgreSQL for a fleet (pg, nowhere else). Depends only
 * on core and the protocol's wire shapes.
 */
export {
  type DraftDecision,
  type DraftListFilter,
  type DraftRepository,
  type EventAggregate,
  type EventFilter,
  type EventKindCounts,
  type EventRepository,
  type EventScope,
  type EventToolCounts,
  type GcRepositories,
  type GcRunPatch,
  type GcRunRecord,
  type GcRunRepository,
  type NewEvent,
  type ProcessGroupRecord,
  type ProcessGroupRepository,
  type ProjectRecord,
  type ProjectRepository,
  type ScanRecord,
  type ScanRepository,
  type ScanTrigger,
  type SignalAggregate,
  type SignalCheckpoint,
  type SignalRepository,
  type SkillRecord,
  type SkillRepository,
  type SkillUsage,
  type SkillUse,
  type Store,
  type TaskCheckpoint,
  type TaskCheckpointRepository,
  type TaskCheckpointStage,
  type ClaimRequest,
  type ClaimedTask,
  type InFlightTask,
  type LeaseToken,
  type TaskListFilter,
  type TaskPatch,
  type TaskRepository,
  type ThreadListFilter,
  type ThreadPage,
  type ThreadPatch,
  type ThreadRepository,
  type TriggerClaim,
  type RunningTurn,
  type TurnLease,
  type TurnRepository,
  type WebhookDeliveryRecord,
  type WebhookDeliveryRepository,
  type WebhookTriggerRecord,
  type WebhookTriggerRepository,
} from './store.js';
export { SqliteStore, databaseFileName } from './sqlite/sqlite-store.js';
export { latestSchemaVersion } from './sqlite/migrations.js';
export { PgStore, type PgStoreOptions } from './postgres/pg-store.js';
export { latestPgSchemaVersion } from './postgres/migrations.js';
export { redactUrl as redactDatabaseUrl } from './postgres/db.js';
