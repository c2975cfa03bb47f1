// bench/alerts: how fast the alert engine catches up with a log, and what memory it holds doing so. The log is a
// store of N identity events (failed and successful logins over 20,000 users and 2,000 IPs with places, role grants,
// exports), written first; then, in the same run, a bare subscription reads it (the baseline: the store's own
// read cost) and the engine judges it in-process with the default rule pack, its alerts going through the
// outbox to a sink that counts them.
//
//   npm run bench:alerts                  200,000 events
//   npm run bench:alerts -- --events 1000000
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEngine, AlertOutbox, SqliteAlertStore, type EventBody } from '@trailmark/alerts';
import { IDENTITY_STREAM_PREFIX } from '@trailmark/domain';
import { SqliteEventStore, type EventData } from '@trailmark/event-store';

const at = process.argv.indexOf('--events');
const EVENTS = at > 0 ? Number(process.argv[at + 1]) : 200_000;
const START = Date.parse('2026-03-02T00:00:00Z');
/** 5 ms of server time per event: a million events span 83 minutes, so the 10-minute windows turn over. */
const STEP_MS = 5;
const utf8 = new TextEncoder();

let seed = 42;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

function eventAt(i: number): EventData {
  const time = new Date(START + i * STEP_MS).toISOString().replace('Z', '000Z');
  const user = `u_${random(20_000)}`;
  const ip = `10.0.${random(8)}.${random(250)}`;
  const kind = random(100);
  const base = { v: 1, id: randomUUID(), tenant: `t${random(10)}`, time };
  let envelope: object;
  let detail: object | undefined;
  if (kind < 60) {
    envelope = { ...base, action: 'user.login', outcome: 'failure', actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }] };
    detail = { context: { ip } };
  } else if (kind < 90) {
    envelope = { ...base, action: 'user.login', outcome: 'success', actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }] };
    detail = { context: { ip, geo: { country: 'FR', latitude: 40 + random(20), longitude: random(40) - 20 } } };
  } else if (kind < 95) {
    envelope = { ...base, action: 'role.granted', outcome: 'success', actor: { type: 'user', id: 'boss' }, targets: [{ type: 'user', id: user }, { type: 'role', id: random(2) ? 'admin' : 'viewer' }] };
  } else {
    envelope = { ...base, action: 'data.exported', outcome: 'success', actor: { type: 'user', id: user }, targets: [{ type: 'dataset', id: 'd' }] };
    detail = { metadata: { rowCount: random(200_000) } };
  }
  return {
    id: (envelope as { id: string }).id,
    type: 'IdentityEvent',
    data: utf8.encode(JSON.stringify(envelope)),
    metadata: utf8.encode(JSON.stringify(detail === undefined ? {} : { detail, salt: 'AAAAAAAAAAAAAAAAAAAAAA==' })),
  };
}

const LIVE_RATE = 1_000;
const LIVE_SECONDS = 20;
const TICK_MS = 50;

/**
 * After the catch-up: LIVE_RATE events/s appended in ticks of TICK_MS, every 4th tick with a self-grant of a new
 * user (each one alert, critical) whose append time is remembered for the latency.
 */
