/**
 * The baseline: a bare `node:http` server that answers every POST with a fixed body, the same
 * bytes Harness returns for `health/check`. Whatever Harness does beyond this is its overhead.
 */
import { createServer } from 'node:http';

const body = process.argv[2] ?? '{}';
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
