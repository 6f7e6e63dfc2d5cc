/**
 * observe: everything Harness sees — the event log (persist, then announce), stats, the quality
 * grade, and OpenTelemetry export of turns, tasks and tool calls over OTLP (the only module that
 * uses @opentelemetry/*). Depends on core and store.
 */
export { type EventInput, type EventListener, EventLog } from './event-log.js';
export { gradeFor, gradeQuality, type QualityInputs, slowOperationMs } from './quality.js';
export { queryStats, type StatsQuery, type StatsReport } from './stats.js';
export { type OtelConfig, startTelemetry, type Telemetry, type TelemetryOptions } from './otel/index.js';
