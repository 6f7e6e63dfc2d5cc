import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import { z } from 'zod';
import { bodyLimit } from 'hono/body-limit';
import {
  projectCreateSchema,
  taskBatchSchemaFor,
  taskCreateSchema,
  taskListQuerySchema,
  taskRespondBodySchema,
} from '@harness/protocol';
import { ErrorCodes, HarnessError, type Logger, newId } from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';
import { dashboardWithGrades } from '../dashboard.js';
import { httpStatusOf, toHttpError } from '../http-errors.js';
import { isOperatorRequest, requireOperator } from '../operator.js';
import type { ProjectRegistry } from '../../projects/index.js';
import type { Store } from '../../store/index.js';
import type { BatchResult, TaskService } from '../../tasks/index.js';
import { jsonBody, validate } from './http-json.js';
import { streamAllEvents } from './all-events-stream.js';
import { streamTask } from './task-stream.js';

export interface RestDependencies {
  tasks: TaskService;
  projects: ProjectRegistry;
  events: EventLog;
  /** For the dashboard's quality grades. */
  store: Store;
  logger: Logger;
  maxBodyBytes: number;
  /** Where the operator key is, when no API token is set (see operator.ts). */
  operatorKeyFile: string | null;
}

/**
 * A batch's answer: `202` when every item was accepted; `207 Multi-Status` when some were and
 * some were not; when none was, the status of their common error (`422` no reviewer, `429` queue
 * full, …) with that error at the top, or `207` when they failed for different reasons. Each item
 * carries its own `status` beside its `task_id` or `error`, in the order of the request.
 */
export function batchAnswer(results: BatchResult[]): {
  status: number;
  body: { results: (BatchResult & { status: number })[]; error?: { code: string; message: string } };
} {
  const items = results.map((result) => ({
    ...result,
    status: 'error' in result ? httpStatusOf(result.error.code) : 202,
  }));
  const failed = results.flatMap((result) => ('error' in result ? [result.error] : []));
  if (failed.length === 0) return { status: 202, body: { results: items } };
  const first = failed[0];
  if (failed.length === results.length && first && failed.every((error) => error.code === first.code)) {
    const message = `none of the ${results.length} tasks was accepted: ${first.message}`;
    return {
      status: httpStatusOf(first.code),
      body: { error: { code: first.code, message }, results: items },
    };
  }
  return { status: 207, body: { results: items } };
}

/** The REST control plane: tasks (with SSE streams), projects, the dashboard summary and the event stream. */
export function createRestApp(deps: RestDependencies): Hono {
  const app = new Hono();
  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new HarnessError(
          ErrorCodes.payloadTooLarge,
          `request body exceeds the limit of ${deps.maxBodyBytes} bytes`,
        );
      },
    }),
  );
  app.onError((error, c) => {
    const reference = newId('evt');
    const { status, body } = toHttpError(error, reference);
    if (status >= 500) deps.logger.error({ err: error, reference, path: c.req.path }, 'REST request failed');
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json(
      { error: { code: ErrorCodes.notFound, message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );

  app.post('/tasks', async (c) => {
    const task = await deps.tasks.create(await jsonBody(c, taskCreateSchema));
    return c.json({ task_id: task.id, state: task.state, task }, 202);
  });
  app.post('/tasks/batch', async (c) => {
    const raw = await jsonBody(c, z.unknown());
    const body = validate(taskBatchSchemaFor(raw), raw, 'body');
    const items =
      'issues' in body
        ? body.issues.map((issue) => ({
            issue,
            ...(body.project ? { project: body.project } : {}),
            ...(body.agent ? { agent: body.agent } : {}),
          }))
        : body.tasks;
    const { status, body: answer } = batchAnswer(await deps.tasks.batch(items));
    return c.json(answer, status as 202);
  });
  app.get('/tasks', async (c) =>
    c.json(await deps.tasks.list(validate(taskListQuerySchema, c.req.query(), 'query'))),
  );
  app.get('/tasks/:id', async (c) => c.json(await deps.tasks.detail(c.req.param('id'))));
  app.get('/tasks/:id/stream', (c) => streamTask(c, deps.tasks, deps.events, c.req.param('id')));
  // JSON by default; the unified diff alone with `Accept: text/x-diff` (for curl and patch tools).
  app.get('/tasks/:id/diff', async (c) => {
    const diff = await deps.tasks.diff(c.req.param('id'));
    if (!/\btext\/x-diff\b/.test(c.req.header('accept') ?? '')) return c.json(diff);
    return c.body(diff.diff, 200, {
      'content-type': 'text/x-diff; charset=utf-8',
      'harness-diff-truncated': String(diff.truncated),
    });
  });
  app.post('/tasks/:id/cancel', async (c) => c.json(await deps.tasks.cancel(c.req.param('id'))));
  app.post('/tasks/:id/respond', async (c) => {
    const operator = isOperatorRequest((c.env as { incoming?: IncomingMessage } | undefined)?.incoming);
    requireOperator(operator, "answering a task's approval", deps.operatorKeyFile);
    const body = await jsonBody(c, taskRespondBodySchema);
    return c.json(await deps.tasks.respond({ ...body, task_id: c.req.param('id') }, 'REST API'));
  });

  // The product's examples say /api/projects; the original served /projects. Both work.
  for (const base of ['/api/projects', '/projects']) {
    app.get(base, async (c) => c.json({ projects: await deps.projects.list() }));
    app.get(`${base}/:id`, async (c) => c.json(await deps.projects.get(c.req.param('id'))));
    app.post(base, async (c) => {
      const body = await jsonBody(c, projectCreateSchema);
      const project = await deps.projects.register({ ...body, name: (body.id ?? body.name) as string });
      return c.json(project, 201);
    });
    app.delete(`${base}/:id`, async (c) => {
      const removed = await deps.projects.remove(c.req.param('id'));
      if (!removed) throw new HarnessError(ErrorCodes.notFound, `project not found: ${c.req.param('id')}`);
      return c.json({ deleted: true });
    });
  }
  app.get('/api/dashboard', async (c) => c.json(await dashboardWithGrades(deps.tasks, deps.store)));
  app.get('/api/events/stream', (c) => streamAllEvents(c, deps.events));
  return app;
}
