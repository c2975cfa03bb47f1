// `trailmark-verify monitor --url` and `trailmark tiles export`, as a customer and an operator run them
// (the built bins): the monitor follows a live ledger through nothing but its tiles API, then a static
// copy of it served by a plain file server and as file://, and fails (exit 1) on a changed tile, an
// entry bundle that does not hash to its tile, and a second ledger signing with the log's key (a fork).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateNoteKey } from '@trailmark/checkpoint';
import { decodeEntryBundle, encodeEntryBundle } from '@trailmark/proofs';
import { Api } from './support/http-api.js';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from './support/ledger-process.js';
import { CLI_BIN, runCli, runTrailmark } from './support/run-cli.js';
import { growTo, serveDirectory } from './support/tiles.js';

const KEY = generateNoteKey('tiles.test/log');
const work = mkdtempSync(join(tmpdir(), 'trailmark-tiles-'));
let ledger: LedgerProcess;
let cleanup: () => Promise<void>;
let api: Api;

beforeAll(async () => {
  const dir = makeDataDir();
  cleanup = dir.cleanup;
  ledger = await startLedger(dir.dataDir, { TRAILMARK_SIGNING_KEY: KEY.signerKey });
  api = new Api(ledger.url);
});

afterAll(async () => {
  try {
    expect(await ledger.stop()).toBe(0);
  } finally {
    await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

// The ledgers serve their entry bundles to auditors only; the static copies serve them to anyone, so the token
// the monitor is given (in the environment, as a user would) only matters to the ledgers.
const monitor = (url: string, state: string) =>
  runCli(['monitor', '--url', url, '--key', KEY.verifierKey, '--state', state], { env: { TRAILMARK_TOKEN: DEV_TOKEN } });

/** Exports the ledger's tiles into a new directory under `work`. */
async function exportTiles(name: string): Promise<string> {
  const out = join(work, name);
  const run = await runTrailmark(['tiles', 'export', '--out', out, '--data-dir', ledger.dataDir]);
  expect(run.stderr).toMatch(/exported \d+ events in/);
  expect(run.code).toBe(0);
  return out;
}

test('the monitor verifies the whole log on its first run, then only what each new checkpoint adds', async () => {
  const state = join(work, 'live-state.json');
  await growTo(api, 300);
  const first = await monitor(`${ledger.url}/log/`, state);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/^tiles\.test\/log: verified 300 new entries, 0 → 300 \(first run: the whole log\): 2 entry bundles and 3 tiles match/);
  await growTo(api, 700);
  const second = await monitor(`${ledger.url}/log/`, state);
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/verified 400 new entries, 300 → 700: 2 entry bundles/);
  const third = await monitor(`${ledger.url}/log`, state);
  expect(third.stdout).toMatch(/unchanged, size 700 root /);
  expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ format: 'trailmark-monitor-state/1' });
});

test('tiles export writes the files the service serves; the monitor verifies that copy on a static server and as file://', async () => {
  await growTo(api, 700);
  const out = await exportTiles('export');
  expect(readFileSync(join(out, 'checkpoint'), 'utf8')).toBe((await api.get('/log/checkpoint')).text);
  for (const path of ['tile/0/001', 'tile/0/002.p/188', 'tile/1/000.p/2', 'tile/entries/002.p/188']) {
    const served = Buffer.from(await (await fetch(`${ledger.url}/log/${path}`, { headers: { authorization: `Bearer ${DEV_TOKEN}` } })).arrayBuffer());
    expect([path, readFileSync(join(out, path))]).toEqual([path, served]);
  }
  const staticHost = await serveDirectory(out);
  try {
    const run = await monitor(`${staticHost.url}/`, join(work, 'static-state.json'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/verified 700 new entries, 0 → 700/);
    expect(staticHost.requests.every((path) => path === '/checkpoint' || path.startsWith('/tile/'))).toBe(true);
  } finally {
    await staticHost.close();
  }
  const fromFiles = await monitor(pathToFileURL(out).href, join(work, 'file-state.json'));
  expect(fromFiles.code).toBe(0);
  expect(fromFiles.stdout).toMatch(/verified 700 new entries/);

  // Again into the same directory: only what is new is written.
  await growTo(api, 800);
  const again = await runTrailmark(['tiles', 'export', '--out', out, '--data-dir', ledger.dataDir]);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/exported size 800 .* 4 full ones already there/);
  expect((await monitor(pathToFileURL(out).href, join(work, 'file-state.json'))).stdout).toMatch(/verified 100 new entries, 700 → 800/);
});

