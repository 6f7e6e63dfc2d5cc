import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run dev` forwards the API: a `harness serve --transport http` on this machine. */
const api = process.env.HARNESS_URL ?? 'http://127.0.0.1:9800';

export default defineConfig({
  root,
  // Relative asset URLs: the page works wherever harness serve mounts it.
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No source maps in the served files: they would ship the sources for nothing.
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(
      ['/rpc', '/tasks', '/api', '/health'].map((path) => [
        path,
        {
          target: api,
          changeOrigin: true,
          // The page is on vite's port, not the server's: without its Origin the forwarded request
          // is same-site for the server, as it is when harness serve hosts the page itself.
          configure: (proxy: {
            on(event: 'proxyReq', listener: (request: { removeHeader(name: string): void }) => void): void;
          }) => proxy.on('proxyReq', (request) => request.removeHeader('origin')),
        },
      ]),
    ),
  },
});
