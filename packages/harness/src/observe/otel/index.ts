export { startTelemetry } from './telemetry.js';
export type { OtelConfig, Telemetry, TelemetryOptions } from './telemetry.js';
