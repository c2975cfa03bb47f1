// bench/tiles: what the C2SP tiles cost on this machine.
//
//   npm run bench:tiles                          20,000 events served, a 262,144-entry log monitored (under a minute)
//   npm run bench:tiles -- --entries 1000000     the monitor over a 1M-entry log
//   npm run bench:tiles -- --only monitor        one half (fetch | monitor)
//
// 1. Full-tile fetch latency: the real service (`trailmark serve`, embedded SQLite store) fed over HTTP,
//    then GET /log/tile/0/<N> one at a time over a keep-alive connection; and the same tile read straight
//    from the store (hashTileBody over SqliteTileStore), without HTTP.
// 2. The monitor's verification rate: followLog (what `trailmark-verify monitor` runs, with node:crypto's
//    SHA-256) over the tiles and entry bundles of a log of realistic envelopes, held in memory so that the
//    figure is the verification's, not the disk's or the network's; against the SHA-256 rate measured in the
//    same run for one leaf hash plus one node hash per entry, the least a verifier must hash.
import { spawn, type ChildProcess } from 'node:child_process';
import { hash as nativeHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { MemoryTileStore, MerkleTree, SqliteTileStore, tileBody } from '@trailmark/merkle';
import { encodeEntryBundle, entriesPath, followLog, tilePath, type Checkpoint } from '@trailmark/proofs';
import { hashTileBody } from '@trailmark/ledger';

const BIN = fileURLToPath(new URL('../../apps/ledger/bin/trailmark.js', import.meta.url));
const TOKEN = 'bench-token';
const SERVED_EVENTS = 20_000;
const FETCH_SAMPLES = 2_000;
const WARM_UP = 1_000;
const args = process.argv.slice(2);
const ENTRIES = Number(args[args.indexOf('--entries') + 1] ?? 0) || 262_144;

function percentiles(samples: number[]): { medianMs: number; p99Ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, p99Ms: sorted[Math.floor(sorted.length * 0.99)]! };
}