async function liveLoad(store: SqliteEventStore, triggered: Map<string, number>, latencies: number[]): Promise<{ triggers: number }> {
  const perTick = (LIVE_RATE * TICK_MS) / 1000;
  let next = EVENTS;
  let triggers = 0;
  const ticks = (LIVE_SECONDS * 1000) / TICK_MS;
  const due = performance.now();
  for (let tick = 0; tick < ticks; tick += 1) {
    const events = Array.from({ length: perTick }, () => eventAt(next++));
    if (tick % 4 === 0) {
      const user = `live_${tick}`;
      const grant = {
        v: 1, id: randomUUID(), tenant: 't0', time: new Date(START + next * STEP_MS).toISOString().replace('Z', '000Z'),
        action: 'role.granted', outcome: 'success', actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }, { type: 'role', id: 'admin' }],
      };
      events[0] = { id: grant.id, type: 'IdentityEvent', data: utf8.encode(JSON.stringify(grant)), metadata: utf8.encode('{}') };
      triggered.set(grant.id, performance.now());
      triggers += 1;
    }
    await store.append({ stream: `${IDENTITY_STREAM_PREFIX}bench.live`, expectedRevision: 'any', events });
    // Paced on the schedule, not on the previous tick: a slow tick does not lower the rate.
    const wait = due + (tick + 1) * TICK_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const deadline = performance.now() + 10_000;
  while (latencies.length < triggers && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return { triggers };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
};

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** CPU time of the process since `since` (user and system, every thread): on a shared machine, steadier than wall time. */
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trailmark-bench-alerts-'));
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  try {
    for (let i = 0; i < EVENTS; i += 1000) {
      const events = Array.from({ length: Math.min(1000, EVENTS - i) }, (_, j) => eventAt(i + j));
      await store.append({ stream: `${IDENTITY_STREAM_PREFIX}bench.user.${i % 100}`, expectedRevision: 'any', events });
    }
    console.log(`${EVENTS} events written; catch-up of the whole log\n`);

    const readStarted = performance.now();
    const readCpu = process.cpuUsage();
    let read = 0;
    let subscription: { close(): Promise<void> } | undefined;
    await new Promise<void>((resolve, reject) => {
      subscription = store.subscribeToAll(
        { from: 'start', streamPrefix: IDENTITY_STREAM_PREFIX },
        {
          onEvents: (events) => {
            read += events.length;
            if (read >= EVENTS) resolve();
          },
          onError: reject,
        },
      );
    });
    await subscription!.close();
    const readSeconds = (performance.now() - readStarted) / 1000;
    const readCpuSeconds = cpuSeconds(readCpu);

    const alerts = SqliteAlertStore.open(join(dir, 'alerts.db'));
    let recorded = 0;
    const onError = (error: Error) => console.error('engine:', error);
    /** Wall time each live trigger was appended at, by event id; the sink takes the latency when its alert comes. */
    const triggered = new Map<string, number>();
    const latencies: number[] = [];
    const record = async (body: EventBody) => {
      recorded += 1;
      const evidence = (body.metadata as { evidence: { id: string }[] }).evidence;
      const appendedAt = triggered.get(evidence.at(-1)!.id);
      if (appendedAt !== undefined) latencies.push(performance.now() - appendedAt);
    };
    const outbox = new AlertOutbox(alerts, { record }, onError);
    const engine = new AlertEngine(store, alerts, { onError });
    engine.listen({ raised: () => outbox.drain() });
    const heapBefore = heapMb();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const samples: string[] = [];
    let next = EVENTS / 4;
    const sampler = setInterval(() => {
      const { leafCount, stateKeys } = engine.status();
      if (leafCount >= next) {
        const rate = (leafCount / ((performance.now() - started) / 1000)).toFixed(0);
        samples.push(`${leafCount}: ${rate} events/s so far, heap ${heapMb().toFixed(0)} MB, RSS ${rssMb().toFixed(0)} MB, ${stateKeys} state keys`);
        next += EVENTS / 4;
      }
    }, 50);
    await engine.start();
    const seconds = (performance.now() - started) / 1000;
    const engineCpuSeconds = cpuSeconds(cpu);
    clearInterval(sampler);
    await outbox.idle();
    const { stateKeys } = engine.status();
    const live = await liveLoad(store, triggered, latencies);
    await engine.stop();
    alerts.close();

    console.log('what | events/s | seconds | events per CPU second | CPU seconds');
    console.log('---|---|---|---|---');
    const row = (what: string, wall: number, cpuTime: number) =>
      console.log(`${what} | ${(EVENTS / wall).toFixed(0)} | ${wall.toFixed(2)} | ${(EVENTS / cpuTime).toFixed(0)} | ${cpuTime.toFixed(2)}`);
    row('bare subscription (baseline)', readSeconds, readCpuSeconds);
    row('alert engine, default rules', seconds, engineCpuSeconds);
    console.log(`\nengine / baseline time: ${(seconds / readSeconds).toFixed(2)} (CPU time: ${(engineCpuSeconds / readCpuSeconds).toFixed(2)}); alerts recorded: ${recorded}; state keys at the end: ${stateKeys}`);
    console.log(`heap before the engine: ${heapBefore.toFixed(0)} MB; during catch-up (sampled):\n  ${samples.join('\n  ') || 'none'}`);
    console.log(
      `\nlive: ${LIVE_RATE} events/s of background load for ${LIVE_SECONDS} s, ${live.triggers} self-grants among them; ` +
        `event appended → its alert recorded: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms ` +
        `(${latencies.length} alerts); heap after ${heapMb().toFixed(0)} MB, RSS ${rssMb().toFixed(0)} MB`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
