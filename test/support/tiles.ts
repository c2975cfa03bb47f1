// What the tiles tests share: growing a started ledger to an exact signed size, and a tiny static
// file server (node:http) that serves a directory the way any static host would.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { openCheckpoint, type Checkpoint } from '@trailmark/proofs';
import { loginEvent, type Api } from './http-api.js';

/** Records events (batches of up to 1,000) until the tree holds `size` leaves, then waits for a checkpoint of exactly that size. */
export async function growTo(api: Api, size: number, tag = 'grow'): Promise<{ note: string; checkpoint: Checkpoint }> {
  let current = await api.treeSize();
  if (current > size) throw new Error(`the log already holds ${current} leaves, more than ${size}`);
  while (current < size) {
    const count = Math.min(1_000, size - current);
    const events = Array.from({ length: count }, (_, i) => loginEvent({ actor: { type: 'user', id: `${tag}_${current + i}` } }));
    const reply = await api.post<{ events: unknown[] }>('/v1/events/batch', { events });
    if (reply.status !== 201) throw new Error(`batch failed: ${reply.status} ${reply.text}`);
    current += count;
  }
  const key = await api.verifierKey();
  for (;;) {
    const reply = await api.as(undefined).get('/v1/log/checkpoint');
    if (reply.status === 200) {
      const checkpoint = openCheckpoint(reply.text, key);
      if (checkpoint.size === BigInt(size)) return { note: reply.text, checkpoint };
      if (checkpoint.size > BigInt(size)) throw new Error(`a checkpoint of ${checkpoint.size} appeared, beyond ${size}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Serves `dir` read-only on a free loopback port: 200 with the file, 404 for anything else. */
export async function serveDirectory(dir: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!);
    requests.push(path);
    const file = join(dir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (!(statSync(file, { throwIfNoEntry: false })?.isFile() ?? false)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': path.endsWith('/checkpoint') ? 'text/plain; charset=utf-8' : 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
