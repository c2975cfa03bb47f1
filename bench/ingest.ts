// bench/ingest: the ledger service on loopback, driven by autocannon, against a bare Fastify server
// measured in the same run (the HTTP ceiling of this machine with the load generator on it too).
//
//   npm run bench:ingest              all figures (about 4 minutes)
//   npm run bench:ingest -- --quick   shorter runs, 100k events for the RSS figure
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 5 : 15;
const CONNECTIONS = 64;
const TOKEN = 'bench-token';
const BIN = fileURLToPath(new URL('../../apps/ledger/bin/trailmark.js', import.meta.url));

const event = (i = 0) => ({
  tenant: 'acme',
  action: 'user.login',
  outcome: i % 10 === 0 ? 'failure' : 'success',
  reason: i % 10 === 0 ? 'wrong_password' : undefined,
  actor: { type: 'user', id: `u_${i % 1000}`, authMethod: 'password' },
  targets: [{ type: 'user', id: `u_${i % 1000}` }],
  context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (bench)', requestId: `req-${i}` },
});
const singleBody = JSON.stringify(event());
const batchBody = JSON.stringify({ events: Array.from({ length: 100 }, (_, i) => event(i)) });

interface Run {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

async function drive(url: string, body: string, connections = CONNECTIONS, seconds = SECONDS): Promise<Run> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body,
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function bareFastify(): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  let count = 0;
  app.post('/v1/events', async (request, reply) => reply.status(201).send({ id: String(++count), body: typeof request.body }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

async function startLedger(dataDir: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    // No rate limit: the bench measures how fast one client may go.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TRAILMARK_DATA_DIR: dataDir, TRAILMARK_DEV_TOKEN: TOKEN, TRAILMARK_LOG_LEVEL: 'warn', TRAILMARK_RATE_LIMIT: '0' },
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
  return {
    url,
    child,
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) / 1024;
}

/** Linux's USER_HZ (`getconf CLK_TCK`): /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of each live thread of `pid`, by thread id, from /proc. */
function threadCpuSeconds(pid: number): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // After the command name in parentheses, fields 3 on of proc_pid_stat(5): utime and stime are 14 and 15.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(tid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return seconds;
}

/** Where the CPU of a run went, in µs per event: the service's main thread, its other threads, the load generator. */
interface CpuPerEvent {
  main: number;
  otherThreads: number;
  loadGenerator: number;
}

async function withCpu(pid: number, eventsPerRequest: number, run: () => Promise<Run>): Promise<Run & { cpu: CpuPerEvent }> {
  const before = threadCpuSeconds(pid);
  const ownBefore = process.cpuUsage();
  const result = await run();
  const own = process.cpuUsage(ownBefore);
  const after = threadCpuSeconds(pid);
  const events = result.requests * eventsPerRequest;
  let main = 0;
  let others = 0;
  for (const [tid, seconds] of after) {
    const used = seconds - (before.get(tid) ?? 0);
    if (tid === String(pid)) main += used;
    else others += used;
  }
  const perEvent = (seconds: number) => (seconds * 1e6) / events;
  return { ...result, cpu: { main: perEvent(main), otherThreads: perEvent(others), loadGenerator: (own.user + own.system) / events } };
}

/**
 * POST ?wait=checkpoint answers when a signed checkpoint covers the event: its latency is the time
 * from POST to coverage. Samples arrive at random moments (a closed loop would line every client up
 * behind the same checkpoint), over a background load of single events.
 */
async function timeToCheckpoint(url: string): Promise<Run> {
  const background = autocannon({
    url: `${url}/v1/events`,
    method: 'POST',
    connections: 8,
    overallRate: 1000,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: singleBody,
  });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + (SECONDS - 1) * 1000;
  const sampler = async () => {
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1500));
      const start = performance.now();
      const response = await fetch(`${url}/v1/events?wait=checkpoint`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: singleBody,
      });
      await response.arrayBuffer();
      if (response.status === 201) latencies.push(performance.now() - start);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, sampler));
  await background;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, requestsPerSecond: Number.NaN, p50Ms: at(0.5), p99Ms: at(0.99), errors, non2xx: 0 };
}

