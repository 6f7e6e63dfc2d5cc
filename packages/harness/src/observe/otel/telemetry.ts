import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { HarnessConfig, Logger } from '../../core/index.js';
import type { EventLog } from '../event-log.js';
import { probeCollector } from './collector-probe.js';
import { EventHandler } from './event-handler.js';
import { ExportFailureLog } from './export-failures.js';
import { createExporters } from './exporters.js';
import { HarnessMetrics } from './metrics.js';

export type OtelConfig = HarnessConfig['otel'];

export interface TelemetryOptions {
  config: OtelConfig;
  events: EventLog;
  logger: Logger;
  /** The Harness version, as `service.version`. */
  version: string;
  /** How often metrics are pushed (default 15 s). */
  metricIntervalMs?: number;
  /** Deadline of one export request, retries included (default 3 s). */
  exportTimeoutMs?: number;
  /** Spans kept open waiting for their closing event before the oldest is ended (default 10,000). */
  maxOpenSpans?: number;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Where telemetry goes, or null when export is off (`exporter = "disabled"`, or no endpoint). */
  readonly endpoint: string | null;
  /** Pushes what is buffered; resolves by `timeoutMs` whatever the collector does. Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
  /**
   * Stops listening, ends the spans still open (marked `harness.span.ended_by = "shutdown"`) and
   * flushes. Resolves by `timeoutMs` even if the collector hangs; never rejects; idempotent.
   */
  shutdown(timeoutMs: number): Promise<void>;
}

const disabled: Telemetry = {
  enabled: false,
  endpoint: null,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Starts OTLP export of traces and metrics derived from the event log, per `[otel]`: only once an
 * endpoint is configured (`otel.endpoint` or OTEL_EXPORTER_OTLP_ENDPOINT), so a server without a
 * collector starts no exporter and warns about nothing. Nothing else
 * in Harness knows about OpenTelemetry: this subscribes to `events` and does the rest. The listener
 * never waits on the network; an unreachable collector costs dropped telemetry and a rate-limited
 * warning, never a slower or failing server.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const { config, events } = options;
  const endpoint = config.endpoint;
  if (config.exporter === 'disabled' || endpoint === undefined) return disabled;
  const logger = options.logger.child({ component: 'otel' });
  const { tracerProvider, meterProvider } = await createProviders(options, endpoint, logger);
  const handler = new EventHandler({
    tracer: tracerProvider.getTracer('harness', options.version),
    metrics: new HarnessMetrics(meterProvider.getMeter('harness', options.version)),
    logUserPrompt: config.log_user_prompt,
    maxOpenSpans: options.maxOpenSpans ?? 10_000,
  });
  const handlerFailures = new ExportFailureLog(logger, 'telemetry could not map an event');
  const unsubscribe = events.onAppend((event) => {
    try {
      handler.handle(event);
    } catch (error) {
      handlerFailures.failed(event.kind, error);
    }
  });
  // The probe resolves with its problem instead of rejecting, and only informs: no need to wait.
  void probeCollector(endpoint, 1_000).then((problem) => {
    if (problem !== null)
      logger.warn({ endpoint, problem }, 'OTLP collector not reachable yet; exports will keep trying');
  });
  logger.info({ exporter: config.exporter, endpoint }, 'OpenTelemetry export started');

  let stopping: Promise<void> | null = null;
  return {
    enabled: true,
    endpoint,
    flush: async (timeoutMs = 5_000) => {
      await settleBy(Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]), timeoutMs);
    },
    shutdown(timeoutMs) {
      stopping ??= (async () => {
        unsubscribe();
        const cut = handler.endAll('shutdown', Date.now());
        const inTime = await settleBy(
          Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]),
          timeoutMs,
        );
        if (!inTime)
          logger.warn({ timeout_ms: timeoutMs }, 'telemetry not fully flushed before the shutdown deadline');
        logger.debug({ spans_cut_short: cut, flushed: inTime }, 'OpenTelemetry export stopped');
      })();
      return stopping;
    },
  };
}

async function createProviders(options: TelemetryOptions, endpoint: string, logger: Logger) {
  const { config } = options;
  const protocol = config.exporter === 'otlp-grpc' ? 'otlp-grpc' : 'otlp-http';
  const timeoutMillis = options.exportTimeoutMs ?? 3_000;
  const failures = new ExportFailureLog(logger);
  const exporters = await createExporters(protocol, endpoint, timeoutMillis, failures);
  const resource = defaultResource().merge(
    resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.service_name,
      [ATTR_SERVICE_VERSION]: options.version,
      'deployment.environment.name': config.environment,
      // The pre-1.27 name, still what many backends group by.
      'deployment.environment': config.environment,
    }),
  );
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanLimits: { attributeValueLengthLimit: 8192 },
    spanProcessors: [
      new BatchSpanProcessor(exporters.spans, {
        // Bounded: with the collector down, spans past this are dropped rather than buffered.
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 2_000,
        exportTimeoutMillis: timeoutMillis,
      }),
    ],
  });
  const intervalMs = options.metricIntervalMs ?? 15_000;
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: exporters.metrics,
        exportIntervalMillis: intervalMs,
        exportTimeoutMillis: Math.min(timeoutMillis, intervalMs),
      }),
    ],
  });
  return { tracerProvider, meterProvider };
}

/** True if `work` settled within `ms`. Its rejection is swallowed: telemetry never fails its caller. */
function settleBy(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}
