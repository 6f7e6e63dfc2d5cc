/** stdio specifics: line framing, oversized lines, CRLF, and exit at end of input. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RpcFailure } from '@harness/protocol';
import { StdioClient, isolatedEnv, tempDir } from '@harness/testkit';

describe('stdio transport', () => {
  it('frames by line, tolerates CRLF and blank lines, refuses oversized lines, and exits 0 at EOF', async () => {
    const dir = tempDir();
    const client = StdioClient.start(path.join(dir.path, 'data'), isolatedEnv(dir.path), []);
    // Two messages in one write, CRLF endings and a blank line between them.
    client.writeRaw('{"jsonrpc":"2.0","id":1,"method":"initialize"}\r\n\r\n');
    const first = await client.send('{"jsonrpc":"2.0","id":2,"method":"thread/list"}');
    expect(first).toBeDefined();
    await client.close();
    expect(client.child.exitCode).toBe(0);
    dir.remove();
  });

  it('answers a line longer than server.max_body_bytes with -32600 and keeps going', async () => {
    const dir = tempDir();
    const configFile = path.join(dir.path, 'config.toml');
    writeFileSync(configFile, '[server]\nmax_body_bytes = 4096\n');
    const client = StdioClient.start(
      path.join(dir.path, 'data'),
      isolatedEnv(dir.path, { HARNESS_CONFIG: configFile }),
    );
    const oversized = (await client.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: { pad: 'z'.repeat(10_000) } }),
    )) as RpcFailure;
    expect(oversized.error.code).toBe(-32600);
    expect(oversized.error.message).toMatch(/4096 bytes/);
    const next = (await client.send('{"jsonrpc":"2.0","id":2,"method":"initialize"}')) as {
      id: number;
      result: unknown;
    };
    expect(next.id).toBe(2);
    await client.close();
    dir.remove();
  });
});