async function fillTo(url: string, events: number): Promise<number> {
  let done = 0;
  const batch = JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => event(i)) });
  const worker = async () => {
    while (done < events) {
      done += 1000;
      const response = await fetch(`${url}/v1/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: batch });
      if (response.status !== 201) throw new Error(`batch answered ${response.status}: ${await response.text()}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: 4 }, worker));
  return done / ((performance.now() - start) / 1000);
}

/** trailmark_projection_lag_events: how far the search read model is behind the tree. */
async function projectionLag(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(metrics.match(/^trailmark_projection_lag_events (\d+)$/m)?.[1] ?? Number.NaN);
}

const fmt = (n: number, digits = 0) => (Number.isNaN(n) ? '—' : n.toLocaleString('en', { maximumFractionDigits: digits }));
const dataDir = mkdtempSync(join(tmpdir(), 'trailmark-bench-ingest-'));
try {
  process.stderr.write('bench/ingest: bare Fastify baseline …\n');
  const bare = await bareFastify();
  const baseline = await drive(`${bare.url}/v1/events`, singleBody);
  await bare.close();

  const ledger = await startLedger(dataDir);
  process.stderr.write('bench/ingest: single events …\n');
  const pid = ledger.child.pid!;
  const single = await withCpu(pid, 1, () => drive(`${ledger.url}/v1/events`, singleBody));
  process.stderr.write('bench/ingest: batches of 100 …\n');
  const batches = await withCpu(pid, 100, () => drive(`${ledger.url}/v1/events/batch`, batchBody, 8));
  process.stderr.write('bench/ingest: time to a signed checkpoint …\n');
  const coverage = await timeToCheckpoint(ledger.url);
  const target = quick ? 100_000 : 1_000_000;
  const stored = Number(((await (await fetch(`${ledger.url}/health/ready`)).json()) as { treeSize: number }).treeSize);
  process.stderr.write(`bench/ingest: filling to ${fmt(target)} events for the RSS figure …\n`);
  const fillRate = await fillTo(ledger.url, Math.max(0, target - stored));
  const rss = rssMb(ledger.child.pid!);
  const lag = await projectionLag(ledger.url);
  await ledger.stop();

  console.log(`\nbench/ingest, ${SECONDS} s runs, ${CONNECTIONS} connections, load generator on the same 2-core machine\n`);
  console.log('| what | events/s | p50 ms | p99 ms | errors / non-2xx |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (name: string, run: Run, perRequest = 1) =>
    console.log(`| ${name} | ${fmt(run.requestsPerSecond * perRequest)} | ${fmt(run.p50Ms, 1)} | ${fmt(run.p99Ms, 1)} | ${run.errors} / ${run.non2xx} |`);
  row('bare Fastify POST (baseline, nothing stored)', baseline);
  row('POST /v1/events (durable, in the tree)', single);
  row('POST /v1/events/batch, 100 a batch, 8 connections', batches, 100);
  row(`POST ?wait=checkpoint at random moments under 1,000 events/s: time to a signed checkpoint (${coverage.requests} samples)`, coverage);
  console.log(
    `\nsingle-event ingest = ${fmt((100 * single.requestsPerSecond) / baseline.requestsPerSecond)}% of the bare HTTP baseline; ` +
      `batch ingest = ${fmt((100 * batches.requestsPerSecond * 100) / baseline.requestsPerSecond)}% of it (events/s over requests/s).`,
  );
  const cores = availableParallelism();
  for (const [name, { cpu }] of [['single events', single], ['batches', batches]] as const) {
    const all = cpu.main + cpu.otherThreads + cpu.loadGenerator;
    console.log(
      `CPU per event, ${name}: service main thread ${fmt(cpu.main)} µs, its other threads ${fmt(cpu.otherThreads)} µs ` +
        `(projector, garbage collection), load generator ${fmt(cpu.loadGenerator)} µs; ${fmt(all)} µs in all, so ` +
        `${cores} cores allow at most ${fmt((cores * 1e6) / all)} events/s at this cost, and the main thread alone ${fmt(1e6 / cpu.main)}.`,
    );
  }
  console.log(`RSS of the service after ${fmt(target)} events: ${fmt(rss)} MB (filled with batches of 1,000 at ${fmt(fillRate)} events/s).`);
  console.log(`Search projection behind the tree when the fill ended: ${fmt(lag)} events.`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
