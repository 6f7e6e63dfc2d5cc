import { connect } from 'node:net';

/**
 * One TCP connect to the collector, to say at start-up (rather than at the first failed export)
 * that it is not there. Only informs: the exporters keep trying, since collectors often start later.
 */
export function probeCollector(endpoint: string, timeoutMs: number): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.resolve(`invalid endpoint ${JSON.stringify(endpoint)}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.unref();
    const settle = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => settle(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    socket.once('connect', () => settle(null));
    socket.once('error', (error) => settle(`${host}:${port}: ${error.message}`));
  });
}
