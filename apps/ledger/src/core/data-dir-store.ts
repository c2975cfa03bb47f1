import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LedgerConfig } from '../config.js';
import { withoutCredentials } from '../esdb-start.js';

/** Which event store a data dir's log lives in, and the log's origin: written at its first start. */
export const STORE_FILE = 'trailmark-store.json';

export interface DataDirStore {
  readonly store: 'sqlite' | 'esdb';
  /** EventStoreDB's address (without credentials); for the operator, not compared: a cluster's nodes may change. */
  readonly address?: string;
  readonly origin: string;
}

/** The data dir belongs to another store than the one configured, or holds two stores' state: the ledger will not open it. */
export class DataDirStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirStoreError';
  }
}

const LEDGER_DB = 'ledger.db';

function describe(store: DataDirStore['store'], address?: string): string {
  return store === 'sqlite' ? 'the embedded SQLite store (events in ledger.db)' : `EventStoreDB${address === undefined ? '' : ` at ${address}`}`;
}

function configured(config: LedgerConfig): { store: DataDirStore['store']; address?: string } {
  return config.esdbConnectionString === undefined ? { store: 'sqlite' } : { store: 'esdb', address: withoutCredentials(config.esdbConnectionString) };
}

/**
 * Refuses, before anything is written, a data dir that belongs to the other store: an EventStoreDB start on a
 * SQLite data dir would put EventStoreDB's events in the tree beside the embedded ones. A data dir from before
 * the store file is judged by what ledger.db holds.
 */
export function checkDataDirStore(config: LedgerConfig): void {
  const recorded = readRecorded(config.dataDir) ?? inferFromLedgerDb(config.dataDir);
  if (recorded === undefined) return;
  const wanted = configured(config);
  if (recorded.store !== wanted.store) {
    throw new DataDirStoreError(
      `refusing to start: the data dir ${config.dataDir} belongs to ${describe(recorded.store, recorded.address)}, but this start is ` +
        `configured for ${describe(wanted.store, wanted.address)}. Start it as it was (${recorded.store === 'sqlite' ? 'unset ESDB_CONNECTION_STRING' : 'set ESDB_CONNECTION_STRING'}), ` +
        'or give this store its own TRAILMARK_DATA_DIR',
    );
  }
  if (config.origin !== undefined && recorded.origin !== '' && recorded.origin !== config.origin) {
    throw new DataDirStoreError(
      `refusing to start: the data dir ${config.dataDir} holds the log "${recorded.origin}", but TRAILMARK_ORIGIN is "${config.origin}": a new log needs a new data dir`,
    );
  }
}

/** Records the store and origin once the data dir is this process's (its lock taken); kept as it is afterwards. */
export function recordDataDirStore(config: LedgerConfig, origin: string): void {
  const file = join(config.dataDir, STORE_FILE);
  if (existsSync(file)) return;
  const record: DataDirStore = { ...configured(config), origin };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

function readRecorded(dataDir: string): DataDirStore | undefined {
  const file = join(dataDir, STORE_FILE);
  if (!existsSync(file)) return undefined;
  let record: Partial<DataDirStore>;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirStore>;
  } catch (error) {
    throw new DataDirStoreError(`${file} is damaged (${(error as Error).message}): restore it from a backup of the data dir, or delete it to have it judged again from ledger.db`);
  }
  if (record.store !== 'sqlite' && record.store !== 'esdb') {
    throw new DataDirStoreError(`${file} names no store ("sqlite" or "esdb"): restore it from a backup of the data dir, or delete it to have it judged again from ledger.db`);
  }
  return { store: record.store, ...(record.address !== undefined && { address: record.address }), origin: record.origin ?? '' };
}

/**
 * A data dir without the store file: embedded events make it SQLite's; a tree without them, EventStoreDB's. A
 * tree larger than the embedded events is both: an EventStoreDB start wrote its events' leaves after them.
 */
function inferFromLedgerDb(dataDir: string): DataDirStore | undefined {
  const file = join(dataDir, LEDGER_DB);
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const events = tables.has('events') ? (db.prepare('SELECT count(*) FROM events').pluck().get() as number) : 0;
    const treeSize = tables.has('merkle_tree') ? ((db.prepare('SELECT size FROM merkle_tree WHERE id = 1').pluck().get() as number | undefined) ?? 0) : 0;
    if (events > 0 && treeSize > events) {
      throw new DataDirStoreError(
        `cannot repair: the data dir ${dataDir} holds ${events} events of the embedded SQLite store and a tree of ${treeSize} leaves: ` +
          'an EventStoreDB start wrote its events into it, and the checkpoints it signed since cover both. Rebuild from the store: ' +
          'restore the data dir from a backup taken before that start (README, "Back up and restore"); an EventStoreDB ledger ' +
          'needs a data dir of its own, which it fills from EventStoreDB',
      );
    }
    if (events > 0) return { store: 'sqlite', origin: '' };
    if (treeSize > 0) return { store: 'esdb', origin: '' };
    return undefined;
  } finally {
    db.close();
  }
}
