// Starts the real ledger service (`trailmark serve`, the built bin) as a child process on a free
// loopback port, for end-to-end tests that speak HTTP to it. `npm test` builds before Jest runs.
//
// The Jest project `e2e-esdb` runs the same tests with the ledger on EventStoreDB: each data dir then gets
// its own EventStoreDB protocol double, in this process, kept across restarts on that data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EsdbProtocolDouble } from '@trailmark/esdb-double';

export const TRAILMARK_BIN = fileURLToPath(new URL('../../apps/ledger/bin/trailmark.js', import.meta.url));
export const DEV_TOKEN = 'dev-token-for-tests';

export interface LedgerProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr and stdout so far. */
  output(): string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/** The event store the ledgers of this test run use: the Jest project sets it. */
export type TestStore = 'sqlite' | 'esdb';
export const TEST_STORE: TestStore = (globalThis as { TRAILMARK_TEST_STORE?: TestStore }).TRAILMARK_TEST_STORE ?? 'sqlite';

const eventStoreDBs = new Map<string, EsdbProtocolDouble>();

/** The EventStoreDB double of a data dir, started on first use (esdb runs only). */
export async function eventStoreDBOf(dataDir: string): Promise<EsdbProtocolDouble> {
  let double = eventStoreDBs.get(dataDir);
  if (!double) {
    double = await EsdbProtocolDouble.start();
    eventStoreDBs.set(dataDir, double);
  }
  return double;
}

export function makeDataDir(): { dataDir: string; cleanup(): Promise<void> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'trailmark-e2e-'));
  return {
    dataDir,
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await eventStoreDBs.get(dataDir)?.close();
      eventStoreDBs.delete(dataDir);
    },
  };
}

/** Starts `trailmark serve` on `dataDir` and resolves once it listens and /health/ready answers 200. */
export async function startLedger(dataDir: string, env: Record<string, string> = {}): Promise<LedgerProcess> {
  const store = TEST_STORE === 'esdb' ? { ESDB_CONNECTION_STRING: (await eventStoreDBOf(dataDir)).connectionString } : {};
  const child = spawn(process.execPath, [TRAILMARK_BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      TRAILMARK_DATA_DIR: dataDir,
      TRAILMARK_DEV_TOKEN: DEV_TOKEN,
      TRAILMARK_CHECKPOINT_INTERVAL_MS: '100',
      TRAILMARK_LOG_LEVEL: 'warn',
      ...store,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': by then everything the process wrote has arrived, so output() is whole.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = output.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`trailmark serve exited with ${code} before listening:\n${output}`)));
  });
  const ready = await fetch(`${url}/health/ready`);
  if (ready.status !== 200) throw new Error(`trailmark serve is not ready: ${ready.status} ${await ready.text()}`);
  return {
    url,
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
