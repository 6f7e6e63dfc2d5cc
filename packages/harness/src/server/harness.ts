import type { RpcNotification } from '@harness/protocol';
import { type Clock, type Logger, systemClock } from '../core/index.js';
import { EventLog } from '../observe/index.js';
import type { AgentRegistry } from '../agents/index.js';
import type { Store } from '../store/index.js';
import { NotificationHub, threadTopic } from './notification-hub.js';
import { policyGateFor } from './policy-gate.js';
import { Connection, type TransportKind } from './rpc/connection.js';
import { createHandlers } from './rpc/handlers.js';
import { RpcRouter } from './rpc/router.js';
import { ThreadService, type ThreadServiceOptions } from './threads/thread-service.js';
import { TurnService } from './turns/turn-service.js';

export interface HarnessOptions extends ThreadServiceOptions {
  store: Store;
  logger: Logger;
  clock?: Clock;
  /** `[observe] log_retention_days`, applied at start-up; 0 keeps everything. */
  logRetentionDays: number;
  agents: AgentRegistry;
  /** `rules.exec_policy_paths`: policy files applied to every project on top of its own. */
  policyPaths?: readonly string[];
}

/**
 * The running platform without its transports: store, event log, services and the router. Each
 * transport opens connections on it; `close` ends them all and closes the store.
 */
export class Harness {
  readonly router: RpcRouter;
  readonly hub = new NotificationHub();
  readonly events: EventLog;
  readonly threads: ThreadService;
  readonly turns: TurnService;
  readonly agents: AgentRegistry;
  readonly store: Store;
  readonly logger: Logger;
  private readonly connections = new Set<Connection>();

  private constructor(options: HarnessOptions) {
    const clock = options.clock ?? systemClock;
    this.store = options.store;
    this.logger = options.logger;
    this.events = new EventLog(options.store, options.logger, clock);
    this.threads = new ThreadService(options.store, this.events, this.hub, clock, options);
    this.agents = options.agents;
    this.turns = new TurnService({
      store: options.store,
      events: this.events,
      hub: this.hub,
      threads: this.threads,
      agents: options.agents,
      clock,
      logger: options.logger,
      commandGate: policyGateFor(options.policyPaths ?? []),
    });
    const handlers = createHandlers({
      store: options.store,
      events: this.events,
      threads: this.threads,
      turns: this.turns,
      agents: options.agents,
      hub: this.hub,
      policyPaths: options.policyPaths ?? [],
      clock,
      startedAt: clock.now(),
      connectionCount: () => this.connections.size,
    });
    this.router = new RpcRouter(handlers, options.logger);
    this.events.onAppend((event) => {
      if (event.thread_id) this.hub.publish(threadTopic(event.thread_id), 'event/logged', { event });
    });
  }

  static async start(options: HarnessOptions): Promise<Harness> {
    const harness = new Harness(options);
    const purged = await harness.events.applyRetention(options.logRetentionDays);
    if (purged > 0) options.logger.info({ purged }, 'events past the retention period removed');
    const interrupted = await harness.turns.recover();
    if (interrupted > 0)
      options.logger.warn({ interrupted }, 'turns cut off by the last shutdown marked interrupted');
    return harness;
  }

  /** A new client session; `deliver` is how notifications reach it (null if the transport cannot push). */
  openConnection(transport: TransportKind, deliver: ((message: RpcNotification) => void) | null): Connection {
    const connection = new Connection(transport, deliver);
    this.connections.add(connection);
    connection.onClose(() => this.connections.delete(connection));
    return connection;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    await this.turns.stopAll();
    for (const connection of [...this.connections]) connection.close();
    await this.store.close();
  }
}
