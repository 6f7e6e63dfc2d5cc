/**
 * OpenTelemetry from the built server: a task's spans (task, stages, the agent turn with GenAI
 * attributes) and metrics reach a real OTLP receiver, flushed when the server gets SIGTERM.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, startTaskServer } from '@harness/testkit';

const require = createRequire(import.meta.url);
const { MockOtlpServer } = require('@elastic/mockotlpserver') as {
  MockOtlpServer: new (options: object) => { start(): Promise<void>; close(): Promise<void>; httpUrl: URL };
};

describe('OTLP export from harness serve', () => {
  const dir = tempDir('harness-otel-');
  afterAll(() => dir.remove());

  it('exports the spans and metrics of a task and flushes them on SIGTERM', async () => {
    const spans: string[] = [];
    const metrics: string[] = [];
    const collector = new MockOtlpServer({
      logLevel: 'warn',
      services: ['http'],
      httpHostname: '127.0.0.1',
      httpPort: 0,
      onTrace: (trace: unknown) => spans.push(JSON.stringify(trace)),
      onMetrics: (data: unknown) => metrics.push(JSON.stringify(data)),
    });
    await collector.start();
    const otel = [
      '[otel]',
      'exporter = "otlp-http"',
      `endpoint = "${collector.httpUrl.href.replace(/\/$/, '')}"`,
    ];
    const app = await startTaskServer(
      dir.path,
      [{ name: 'traced', max_concurrent: 1 }],
      { global: 1, queue: 10 },
      [],
      otel,
    );
    try {
      const { task_id } = (await (
        await app.post('/tasks', { prompt: 'traced task', project: 'traced' })
      ).json()) as { task_id: string };
      expect((await app.finished(task_id)).state).toBe('done');
      expect(await app.server.stop('SIGTERM')).toBe(0);
      const all = spans.join('\n');
      expect(all).toContain('harness.task');
      expect(all).toContain('harness.stage implementing');
      expect(all).toContain('invoke_agent anthropic_api');
      expect(all).toContain('gen_ai.usage.input_tokens');
      expect(all).toContain(task_id);
      expect(metrics.join('\n')).toContain('harness.tasks');
    } finally {
      await app.stop().catch(() => undefined);
      await collector.close();
    }
  });
});