async function startLedger(dataDir: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TRAILMARK_DATA_DIR: dataDir, TRAILMARK_DEV_TOKEN: TOKEN, TRAILMARK_LOG_LEVEL: 'warn', TRAILMARK_CHECKPOINT_INTERVAL_MS: '100', TRAILMARK_PUBLIC_ENTRIES: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ledger exited (${code}): ${output}`)));
  });
  return { url, child, stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }) };
}

function envelope(i: number): Record<string, unknown> {
  return {
    tenant: 'acme',
    action: 'user.login',
    outcome: i % 7 === 0 ? 'failure' : 'success',
    actor: { type: 'user', id: `u_${i % 5000}`, authMethod: 'password' },
    targets: [{ type: 'user', id: `u_${i % 5000}` }],
    context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0' },
  };
}

async function tileFetchLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trailmark-bench-tiles-'));
  const ledger = await startLedger(dir);
  try {
    for (let done = 0; done < SERVED_EVENTS; done += 1000) {
      const events = Array.from({ length: 1000 }, (_, i) => envelope(done + i));
      const reply = await fetch(`${ledger.url}/v1/events/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      if (reply.status !== 201) throw new Error(`batch: ${reply.status} ${await reply.text()}`);
    }
    const fullTiles = SERVED_EVENTS >> 8;
    for (;;) {
      const checkpoint = await (await fetch(`${ledger.url}/log/checkpoint`)).text();
      if (Number(checkpoint.split('\n')[1]) >= SERVED_EVENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Tile fetches alternate with fetches of a constant (GET /v1/log/key) on the same connection, so that
    // both see the same machine: the difference is what serving a tile costs on top of the HTTP stack.
    const tileSamples: number[] = [];
    const baseline: number[] = [];
    const timed = async (url: string, bytes?: number): Promise<number> => {
      const start = performance.now();
      const reply = await fetch(url);
      const body = await reply.arrayBuffer();
      const elapsed = performance.now() - start;
      if (reply.status !== 200 || (bytes !== undefined && body.byteLength !== bytes)) throw new Error(`${url}: ${reply.status}, ${body.byteLength} bytes`);
      return elapsed;
    };
    for (let i = 0; i < WARM_UP + FETCH_SAMPLES; i++) {
      const tile = await timed(`${ledger.url}/log/${tilePath(0, BigInt(i % fullTiles))}`, 8192);
      const constant = await timed(`${ledger.url}/v1/log/key`);
      if (i < WARM_UP) continue; // the JIT and the connection warm up
      tileSamples.push(tile);
      baseline.push(constant);
    }
    const http = percentiles(tileSamples);
    const floor = percentiles(baseline);
    await ledger.stop();

    const db = new Database(join(dir, 'ledger.db')); // the service stopped: the store's own class, as the service reads it
    const store = new SqliteTileStore(db);
    const direct: number[] = [];
    for (let i = 0; i < WARM_UP + FETCH_SAMPLES; i++) {
      const start = performance.now();
      hashTileBody(store, 0, BigInt(i % fullTiles), 256, BigInt(SERVED_EVENTS));
      if (i >= WARM_UP) direct.push(performance.now() - start);
    }
    db.close();
    const fromStore = percentiles(direct);
    console.log(`full-tile fetch, GET /log/tile/0/N over HTTP (${FETCH_SAMPLES} fetches, ${fullTiles} tiles): median ${http.medianMs.toFixed(3)} ms, p99 ${http.p99Ms.toFixed(3)} ms (target < 1 ms median)`);
    console.log(`the HTTP floor, GET /v1/log/key (a constant string), alternating with those on the same connection: median ${floor.medianMs.toFixed(3)} ms, p99 ${floor.p99Ms.toFixed(3)} ms`);
    console.log(`full-tile read from the embedded store alone: median ${(fromStore.medianMs * 1000).toFixed(1)} µs, p99 ${(fromStore.p99Ms * 1000).toFixed(1)} µs`);
  } finally {
    if (ledger.child.exitCode === null) await ledger.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A log of `count` envelopes as its tiles API would serve it, in memory: path → bytes. */
function tiledLog(count: number): { files: Map<string, Uint8Array>; checkpoint: Checkpoint; entryBytes: number } {
  const tree = MerkleTree.open(new MemoryTileStore());
  const files = new Map<string, Uint8Array>();
  const time = Date.parse('2026-12-01T00:00:00Z');
  let entryBytes = 0;
  for (let bundle = 0; bundle * 256 < count; bundle++) {
    const width = Math.min(256, count - bundle * 256);
    const leaves = Array.from({ length: width }, (_, i) => {
      const n = bundle * 256 + i;
      const e = envelope(n) as { actor: object; targets: object[]; outcome: string };
      const leaf = JSON.stringify({ action: 'user.login', actor: e.actor, detail: 'q1Jd0Y5Vb9m2yJm2r7tH0dT7bqYl0bM9N3f2o5yQx0c=', id: randomUUID(), outcome: e.outcome, targets: e.targets, tenant: 'acme', time: new Date(time + n).toISOString().replace('Z', '000Z'), v: 1 });
      return new TextEncoder().encode(leaf);
    });
    for (const leaf of leaves) entryBytes += leaf.length;
    tree.append(leaves);
    files.set(entriesPath(BigInt(bundle), width), encodeEntryBundle(leaves));
  }
  const size = BigInt(count);
  for (let level = 0; size >> BigInt(8 * level) > 0n; level++) {
    const hashes = Number(size >> BigInt(8 * level));
    for (let index = 0; index * 256 < hashes; index++) {
      const width = Math.min(256, hashes - index * 256);
      const tile = tree.readTiles([{ level, index }])[0]!;
      files.set(tilePath(level, BigInt(index), width), tileBody({ ...tile, width }));
    }
  }
  return { files, checkpoint: { origin: 'bench.example/log', size, root: tree.root(), extensions: [] }, entryBytes: entryBytes / count };
}

async function monitorRate(): Promise<void> {
  const sha256 = (data: Uint8Array): Uint8Array => nativeHash('sha256', data, 'buffer');
  const { files, checkpoint, entryBytes } = tiledLog(ENTRIES);

  // The floor: one leaf hash (0x00 || an entry of the average size) and one node hash (65 bytes) per entry.
  const leaf = new Uint8Array(1 + Math.round(entryBytes));
  const node = new Uint8Array(65);
  const hashes = 500_000;
  const hashCpu = process.cpuUsage();
  const hashStart = performance.now();
  for (let i = 0; i < hashes; i++) {
    leaf[1] = i;
    node[1] = i;
    sha256(leaf);
    sha256(node);
  }
  const floor = hashes / ((performance.now() - hashStart) / 1000);
  const floorCpu = process.cpuUsage(hashCpu);
  const floorPerCpuSecond = hashes / ((floorCpu.user + floorCpu.system) / 1e6);

  const fetch = async (path: string): Promise<Uint8Array | undefined> => files.get(path)?.slice(); // a fresh copy, as from a network
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await followLog({ fetch, checkpoint, sha256, prefetch: 16 });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const rate = Number(result.entries) / seconds;
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `monitor: verified ${result.entries} entries (${entryBytes.toFixed(0)} bytes each on average; ${result.bundles} bundles, ${result.tiles} tiles) in ${seconds.toFixed(2)} s: ` +
      `${Math.round(rate).toLocaleString('en')} entries/s (target ≥ 200,000); CPU ${cpuSeconds.toFixed(2)} s: ` +
      `${Math.round(Number(result.entries) / cpuSeconds).toLocaleString('en')} entries per CPU second (the fairer figure on a shared machine)`,
  );
  const perCpuSecond = Number(result.entries) / cpuSeconds;
  console.log(
    `SHA-256 floor, one leaf hash and one node hash per entry (node:crypto): ${Math.round(floor).toLocaleString('en')} entries/s, ` +
      `${Math.round(floorPerCpuSecond).toLocaleString('en')} per CPU second; the monitor runs at ${((100 * perCpuSecond) / floorPerCpuSecond).toFixed(0)}% of it (per CPU second)`,
  );
}

// --only fetch | --only monitor runs one half.
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
if (only !== 'monitor') await tileFetchLatency();
if (only !== 'fetch') await monitorRate();
