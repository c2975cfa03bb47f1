// bench/streams: how fast one log stream delivers a backlog, to a local webhook and to rsyslog (TCP), in
// batches, against the ingest rate of the same run; and what 100 streams cost the write path. It records
// EVENTS events through the batch API (timed: the ingest baseline), then per receiver creates a stream from
// leaf 0 and times until the receiver holds them all. Then it times EVENTS more events with 100 webhook
// streams following the tenant, and EVENTS again once they are deleted. Prints events/s and ratios; nothing
// here is asserted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../apps/ledger/bin/trailmark.js', import.meta.url));
const TOKEN = 'bench-token';
const EVENTS = Number(process.env.EVENTS ?? 20_000);
const RSYSLOGD = '/usr/sbin/rsyslogd';

async function startLedger(dataDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TRAILMARK_DATA_DIR: dataDir, TRAILMARK_DEV_TOKEN: TOKEN,
      TRAILMARK_LOG_LEVEL: 'warn', TRAILMARK_STREAM_ALLOW_PRIVATE: '1', TRAILMARK_CHECKPOINT_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`ledger exited (${code}): ${output}`)));
  });
  return { url, stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }) };
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function createStream(ledger: string, sink: Record<string, unknown>, secret: string | undefined, start: 'now' | { leaf: number }): Promise<string> {
  const created = await post(`${ledger}/v1/tenants/bench/streams`, { name: 'bench', sink, ...(secret && { secret }), filter: { actions: ['user.login'] }, start });
  return created.id as string;
}

async function deleteStream(ledger: string, id: string): Promise<void> {
  const response = await fetch(`${ledger}/v1/tenants/bench/streams/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
  if (response.status >= 300) throw new Error(`DELETE stream ${id}: ${response.status} ${await response.text()}`);
}

/** Seconds from creating a stream from leaf 0 until the receiver holds the backlog; the stream is deleted after. */
async function timeDelivery(ledger: string, sink: Record<string, unknown>, secret: string | undefined, delivered: () => number): Promise<number> {
  const started = process.hrtime.bigint();
  const id = await createStream(ledger, sink, secret, { leaf: 0 });
  while (delivered() < EVENTS) await sleep(20);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await deleteStream(ledger, id);
  return seconds;
}

let ingested = 0;

/** Seconds to record EVENTS events of tenant bench through the batch API, 1,000 a request. */
async function timeIngest(ledger: string): Promise<number> {
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < EVENTS; sent += 1000) {
    const events = Array.from({ length: Math.min(1000, EVENTS - sent) }, () => {
      const user = `u_${ingested++}`;
      return { tenant: 'bench', action: 'user.login', outcome: 'success', actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }] };
    });
    await post(`${ledger}/v1/events/batch`, { events });
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const rate = (seconds: number) => Math.round(EVENTS / seconds);

const dir = mkdtempSync(join(tmpdir(), 'trailmark-bench-streams-'));
const ledger = await startLedger(join(dir, 'data'));
try {
  const ingestSeconds = await timeIngest(ledger.url);
  console.log(`ingest, no stream: ${EVENTS} events in ${ingestSeconds.toFixed(2)} s = ${rate(ingestSeconds)} events/s (batches of 1,000)`);

  let webhookRecords = 0;
  const server = createServer((req, res) => {
    let lines = 0;
    req.on('data', (chunk: Buffer) => { for (const byte of chunk) if (byte === 0x0a) lines++; });
    req.on('end', () => { webhookRecords += lines - 1; res.end('{}'); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const webhookSeconds = await timeDelivery(ledger.url, { type: 'webhook', url: webhookUrl }, 'k', () => webhookRecords);
  console.log(
    `webhook: ${EVENTS} events in ${webhookSeconds.toFixed(2)} s = ${rate(webhookSeconds)} events/s, ` +
      `${(ingestSeconds / webhookSeconds).toFixed(2)} x ingest (native JSON, one batch proof each, HMAC-signed batches)`,
  );

  if (existsSync(RSYSLOGD)) {
    const port = await freePort();
    const work = join(dir, 'rsyslog');
    mkdirSync(work);
    const out = join(work, 'out.log');
    writeFileSync(join(work, 'rsyslog.conf'), [
      `global(workDirectory="${work}")`, 'module(load="imtcp")', 'template(name="raw" type="string" string="%rawmsg%\\n")',
      `ruleset(name="r") { action(type="omfile" file="${out}" template="raw") }`, `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="r")`, '',
    ].join('\n'));
    const rsyslog = spawn(RSYSLOGD, ['-n', '-f', join(work, 'rsyslog.conf'), '-i', join(work, 'pid')], { stdio: 'ignore' });
    await sleep(1000);
    const count = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((line) => line.includes(' user.login ')).length : 0);
    const seconds = await timeDelivery(ledger.url, { type: 'syslog', host: '127.0.0.1', port, tls: false }, undefined, count);
    console.log(
      `rsyslog (TCP, octet counting): ${EVENTS} events in ${seconds.toFixed(2)} s = ${rate(seconds)} events/s, ` +
        `${(ingestSeconds / seconds).toFixed(2)} x ingest (native JSON, read back from its file)`,
    );
    rsyslog.kill('SIGTERM');
  } else {
    console.log(`rsyslog: skipped, ${RSYSLOGD} is missing`);
  }

  // The write path with 100 streams following the tenant (delivering to the webhook receiver), between two
  // runs without any: the ratio is against their mean, so a machine slowing down through the run shows.
  const followers: string[] = [];
  for (let i = 0; i < 100; i++) followers.push(await createStream(ledger.url, { type: 'webhook', url: webhookUrl }, 'k', 'now'));
  // A request the service drops while its event loop is busy with the streams is a result too, not a crash.
  const withStreams = await timeIngest(ledger.url).catch((error: Error) => error);
  for (const id of followers) await deleteStream(ledger.url, id);
  const without = await timeIngest(ledger.url);
  const baseline = (ingestSeconds + without) / 2;
  console.log(
    withStreams instanceof Error
      ? `ingest, 100 streams: failed (${withStreams.message.slice(0, 120)}); without: ${rate(ingestSeconds)} and ${rate(without)} events/s`
      : `ingest, 100 streams: ${rate(withStreams)} events/s; without: ${rate(ingestSeconds)} and ${rate(without)} events/s; ` +
          `time with / without = ${(withStreams / baseline).toFixed(2)}`,
  );
  server.close();
} finally {
  await ledger.stop();
  rmSync(dir, { recursive: true, force: true });
}
