import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportFailureLog } from './export-failures.js';

export type OtlpProtocol = 'otlp-http' | 'otlp-grpc';

/** `ExportResultCode.SUCCESS` of @opentelemetry/core, which is not a direct dependency. */
const exportSucceeded = 0;

export interface Exporters {
  spans: SpanExporter;
  metrics: PushMetricExporter;
}

/**
 * The OTLP exporters for `[otel] exporter`. Loaded on demand: the gRPC pair pulls in grpc-js,
 * which a server exporting over HTTP (or not at all) should not pay for at start-up.
 */
export async function createExporters(
  protocol: OtlpProtocol,
  endpoint: string,
  timeoutMillis: number,
  failures: ExportFailureLog,
): Promise<Exporters> {
  const base = endpoint.replace(/\/+$/, '');
  if (protocol === 'otlp-grpc') {
    const [{ OTLPTraceExporter }, { OTLPMetricExporter }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-grpc'),
      import('@opentelemetry/exporter-metrics-otlp-grpc'),
    ]);
    return {
      spans: watchSpans(new OTLPTraceExporter({ url: base, timeoutMillis }), failures),
      metrics: watchMetrics(new OTLPMetricExporter({ url: base, timeoutMillis }), failures),
    };
  }
  const [{ OTLPTraceExporter }, { OTLPMetricExporter }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
  ]);
  return {
    spans: watchSpans(new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis }), failures),
    metrics: watchMetrics(new OTLPMetricExporter({ url: `${base}/v1/metrics`, timeoutMillis }), failures),
  };
}

/** The SDK reports export failures only to its global error handler; this reports them to our log. */
function watchSpans(inner: SpanExporter, failures: ExportFailureLog): SpanExporter {
  return {
    export: (spans, done) =>
      inner.export(spans, (result) => {
        if (result.code === exportSucceeded) failures.succeeded('traces');
        else failures.failed('traces', result.error);
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function watchMetrics(inner: PushMetricExporter, failures: ExportFailureLog): PushMetricExporter {
  return {
    export: (metrics, done) =>
      inner.export(metrics, (result) => {
        if (result.code === exportSucceeded) failures.succeeded('metrics');
        else failures.failed('metrics', result.error);
        done(result);
      }),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
    ...(inner.selectAggregationTemporality
      ? { selectAggregationTemporality: inner.selectAggregationTemporality.bind(inner) }
      : {}),
    ...(inner.selectAggregation ? { selectAggregation: inner.selectAggregation.bind(inner) } : {}),
  };
}
