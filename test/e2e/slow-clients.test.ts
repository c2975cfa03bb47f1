// Slow clients cannot hold the service: 1,000 connections that send their headers or bodies slowly
// (slow loris) are open at once, and a normal request still answers; the anonymous ones are answered
// 401 at once, and the server closes every one of them by its own timeouts. Sized by counts: no
// assertion on how long anything took, only generous bounds on waiting for it.
import { connect, type Socket } from 'node:net';
import { DEV_TOKEN } from '../support/ledger-process.js';
import { loginEvent, sharedLedger } from '../support/http-api.js';

const SLOW_HEADERS = 400;
const ANONYMOUS_SLOW_BODIES = 300;
const AUTHENTICATED_SLOW_BODIES = 300;

const ledger = sharedLedger(() => ({
  TRAILMARK_REQUEST_TIMEOUT_MS: '3000',
  TRAILMARK_HEADERS_TIMEOUT_MS: '2000',
  TRAILMARK_KEEP_ALIVE_TIMEOUT_MS: '1000',
}));

interface SlowClient {
  readonly socket: Socket;
  /** What the server sent. */
  received: string;
  /** Resolves when the server closed the connection (we never end it ourselves). */
  readonly closed: Promise<void>;
}

function openSlowClient(url: string, start: string): Promise<SlowClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let onClose: () => void = () => {};
    const client: SlowClient = { socket, received: '', closed: new Promise<void>((done) => (onClose = done)) };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (client.received += chunk));
    socket.on('error', () => {}); // a reset by the server is one way of closing
    socket.on('close', onClose);
    socket.once('connect', () => {
      socket.write(start);
      resolve(client);
    });
    socket.once('error', reject);
  });
}

function postHead(authorization: string | undefined, contentLength: number): string {
  const auth = authorization === undefined ? '' : `Authorization: ${authorization}\r\n`;
  return `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${auth}Content-Length: ${contentLength}\r\n\r\n`;
}

test('1,000 slow connections do not hold the service, and the server closes every one of them', async () => {
  const url = ledger.api().url;
  const body = JSON.stringify(loginEvent());
  const clients: { kind: 'headers' | 'anonymous' | 'authenticated'; client: SlowClient }[] = [];
  // Opened in small groups, so the listen backlog is never the limit being measured.
  const open = async (kind: (typeof clients)[number]['kind'], count: number, start: string) => {
    for (let i = 0; i < count; i += 50) {
      const group = await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => openSlowClient(url, start)));
      clients.push(...group.map((client) => ({ kind, client })));
    }
  };
  await open('headers', SLOW_HEADERS, 'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic');
  await open('anonymous', ANONYMOUS_SLOW_BODIES, postHead(undefined, body.length) + body.slice(0, 5));
  await open('authenticated', AUTHENTICATED_SLOW_BODIES, postHead(`Bearer ${DEV_TOKEN}`, body.length) + body.slice(0, 5));
  expect(clients).toHaveLength(1000);

  // With all 1,000 open, a normal client is served.
  const ready = await fetch(`${url}/health/ready`);
  expect(ready.status).toBe(200);
  const recorded = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  expect(recorded.status).toBe(201);

  // The server ends every one of them by itself: the anonymous at once with a 401 (their body is never
  // read), the others when the headers or request timeout passes.
  await Promise.all(clients.map(({ client }) => client.closed));
  const anonymous = clients.filter(({ kind }) => kind === 'anonymous');
  expect(anonymous.filter(({ client }) => client.received.startsWith('HTTP/1.1 401')).length).toBe(ANONYMOUS_SLOW_BODIES);
  // None of the slow uploads was recorded: the normal event is the only one in the log.
  const others = clients.filter(({ kind }) => kind !== 'anonymous');
  expect(others.filter(({ client }) => /^HTTP\/1\.1 20\d/.test(client.received)).length).toBe(0);
  expect(await ledger.api().treeSize()).toBe(1);

  // And the service still answers afterwards.
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);
}, 300_000);

test('an idle keep-alive connection is closed by the server after its keep-alive timeout', async () => {
  const client = await openSlowClient(ledger.api().url, 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  await client.closed;
  expect(client.received.startsWith('HTTP/1.1 200')).toBe(true);
  expect(client.received.toLowerCase()).toContain('keep-alive');
}, 300_000);
