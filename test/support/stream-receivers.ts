// Receivers for the log-stream tests: an HTTP server that keeps what a webhook, Splunk HEC or Datadog sink
// POSTs, and the helpers that read delivered NDJSON back.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface HttpReceiver {
  readonly url: string;
  /** Every request that was answered 2xx, in arrival order. */
  readonly accepted: ReceivedRequest[];
  /** Requests answered with an error status. */
  readonly refused: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP receiver. `answer(request, n)` gives the status of the n-th request (0-based), e.g. 503 for the
 * first few to play a receiver that is down; accepted bodies are appended to `file` when given.
 */
export async function startHttpReceiver(
  options: { answer?: (request: ReceivedRequest, n: number) => number; file?: string; reply?: (request: ReceivedRequest) => string } = {},
): Promise<HttpReceiver> {
  const accepted: ReceivedRequest[] = [];
  const refused: ReceivedRequest[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = options.answer?.(request, n++) ?? 200;
      if (status >= 200 && status < 300) {
        accepted.push(request);
        if (options.file) appendFileSync(options.file, request.body);
      } else {
        refused.push(request);
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(options.reply?.(request) ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Checks a `Trailmark-Signature: t=…,v1=…` header against the body, as a receiver would. */
export function signatureValid(header: string | string[] | undefined, body: string, key: string): boolean {
  const match = typeof header === 'string' ? header.match(/^t=(\d+),v1=([0-9a-f]{64})$/) : null;
  if (!match) return false;
  const expected = createHmac('sha256', key).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

/** The JSON lines of NDJSON bodies, in order. */
export function ndjsonLines(bodies: readonly string[]): Record<string, unknown>[] {
  return bodies.flatMap((body) => body.split('\n').filter((line) => line !== '')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls `condition` until it holds; Jest's timeout bounds the wait, so no wall-clock threshold of its own. */
export async function until(condition: () => boolean | Promise<boolean>, pauseMs = 25): Promise<void> {
  while (!(await condition())) await sleep(pauseMs);
}
