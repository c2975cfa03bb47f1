// A data dir put back from an older backup must not fork the log. On the embedded store the high-water mark
// (checkpoint.latest, outside ledger.db) makes the ledger refuse to sign; on EventStoreDB the data dir is derived
// state and the checkpoints of record are the `trailmark-checkpoints` stream, which a restored data dir cannot
// make it sign against.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateNoteKey } from '@trailmark/checkpoint';
import { EsdbEventStore } from '@trailmark/event-store';
import { encodeBase64, openCheckpoint, type Checkpoint } from '@trailmark/proofs';
import { Api, loginEvent, verifyGrowth } from '../support/http-api.js';
import { eventStoreDBOf, makeDataDir, TEST_STORE } from '../support/ledger-process.js';
import { leftoverKiller, refusedStart } from '../support/refused-start.js';

/** Each test starts the ledger several times: a budget no slow machine trips, not a measure of speed. */
const SEVERAL_STARTS_MS = 600_000;

const ledgers = leftoverKiller();
afterEach(() => ledgers.killLeftovers());

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

function dataDirForTest(): string {
  const { dataDir, cleanup } = makeDataDir();
  cleanups.push(cleanup);
  return dataDir;
}

/** Starts the ledger, records `count` events (the last waiting for a checkpoint), stops it; the checkpoint served last. */
async function recordAndStop(dataDir: string, count: number, env: Record<string, string> = {}): Promise<{ note: string; checkpoint: Checkpoint }> {
  const ledger = await ledgers.start(dataDir, env);
  const api = new Api(ledger.url);
  for (let i = 0; i < count; i++) await api.record(loginEvent({ actor: { type: 'user', id: `u_${i}` } }), i === count - 1 ? '?wait=checkpoint' : '');
  const latest = await api.checkpoint();
  expect(await ledger.stop()).toBe(0);
  return latest;
}

/** A backup of a stopped embedded ledger as the README says to take one: SQLite's online backup of ledger.db. */
async function backUpLedgerDb(dataDir: string, to: string): Promise<void> {
  const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
}

/** Restores ledger.db alone from `backup`, as the README says: the data dir's checkpoint.latest and signing.key stay. */
function restoreLedgerDb(dataDir: string, backup: string): void {
  for (const name of ['ledger.db', 'ledger.db-wal', 'ledger.db-shm']) rmSync(join(dataDir, name), { force: true });
  cpSync(backup, join(dataDir, 'ledger.db'));
}

function storedCheckpointSizes(dataDir: string): bigint[] {
  const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  try {
    return db.prepare<[], { size: bigint }>('SELECT size FROM checkpoints ORDER BY size').safeIntegers(true).all().map((row) => row.size);
  } finally {
    db.close();
  }
}

const sqliteOnly = TEST_STORE === 'sqlite' ? describe : describe.skip;
const esdbOnly = TEST_STORE === 'esdb' ? describe : describe.skip;

