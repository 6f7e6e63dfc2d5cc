import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, silentLogger, type Logger } from '../../core/index.js';
import type { Usage } from '../contract.js';
import { addUsage, zeroUsage } from '@harness/protocol';
import { forwardToUpstream, sendGatewayError } from './forward.js';
import type { ModelProvider } from './metering.js';

/** Where a turn's model requests really go, and the key only Harness holds for it. */
export interface ModelUpstream {
  provider: ModelProvider;
  /** e.g. `https://api.anthropic.com` or `https://api.openai.com/v1`; request paths are appended. */
  url: string;
  apiKey: string;
}

export interface GatewayTurnOptions {
  upstream: ModelUpstream;
  /** For logs: the turn this credential belongs to. */
  turnId: string;
  /** Requests are refused once the metered cost reaches this many USD. */
  maxCostUsd?: number | undefined;
  /** Called at the first refusal for budget, so the turn can end `budget_exceeded`. */
  onBudgetExceeded?: (message: string) => void;
  /** Called when the upstream answers an error (or cannot be reached): its status and reason. */
  onUpstreamError?: (status: number, error: string | null) => void;
}

/** One turn's access to its model: a credential that dies with `revoke()`. */
export interface GatewayLease {
  /** 256 random bits, hex; what the agent sends instead of the real key. */
  readonly credential: string;
  /** The gateway's origin, to use as the agent's model base URL. */
  readonly baseUrl: string;
  /** Tokens and cost metered from the upstream's responses so far. */
  readonly usage: Usage;
  revoke(): void;
}

/** A live lease as the request handler sees it. */
export interface ActiveLease {
  readonly options: GatewayTurnOptions;
  usage: Usage;
  budgetReported: boolean;
}

/**
 * The local model gateway: an HTTP server on 127.0.0.1 that agents reach their model through.
 * Only a credential registered for a running turn is accepted; the request then goes to the turn's
 * upstream with the real key added, and the response streams back unchanged while it is metered.
 */
export class ModelGateway {
  /** Keyed by the credential's SHA-256, so that looking one up takes no time that depends on it. */
  private readonly leases = new Map<string, ActiveLease>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly logger: Logger,
  ) {}

  static async start(options: { logger?: Logger } = {}): Promise<ModelGateway> {
    const logger = (options.logger ?? silentLogger).child({ component: 'model-gateway' });
    let gateway: ModelGateway | null = null;
    const server = createServer((req, res) => {
      if (gateway !== null) gateway.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    gateway = new ModelGateway(server, `http://127.0.0.1:${port}`, logger);
    logger.debug({ origin: gateway.origin }, 'model gateway listening');
    return gateway;
  }

  openTurn(options: GatewayTurnOptions): GatewayLease {
    const credential = randomBytes(32).toString('hex');
    const key = digest(credential);
    const lease: ActiveLease = { options, usage: zeroUsage, budgetReported: false };
    this.leases.set(key, lease);
    return {
      credential,
      baseUrl: this.origin,
      get usage() {
        return lease.usage;
      },
      revoke: () => {
        this.leases.delete(key);
      },
    };
  }

  /** Running turns: for tests and `harness doctor`. */
  get activeTurns(): number {
    return this.leases.size;
  }

  async close(): Promise<void> {
    this.leases.clear();
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const credential = credentialOf(req);
    const lease = credential === null ? undefined : this.leases.get(digest(credential));
    if (lease === undefined) {
      req.resume();
      sendGatewayError(res, 401, 'authentication_error', 'unknown or expired Harness model credential');
      return;
    }
    const { maxCostUsd, onBudgetExceeded, turnId } = lease.options;
    if (maxCostUsd !== undefined && lease.usage.cost_usd >= maxCostUsd) {
      req.resume();
      const message = `Harness budget exceeded: this turn spent $${lease.usage.cost_usd.toFixed(4)} of its $${maxCostUsd} budget; no further model requests are allowed`;
      sendGatewayError(res, 402, 'budget_exceeded', message);
      if (!lease.budgetReported) {
        lease.budgetReported = true;
        this.logger.info({ turn_id: turnId, cost_usd: lease.usage.cost_usd }, 'turn budget spent');
        onBudgetExceeded?.(message);
      }
      return;
    }
    forwardToUpstream(
      req,
      res,
      lease.options.upstream,
      (usage) => {
        lease.usage = addUsage(lease.usage, usage);
      },
      lease.options.onUpstreamError,
    ).catch((error: unknown) => {
      // Mostly an agent that hung up mid-stream (a cancelled turn): the upstream request is aborted.
      this.logger.debug({ turn_id: turnId, err: describeError(error) }, 'model request ended early');
    });
  }
}

function digest(credential: string): string {
  return createHash('sha256').update(credential).digest('hex');
}

/** Claude Code and the Anthropic SDK send `x-api-key`; Codex and OpenAI clients a bearer token. */
function credentialOf(req: IncomingMessage): string | null {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}
