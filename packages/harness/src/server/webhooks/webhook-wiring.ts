import type { Clock, Git, HarnessConfig, Logger } from '../../core/index.js';
import { CachedPermissionLookup, type GithubClient } from '../../github/index.js';
import type { EventLog } from '../../observe/index.js';
import type { Store } from '../../store/index.js';
import type { ProjectRegistry } from '../../projects/index.js';
import type { TaskService } from '../../tasks/index.js';
import { resolveBotLogin } from './bot-identity.js';
import { StoreDeliveryDeduplicator } from './delivery-dedup.js';
import { TaskReplies } from './task-replies.js';
import { createWebhookEndpoint, type WebhookEndpoint } from './webhook-endpoint.js';
import { WebhookProcessor } from './webhook-processor.js';
import { recordQualityEvent } from './quality-events.js';
import { TriggerClaims } from './trigger-claims.js';

export interface WebhookWiringDeps {
  config: HarnessConfig;
  store: Store;
  events: EventLog;
  tasks: TaskService;
  projects: ProjectRegistry;
  git: Git;
  /** The process's one GitHub client; calls made while a delivery waits use it with tighter limits. */
  github: GithubClient;
  logger: Logger;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
}

export interface Webhooks {
  endpoint: WebhookEndpoint;
  /** Why an HTTP server must not start with this config; null when it may. */
  configProblem: string | null;
  stop(): void;
}

/** Delivery ids older than this are dropped at start-up; GitHub redelivers within days, not weeks. */
const deliveryRetentionDays = 30;

/**
 * `HARNESS_PUBLIC_URL` is where people open Harness (the dashboard host); replies link tasks there.
 * It is an environment setting rather than config because it describes the deployment, not Harness.
 */
function publicUrlFrom(env: NodeJS.ProcessEnv): { url: string | null; problem: string | null } {
  const raw = env.HARNESS_PUBLIC_URL?.trim();
  if (!raw) return { url: null, problem: null };
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:')
      return { url: url.href.replace(/\/+$/, ''), problem: null };
  } catch {
    // falls through to the problem below
  }
  return { url: null, problem: 'HARNESS_PUBLIC_URL must be an http(s) URL' };
}

/**
 * GitHub webhooks: enabled exactly when `server.github_webhook_secret` is set (otherwise
 * `POST /webhook` answers 404 "webhooks are disabled"). Enabled without a GitHub token they could
 * neither check a commenter's permission nor reply, so that is a start-up error, not a request-time one.
 */
export function wireWebhooks(deps: WebhookWiringDeps): Webhooks {
  const { config, logger } = deps;
  const secret = config.server.github_webhook_secret;
  const github = deps.github;
  // GitHub gives a delivery 10 s: the calls made while it waits get one quick retry, not four slow ones.
  const quick = github.withCallLimits(quickCalls);
  const publicUrl = publicUrlFrom(deps.env ?? process.env);
  const dedup = new StoreDeliveryDeduplicator(deps.store, deps.clock);
  const claims = new TriggerClaims(deps.store, deps.clock);
  const replies = new TaskReplies({ github, events: deps.events, logger, publicUrl: publicUrl.url });
  const endpointEnabled = secret !== undefined && secret.length > 0 && config.github.token !== undefined;
  const ready = endpointEnabled
    ? startUp(claims, () => quick.getAuthenticatedUser(), config.github.bot_login, logger)
    : Promise.resolve(undefined);
  const processor = new WebhookProcessor({
    tasks: deps.tasks,
    projects: deps.projects,
    github,
    permissions: new CachedPermissionLookup(quick, { clock: deps.clock }),
    git: deps.git,
    dedup,
    claims,
    replies,
    logger,
    mentionHandle: config.github.mention_handle,
    ready,
    observe: (event, payload) =>
      recordQualityEvent(
        { events: deps.events, projects: deps.projects, git: deps.git, logger },
        event,
        payload,
      ),
  });
  const endpoint = createWebhookEndpoint(secret, processor, logger);
  let configProblem: string | null = null;
  if (endpoint.enabled) {
    if (!config.github.token)
      configProblem =
        'server.github_webhook_secret is set but github.token (or GITHUB_TOKEN) is not: webhooks could neither check permissions nor reply';
    else configProblem = publicUrl.problem;
  }
  const unsubscribe = endpoint.enabled ? replies.listen() : () => undefined;
  if (endpoint.enabled) {
    Promise.all([dedup.purge(deliveryRetentionDays), claims.purge(deliveryRetentionDays)]).catch(
      (error: unknown) => logger.warn({ err: error }, 'purging old webhook deliveries failed'),
    );
  }
  return { endpoint, configProblem, stop: unsubscribe };
}

const quickCalls = { retry: { retries: 1 }, timeout_ms: 4_000 };

/** Claims cut off by the last shutdown are repaired, and Harness's own login is learnt, once. */
async function startUp(
  claims: TriggerClaims,
  authenticatedUser: () => Promise<{ login: string; type: string }>,
  configured: string | undefined,
  logger: Logger,
): Promise<string | undefined> {
  // A delivery waits on this promise, so it must not reject: a failed repair is logged and left for
  // the next start (the claims it leaves answer "already being handled", never start a second task).
  await claims.recover(logger).catch((error: unknown) => {
    logger.error({ err: error }, 'recovering webhook claims failed');
  });
  return resolveBotLogin({ authenticatedUser, configured, logger });
}
