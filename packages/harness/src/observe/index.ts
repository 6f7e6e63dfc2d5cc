/**
 * observe: everything Harness sees — the event log (persist, then announce), stats, the quality
 * grade and, later, OTLP export. Depends on core and store.
 */
export * from './event-log.js';
export * from './quality.js';
export * from './stats.js';
export * from './otel/index.js';