sqliteOnly('embedded store: the high-water mark', () => {
  test('an older ledger.db put back is refused: the message names both sizes and the ways forward, and nothing is signed', async () => {
    const dataDir = dataDirForTest();
    const backups = dataDirForTest();
    const first = await recordAndStop(dataDir, 4);
    await backUpLedgerDb(dataDir, join(backups, 'older.db'));
    const second = await recordAndStop(dataDir, 5);
    await backUpLedgerDb(dataDir, join(backups, 'newer.db'));
    expect(second.checkpoint.size).toBeGreaterThan(first.checkpoint.size);
    // The mark is the note served last, as it was served.
    expect(readFileSync(join(dataDir, 'checkpoint.latest'), 'utf8')).toBe(second.note);

    restoreLedgerDb(dataDir, join(backups, 'older.db'));
    const output = await refusedStart(dataDir);
    expect(output).toContain(
      `refusing to sign: this log already signed a checkpoint of size ${second.checkpoint.size} ` +
        `(root ${encodeBase64(second.checkpoint.root)}, recorded in ${join(dataDir, 'checkpoint.latest')}), ` +
        `but the data holds checkpoints up to size ${first.checkpoint.size} and a tree of ${first.checkpoint.size} leaves`,
    );
    expect(output).toContain(`Restore a backup taken at size ${second.checkpoint.size} or later, or start a new log under a new origin`);
    expect(output).toMatch(/^trailmark: refusing to sign/m);
    // Nothing was signed, and the mark still holds what was served.
    expect(storedCheckpointSizes(dataDir).at(-1)).toBe(first.checkpoint.size);
    expect(readFileSync(join(dataDir, 'checkpoint.latest'), 'utf8')).toBe(second.note);

    // The way forward the message gives: a backup at least as new as the mark.
    restoreLedgerDb(dataDir, join(backups, 'newer.db'));
    const ledger = await ledgers.start(dataDir);
    const api = new Api(ledger.url);
    await api.record(loginEvent(), '?wait=checkpoint');
    const after = await api.checkpoint();
    await verifyGrowth(api, second.checkpoint, after.checkpoint);
    expect(await ledger.stop()).toBe(0);
  }, SEVERAL_STARTS_MS);

  test('a ledger.db as large as the mark but of other events is refused: the tree does not give the signed root', async () => {
    const { signerKey } = generateNoteKey('restore.example/log');
    const env = { TRAILMARK_SIGNING_KEY: signerKey };
    const dataDir = dataDirForTest();
    const other = dataDirForTest();
    const marked = await recordAndStop(dataDir, 3, env);
    const larger = await recordAndStop(other, 6, env);
    expect(larger.checkpoint.size).toBeGreaterThan(marked.checkpoint.size);

    restoreLedgerDb(dataDir, join(other, 'ledger.db'));
    const output = await refusedStart(dataDir, env);
    expect(output).toContain(`this log already signed a checkpoint of size ${marked.checkpoint.size} (root ${encodeBase64(marked.checkpoint.root)}`);
    expect(output).toMatch(/but the tree the data gives has root [A-Za-z0-9+/]{43}= at that size/);
    expect(storedCheckpointSizes(dataDir).at(-1)).toBe(larger.checkpoint.size);
  }, SEVERAL_STARTS_MS);

  test('a data dir of an older version, with checkpoints but no mark, gets its mark on start', async () => {
    const dataDir = dataDirForTest();
    const before = await recordAndStop(dataDir, 2);
    rmSync(join(dataDir, 'checkpoint.latest'));
    const ledger = await ledgers.start(dataDir);
    expect(readFileSync(join(dataDir, 'checkpoint.latest'), 'utf8')).toBe(before.note);
    expect(await ledger.stop()).toBe(0);
  }, SEVERAL_STARTS_MS);
});

esdbOnly('EventStoreDB: the trailmark-checkpoints stream', () => {
  test('an older data dir put back cannot make the ledger sign against the stream: it follows it and grows from its latest', async () => {
    const dataDir = dataDirForTest();
    const backup = join(dataDirForTest(), 'data');
    const first = await recordAndStop(dataDir, 4);
    mkdirSync(backup);
    cpSync(dataDir, backup, { recursive: true });
    const second = await recordAndStop(dataDir, 5);
    expect(second.checkpoint.size).toBeGreaterThan(first.checkpoint.size);

    // The whole data dir back as it was, mark included.
    for (const name of readdirSync(dataDir)) rmSync(join(dataDir, name), { recursive: true, force: true });
    cpSync(backup, dataDir, { recursive: true });
    expect(existsSync(join(dataDir, 'signing.key'))).toBe(true);

    const ledger = await ledgers.start(dataDir);
    const api = new Api(ledger.url);
    const served = await api.checkpoint();
    // Never behind what was served before the restore, and consistent with it.
    expect(served.checkpoint.size).toBeGreaterThanOrEqual(second.checkpoint.size);
    await verifyGrowth(api, second.checkpoint, served.checkpoint);
    await api.record(loginEvent(), '?wait=checkpoint');
    const grown = await api.checkpoint();
    await verifyGrowth(api, second.checkpoint, grown.checkpoint);
    const verifierKey = await api.verifierKey();
    expect(await ledger.stop()).toBe(0);

    // The stream of record: one checkpoint per size, sizes only growing, the one served before the restore kept.
    const store = EsdbEventStore.connect((await eventStoreDBOf(dataDir)).connectionString);
    try {
      const claimed = (await store.readStream('trailmark-checkpoints')).map((event) =>
        openCheckpoint(new TextDecoder().decode(event.data), verifierKey),
      );
      const sizes = claimed.map((checkpoint) => checkpoint.size);
      expect(sizes).toEqual([...sizes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(sizes).size).toBe(sizes.length);
      const before = claimed.find((checkpoint) => checkpoint.size === second.checkpoint.size);
      expect(before && encodeBase64(before.root)).toBe(encodeBase64(second.checkpoint.root));
      expect(sizes.at(-1)).toBe(grown.checkpoint.size);
    } finally {
      await store.close();
    }
  }, SEVERAL_STARTS_MS);
});
