// bench/merkle: what the tree costs on this machine, against the hashing floor measured in the same run.
//
//   npm run bench:merkle            all scenarios (a few minutes)
//   npm run bench:merkle -- --quick 1M leaves only
//
// Each scenario runs in a child process of its own, so that its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { MerkleTree as MerkleTreeJs } from 'merkletreejs';
import { MemoryTileStore, MerkleTree, SqliteTileStore, type TileStore } from '@trailmark/merkle';
import { hashLeaf } from '@trailmark/proofs';

const LEAF_BYTES = 64;
const APPEND_BATCH = 10_000;
const PROOF_SAMPLES = 20_000;

interface Result {
  scenario: string;
  leaves: number;
  seconds: number;
  leavesPerSecond?: number;
  hashesPerSecond?: number;
  inclusion?: Percentiles;
  consistency?: Percentiles;
  peakRssMb: number;
}
interface Percentiles {
  medianUs: number;
  p99Us: number;
}

const scenarios: Record<string, (leaves: number) => Result> = {
  sha256: () => {
    const input = new Uint8Array(65);
    const count = 2_000_000;
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      input[1] = i;
      sha256(input);
    }
    const seconds = (performance.now() - start) / 1000;
    return { scenario: 'sha256', leaves: 0, seconds, hashesPerSecond: count / seconds, peakRssMb: peakRssMb() };
  },
  memory: (leaves) => treeScenario('memory', leaves, () => new MemoryTileStore()),
  sqlite: (leaves) => {
    const dir = mkdtempSync(join(tmpdir(), 'trailmark-bench-'));
    try {
      return treeScenario('sqlite', leaves, () => SqliteTileStore.open(join(dir, 'tiles.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  merkletreejs: (leaves) => {
    const sha = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
    const start = performance.now();
    const leafHashes: Buffer[] = [];
    for (let i = 0; i < leaves; i++) leafHashes.push(Buffer.from(hashLeaf(leafBytes(i))));
    const tree = new MerkleTreeJs(leafHashes, (data: Buffer) => sha(Buffer.concat([Buffer.of(1), data])), { hashLeaves: false });
    const seconds = (performance.now() - start) / 1000;
    const inclusion = percentiles(PROOF_SAMPLES / 10, () => {
      const index = randomBelow(leaves);
      return timeUs(() => tree.getProof(leafHashes[index], index));
    });
    return { scenario: 'merkletreejs', leaves, seconds, leavesPerSecond: leaves / seconds, inclusion, peakRssMb: peakRssMb() };
  },
};

function treeScenario(scenario: string, leaves: number, openStore: () => TileStore): Result {
  let tree = MerkleTree.open(openStore());
  const batch = Array.from({ length: APPEND_BATCH }, () => new Uint8Array(LEAF_BYTES));
  const start = performance.now();
  for (let done = 0; done < leaves; done += APPEND_BATCH) {
    const count = Math.min(APPEND_BATCH, leaves - done);
    for (let i = 0; i < count; i++) writeCounter(batch[i], done + i);
    tree.append(count === APPEND_BATCH ? batch : batch.slice(0, count));
  }
  const seconds = (performance.now() - start) / 1000;
  if (scenario === 'sqlite') tree = MerkleTree.open(openStore());
  const size = tree.size;
  const inclusion = percentiles(PROOF_SAMPLES, () => {
    const index = BigInt(randomBelow(leaves));
    return timeUs(() => tree.proveInclusion(index, size));
  });
  const consistency = percentiles(PROOF_SAMPLES, () => {
    const oldSize = BigInt(1 + randomBelow(leaves - 1));
    return timeUs(() => tree.proveConsistency(oldSize, size));
  });
  return { scenario, leaves, seconds, leavesPerSecond: leaves / seconds, inclusion, consistency, peakRssMb: peakRssMb() };
}

function leafBytes(i: number): Uint8Array {
  const leaf = new Uint8Array(LEAF_BYTES);
  writeCounter(leaf, i);
  return leaf;
}

function writeCounter(leaf: Uint8Array, i: number): void {
  new DataView(leaf.buffer, leaf.byteOffset).setFloat64(0, i);
}

function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

function timeUs(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1000;
}

function percentiles(samples: number, sample: () => number): Percentiles {
  for (let i = 0; i < 200; i++) sample();
  const times = Array.from({ length: samples }, sample).sort((a, b) => a - b);
  return { medianUs: times[Math.floor(samples / 2)], p99Us: times[Math.floor(samples * 0.99)] };
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function runChild(scenario: string, leaves: number): Result {
  process.stderr.write(`bench/merkle: ${scenario}${leaves ? ` ${leaves.toLocaleString('en')} leaves` : ''} …\n`);
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', scenario, String(leaves)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output) as Result;
}

function report(results: Result[]): void {
  const floor = results.find((r) => r.scenario === 'sha256')!.hashesPerSecond! / 2;
  const fmt = (n: number | undefined, digits = 0): string => (n === undefined ? '—' : n.toLocaleString('en', { maximumFractionDigits: digits }));
  const ours = (scenario: string, leaves: number): Result | undefined => results.find((r) => r.scenario === scenario && r.leaves === leaves);
  console.log(`\nSHA-256 (@noble/hashes, 65-byte inputs, one core): ${fmt(floor * 2)} hashes/s → hashing floor ${fmt(floor)} leaves/s (2 hashes a leaf)\n`);
  console.log('| store | leaves | append leaves/s | % of floor | inclusion median / p99 µs | consistency median / p99 µs | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results.filter((r) => r.scenario !== 'sha256')) {
    const proof = (p?: Percentiles): string => (p ? `${fmt(p.medianUs, 1)} / ${fmt(p.p99Us, 1)}` : '—');
    console.log(
      `| ${r.scenario} | ${fmt(r.leaves)} | ${fmt(r.leavesPerSecond)} | ${fmt((100 * r.leavesPerSecond!) / floor)}% | ${proof(r.inclusion)} | ${proof(r.consistency)} | ${fmt(r.peakRssMb)} |`,
    );
  }
  const js = results.find((r) => r.scenario === 'merkletreejs');
  const memory = js && ours('memory', js.leaves);
  if (js && memory) {
    const ratio = (ourCost: number, theirCost: number, cheaper: string, dearer: string): string =>
      ourCost <= theirCost ? `${fmt(theirCost / ourCost, 1)}× ${cheaper}` : `${fmt(ourCost / theirCost, 1)}× ${dearer}`;
    console.log(
      `\nAt ${fmt(js.leaves)} leaves, the memory store against merkletreejs (which hashes with node:crypto and keeps every node in memory): ` +
        `build ${ratio(1 / memory.leavesPerSecond!, 1 / js.leavesPerSecond!, 'faster', 'slower')}, ` +
        `inclusion proof median ${ratio(memory.inclusion!.medianUs, js.inclusion!.medianUs, 'faster', 'slower')}, ` +
        `peak RSS ${ratio(memory.peakRssMb, js.peakRssMb, 'smaller', 'larger')}.`,
    );
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(scenarios[args[1]](Number(args[2]))));
} else {
  const sizes = args.includes('--quick') ? [1_000_000] : [1_000_000, 10_000_000];
  const results = [runChild('sha256', 0)];
  for (const leaves of sizes) for (const store of ['memory', 'sqlite']) results.push(runChild(store, leaves));
  results.push(runChild('merkletreejs', 1_000_000));
  report(results);
}
