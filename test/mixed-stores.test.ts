// A data dir belongs to one event store: a start with the other store refuses at once, naming both, and writes
// nothing; a data dir that an older release let both stores write to is refused with what to do instead.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EsdbProtocolDouble } from '@trailmark/esdb-double';
import { Api, loginEvent } from './support/http-api.js';
import { makeDataDir } from './support/ledger-process.js';
import { leftoverKiller, refusedStart } from './support/refused-start.js';

const SEVERAL_STARTS_MS = 600_000;
const STORE_FILE = 'trailmark-store.json';

const ledgers = leftoverKiller();
afterEach(() => ledgers.killLeftovers());

/** Every file of the data dir and a digest of its bytes: what a refused start must leave as it was. */
function snapshot(dataDir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dataDir).map((name) => [name, createHash('sha256').update(readFileSync(join(dataDir, name))).digest('hex')]));
}

test('a SQLite data dir: an EventStoreDB start refuses naming both stores and writes nothing', async () => {
  const { dataDir, cleanup } = makeDataDir();
  const esdb = await EsdbProtocolDouble.start();
  try {
    const ledger = await ledgers.start(dataDir);
    await new Api(ledger.url).record(loginEvent(), '?wait=checkpoint');
    expect(await ledger.stop()).toBe(0);
    expect(JSON.parse(readFileSync(join(dataDir, STORE_FILE), 'utf8'))).toEqual({ store: 'sqlite', origin: 'trailmark.local/log' });

    const before = snapshot(dataDir);
    const output = await refusedStart(dataDir, { ESDB_CONNECTION_STRING: esdb.connectionString });
    expect(output).toContain(
      `trailmark: refusing to start: the data dir ${dataDir} belongs to the embedded SQLite store (events in ledger.db), but this start is configured for EventStoreDB at ${esdb.connectionString}`,
    );
    expect(snapshot(dataDir)).toEqual(before);

    // It still starts as it was.
    const again = await ledgers.start(dataDir);
    expect((await new Api(again.url).record(loginEvent(), '?wait=checkpoint')).leafIndex).toBe(1);
    expect(await again.stop()).toBe(0);
  } finally {
    await esdb.close();
    await cleanup();
  }
}, SEVERAL_STARTS_MS);

test('an EventStoreDB data dir: a SQLite start refuses naming both stores', async () => {
  const { dataDir, cleanup } = makeDataDir();
  const esdb = await EsdbProtocolDouble.start();
  try {
    const ledger = await ledgers.start(dataDir, { ESDB_CONNECTION_STRING: esdb.connectionString });
    await new Api(ledger.url).record(loginEvent(), '?wait=checkpoint');
    expect(await ledger.stop()).toBe(0);

    const before = snapshot(dataDir);
    const output = await refusedStart(dataDir);
    expect(output).toContain(
      `trailmark: refusing to start: the data dir ${dataDir} belongs to EventStoreDB at ${esdb.connectionString}, but this start is configured for the embedded SQLite store (events in ledger.db)`,
    );
    expect(snapshot(dataDir)).toEqual(before);
  } finally {
    await esdb.close();
    await cleanup();
  }
}, SEVERAL_STARTS_MS);

test('a data dir from before the store file is judged by ledger.db; one both stores wrote to cannot be repaired', async () => {
  const { dataDir, cleanup } = makeDataDir();
  const esdb = await EsdbProtocolDouble.start();
  try {
    const ledger = await ledgers.start(dataDir);
    await new Api(ledger.url).record(loginEvent(), '?wait=checkpoint');
    expect(await ledger.stop()).toBe(0);
    rmSync(join(dataDir, STORE_FILE));
    expect(await refusedStart(dataDir, { ESDB_CONNECTION_STRING: esdb.connectionString })).toContain('belongs to the embedded SQLite store');

    // What an EventStoreDB start in this data dir left before the refusal existed: leaves beyond the embedded events.
    const db = new Database(join(dataDir, 'ledger.db'));
    db.prepare('UPDATE merkle_tree SET size = size + 3').run();
    db.close();
    const output = await refusedStart(dataDir);
    expect(output).toContain(`trailmark: cannot repair: the data dir ${dataDir} holds 1 events of the embedded SQLite store and a tree of 4 leaves`);
    expect(output).toContain('Rebuild from the store');
  } finally {
    await esdb.close();
    await cleanup();
  }
}, SEVERAL_STARTS_MS);