test('a changed tile and an entry bundle that does not hash to its tile: exit 1, naming the tile and the root', async () => {
  await growTo(api, 800);
  const original = await exportTiles('to-tamper');

  const changedTile = join(work, 'changed-tile');
  cpSync(original, changedTile, { recursive: true });
  const tile = readFileSync(join(changedTile, 'tile/0/001'));
  tile[5 * 32]! ^= 0x01;
  writeFileSync(join(changedTile, 'tile/0/001'), tile);
  const tileRun = await monitor(pathToFileURL(changedTile).href, join(work, 'changed-tile.json'));
  expect(tileRun.code).toBe(1);
  expect(tileRun.stderr).toMatch(/serves a tile that is not the tree of its checkpoint \(size 800 root \S+=, which its entries do give\): tile\/0\/001 hash 5 is not the hash of entry 5 of tile\/entries\/001/);

  const changedEntry = join(work, 'changed-entry');
  cpSync(original, changedEntry, { recursive: true });
  const entries = decodeEntryBundle(readFileSync(join(changedEntry, 'tile/entries/001')), 256, 'bundle').map((entry) => Buffer.from(entry));
  entries[9] = Buffer.from(entries[9]!.toString('utf8').replace('"success"', '"failure"'));
  writeFileSync(join(changedEntry, 'tile/entries/001'), encodeEntryBundle(entries));
  const entryRun = await monitor(pathToFileURL(changedEntry).href, join(work, 'changed-entry.json'));
  expect(entryRun.code).toBe(1);
  expect(entryRun.stderr).toMatch(/the checkpoint of size 800 root \S+= is not the tree of the log's entries: they give root \S+=; and tile\/0\/001 hash 9 is not the hash of entry 9 of tile\/entries\/001/);
});

test('a second ledger signing with the log key (a restored backup): shrank, two roots for one size, a forked entry: exit 1 each', async () => {
  const state = join(work, 'fork-state.json');
  await growTo(api, 800);
  expect((await monitor(`${ledger.url}/log/`, state)).code).toBe(0);
  const { dataDir, cleanup: cleanupFork } = makeDataDir();
  const fork = await startLedger(dataDir, { TRAILMARK_SIGNING_KEY: KEY.signerKey });
  try {
    const forkApi = new Api(fork.url);
    const verified = JSON.stringify(JSON.parse(readFileSync(state, 'utf8')));
    const fresh = (): string => {
      writeFileSync(state, verified);
      return state;
    };
    await growTo(forkApi, 600, 'fork');
    const shrank = await monitor(`${fork.url}/log/`, fresh());
    expect(shrank.code).toBe(1);
    expect(shrank.stderr).toMatch(/log shrank: the checkpoint served is of size 600 root \S+=, the last verified one of size 800 root \S+=/);
    await growTo(forkApi, 800, 'fork');
    const twoRoots = await monitor(`${fork.url}/log/`, fresh());
    expect(twoRoots.code).toBe(1);
    expect(twoRoots.stderr).toMatch(/log forked: two roots for size 800: \S+= \(verified before\) and \S+= \(served now\).*kept the verified state in .*saved the served one in .*conflicting-checkpoint-size-800/);
    await growTo(forkApi, 900, 'fork');
    const forked = await monitor(`${fork.url}/log/`, fresh());
    expect(forked.code).toBe(1);
    expect(forked.stderr).toMatch(/log forked: entry 768 is not the one verified in the checkpoint of size 800 root \S+=; the log now serves a checkpoint of size 900 root \S+=/);
  } finally {
    expect(await fork.stop()).toBe(0);
    await cleanupFork();
  }
});

test('without an auditor token the monitor says the ledger keeps its entry bundles to auditors', async () => {
  const run = await runCli(['monitor', '--url', `${ledger.url}/log/`, '--key', KEY.verifierKey, '--state', join(work, 'no-token.json')]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/tile\/entries\/000 answered HTTP 401: this log serves its entry bundles to auditors only; give an auditor token with --token or \$TRAILMARK_TOKEN/);
});

test('--follow verifies each new checkpoint as it appears', async () => {
  await growTo(api, 800);
  const child = spawn(
    process.execPath,
    [CLI_BIN, 'monitor', '--url', `${ledger.url}/log/`, '--key', KEY.verifierKey, '--state', join(work, 'follow.json'), '--follow', '--interval', '0.2', '--token', DEV_TOKEN],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = async (count: number): Promise<void> => {
    while (stdout.split('\n').length <= count) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  try {
    await lines(1);
    expect(stdout).toMatch(/verified 800 new entries, 0 → 800/);
    await growTo(api, 1100);
    await lines(2);
    expect(stdout.split('\n')[1]).toMatch(/verified 300 new entries, 800 → 1100/);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('serve refuses a TRAILMARK_TILES_PREFIX that is not a plain path, or lies under /v1/', async () => {
  for (const prefix of ['/v1/log', 'log', '/log/../x', '/a b/']) {
    const run = await runTrailmark(['serve'], { TRAILMARK_TILES_PREFIX: prefix, TRAILMARK_DATA_DIR: join(work, 'never-started') });
    expect([prefix, run.code]).toEqual([prefix, 2]);
    expect(run.stderr).toContain(`TRAILMARK_TILES_PREFIX=${prefix} is not a URL path like /log/`);
  }
});
