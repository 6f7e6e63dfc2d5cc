import { describe, expect, it } from 'vitest';
import { AppServerConnection, UnsupportedRequest } from './app-server.js';

function connection(onRequest: (method: string, params: unknown) => Promise<unknown> = async () => ({})) {
  const sent: unknown[] = [];
  const notes: [string, unknown][] = [];
  const problems: string[] = [];
  const conn = new AppServerConnection((line) => sent.push(JSON.parse(line)), {
    notification: (method, params) => notes.push([method, params]),
    request: onRequest,
    malformed: (problem) => problems.push(problem),
  });
  return { conn, sent, notes, problems };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the codex app-server connection', () => {
  it('correlates responses with requests, omitting the jsonrpc member as Codex does', async () => {
    const { conn, sent } = connection();
    const first = conn.request('thread/start', { cwd: '/w' });
    const second = conn.request('turn/start', {});
    expect(sent).toEqual([
      { id: 1, method: 'thread/start', params: { cwd: '/w' } },
      { id: 2, method: 'turn/start', params: {} },
    ]);
    conn.receive('{"id":2,"result":{"turn":{"id":"t"}}}');
    conn.receive('{"id":1,"error":{"code":-32600,"message":"bad cwd"}}');
    await expect(second).resolves.toEqual({ turn: { id: 't' } });
    await expect(first).rejects.toThrow('codex app-server thread/start: bad cwd (-32600)');
  });

  it('answers requests from Codex, and an unknown one with method-not-found', async () => {
    const { conn, sent } = connection(async (method) => {
      if (method === 'item/commandExecution/requestApproval') return { decision: 'decline' };
      throw new UnsupportedRequest(`Harness does not answer ${method}`);
    });
    conn.receive('{"id":0,"method":"item/commandExecution/requestApproval","params":{}}');
    conn.receive('{"id":"x","method":"attestation/generate","params":{}}');
    await tick();
    expect(sent).toEqual([
      { id: 0, result: { decision: 'decline' } },
      { id: 'x', error: { code: -32601, message: 'Harness does not answer attestation/generate' } },
    ]);
  });

  it('dispatches notifications and reports lines that are not protocol messages', () => {
    const { conn, notes, problems } = connection();
    conn.receive('{"method":"turn/started","params":{"turn":{}}}');
    conn.receive('not json');
    conn.receive('{"id":99,"result":{}}');
    conn.receive('{"method":7}');
    expect(notes).toEqual([['turn/started', { turn: {} }]]);
    expect(problems).toHaveLength(3);
    expect(problems[1]).toContain('a response to no request of ours');
  });

  it('fails waiting requests when closed and refuses new ones', async () => {
    const { conn, sent } = connection();
    const waiting = conn.request('turn/start', {});
    conn.close('codex exited with code 1');
    await expect(waiting).rejects.toThrow('codex exited with code 1');
    await expect(conn.request('turn/steer', {})).rejects.toThrow('codex exited with code 1');
    conn.notify('initialized');
    expect(sent).toHaveLength(1);
  });
});
