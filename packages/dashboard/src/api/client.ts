import type { MethodName, MethodParamsInput, MethodResult } from '@harness/protocol';
import { ApiError, RPC_NOT_INITIALIZED, RPC_UNAUTHORIZED, asksForPerson, redactToken } from './errors.js';

/** What the client needs from its surroundings, handed in so tests drive it with a real server or a stub. */
export interface ClientOptions {
  fetch: typeof fetch;
  /** Where the server is: '' for the page's own origin. */
  baseUrl?: string;
  /** The bearer token the user gave, read on each request so a new login applies at once. */
  token: () => string | null;
}

interface RpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const SESSION_HEADER = 'harness-session';

/**
 * The dashboard's one way to the server: JSON-RPC over `POST /rpc` with an HTTP session (the first
 * request sends `initialize` + `initialized`; the `Harness-Session` header it gets back rides on
 * later requests; an expired session is initialized again once), and the REST routes.
 */
export class HarnessClient {
  private session: string | null = null;
  private sessionToken: string | null = null;
  private handshake: Promise<string> | null = null;
  private nextId = 1;

  constructor(private readonly options: ClientOptions) {}

  /** Forgets the session, e.g. after a new token: the server decides who is the operator per session. */
  resetSession(): void {
    this.session = null;
    this.handshake = null;
  }

  async call<M extends MethodName>(method: M, params?: MethodParamsInput<M>): Promise<MethodResult<M>> {
    return (await this.callWithRetry(method, params ?? {}, true)) as MethodResult<M>;
  }

  private async callWithRetry(method: string, params: unknown, mayRetry: boolean): Promise<unknown> {
    const session = await this.ensureSession();
    const id = this.nextId++;
    const reply = await this.postRpc({ jsonrpc: '2.0', id, method, params }, session);
    const answer = (Array.isArray(reply.body) ? reply.body[0] : reply.body) as RpcReply | undefined;
    if (answer?.error?.code === RPC_NOT_INITIALIZED && mayRetry) {
      this.resetSession();
      return this.callWithRetry(method, params, false);
    }
    return this.unwrap(method, answer);
  }

  private ensureSession(): Promise<string> {
    const token = this.options.token();
    if (this.session !== null && this.sessionToken === token) return Promise.resolve(this.session);
    if (this.sessionToken !== token) this.resetSession();
    this.handshake ??= this.initialize(token).catch((error: unknown) => {
      this.handshake = null;
      throw error;
    });
    return this.handshake;
  }

  private async initialize(token: string | null): Promise<string> {
    const batch = [
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { client_info: { name: 'harness-dashboard' } },
      },
      { jsonrpc: '2.0', method: 'initialized' },
    ];
    const reply = await this.postRpc(batch, null);
    const answers = Array.isArray(reply.body) ? (reply.body as RpcReply[]) : [reply.body as RpcReply];
    const failed = answers.find((answer) => answer?.error !== undefined);
    if (failed) this.unwrap('initialize', failed);
    const session = reply.headers.get(SESSION_HEADER);
    if (!session)
      throw new ApiError(
        'the server began no session (no Harness-Session header)',
        'bad_response',
        200,
        false,
      );
    this.session = session;
    this.sessionToken = token;
    return session;
  }

  private async postRpc(body: unknown, session: string | null): Promise<{ body: unknown; headers: Headers }> {
    const headers = this.headers(true);
    if (session !== null) headers[SESSION_HEADER] = session;
    const response = await this.send('/rpc', { method: 'POST', headers, body: JSON.stringify(body) });
    if (!response.ok) throw await this.httpError(response, 'POST /rpc');
    return { body: await this.json(response, 'POST /rpc'), headers: response.headers };
  }

  private unwrap(method: string, answer: RpcReply | undefined): unknown {
    if (answer === undefined || answer === null || typeof answer !== 'object')
      throw new ApiError(`the server sent no answer to ${method}`, 'bad_response', 200, false);
    if (answer.error === undefined) return answer.result;
    const { code, message, data } = answer.error;
    const dataCode =
      typeof data === 'object' && data !== null && typeof (data as { code?: unknown }).code === 'string'
        ? (data as { code: string }).code
        : `rpc_${code}`;
    const needsToken = code === RPC_UNAUTHORIZED || asksForPerson(message);
    throw new ApiError(this.clean(`${method}: ${message}`), dataCode, null, needsToken);
  }

  /** A REST call; the body is sent as JSON. */
  async rest<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(body !== undefined) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.send(path, init);
    if (!response.ok) throw await this.httpError(response, `${method} ${path}`);
    return (await this.json(response, `${method} ${path}`)) as T;
  }

  /** The headers of every request: the bearer token when there is one, never anywhere else. */
  headers(json: boolean, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (json) headers['content-type'] = 'application/json';
    const token = this.options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  }

  /** A raw request (the event stream reads its body itself). */
  async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.options.fetch(`${this.options.baseUrl ?? ''}${path}`, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(this.clean(`the server cannot be reached (${reason})`), 'network', null, false);
    }
  }

  private async json(response: Response, what: string): Promise<unknown> {
    if (response.status === 204) return null;
    try {
      return await response.json();
    } catch {
      throw new ApiError(
        `${what} answered ${response.status} with a body that is not JSON`,
        'bad_response',
        response.status,
        false,
      );
    }
  }

  /** Turns a failed response into an ApiError naming the route and the server's own words. */
  async httpError(response: Response, what: string): Promise<ApiError> {
    let code = `http_${response.status}`;
    let message = `${what} answered ${response.status}`;
    try {
      const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code === 'string') code = body.error.code;
      if (typeof body.error?.message === 'string') message = `${what}: ${body.error.message}`;
    } catch {
      // Not JSON: the status line says enough.
    }
    const needsToken = response.status === 401 || (response.status === 403 && asksForPerson(message));
    return new ApiError(this.clean(message), code, response.status, needsToken);
  }

  private clean(message: string): string {
    return redactToken(message, this.options.token());
  }
}
