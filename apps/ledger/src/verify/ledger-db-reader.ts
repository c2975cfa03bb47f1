import type Database from 'better-sqlite3';
import { IDENTITY_STREAM_PREFIX } from '@trailmark/domain';

// `trailmark verify` reads ledger.db through a read-only handle with its own SELECTs, not through the
// stores' classes: their constructors exec their schema (CREATE TRIGGER IF NOT EXISTS, and the tile
// store an INSERT OR IGNORE), which a read-only handle refuses as soon as anything is missing, and
// an attacker who dropped the events triggers made something missing. A read-only handle also
// guarantees that checking a ledger can never change it.

/** An event of the store, as the `events` table holds it. */
export interface StoredEventRow {
  readonly position: bigint;
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

/** A row of the ledger index (`ledger_leaves`): which event the sequencer made leaf `leafIndex`. */
export interface IndexedLeafRow {
  readonly leafIndex: bigint;
  readonly eventId: string;
  readonly position: bigint;
}

/** A row of `checkpoints`: the size and root the store files it under, and the signed note. */
export interface StoredCheckpointRow {
  readonly size: bigint;
  readonly root: Uint8Array;
  readonly note: string;
}

export const LEDGER_TABLES = ['events', 'merkle_tiles', 'merkle_tree', 'ledger_leaves', 'checkpoints'] as const;

/** Pages through ledger.db without ever holding more than one page of rows. */
export class LedgerDbReader {
  private readonly selectEvents: Database.Statement<[bigint, string, number], StoredEventRow>;
  private readonly selectLeaves: Database.Statement<[bigint, number], { leaf_index: bigint; event_id: string; position_commit: bigint }>;
  private readonly selectCheckpoints: Database.Statement<[bigint, number], StoredCheckpointRow>;

  constructor(private readonly db: Database.Database) {
    const missing = LEDGER_TABLES.filter(
      (table) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) === undefined,
    );
    if (missing.length > 0) throw new MissingTablesError(missing);
    const prepare = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql).safeIntegers(true);
    // instr(...) = 1: an exact, case-sensitive prefix test, as the event store's own reads do.
    this.selectEvents = prepare(
      'SELECT position, id, stream, type, data, metadata FROM events WHERE position > ? AND instr(stream, ?) = 1 ORDER BY position LIMIT ?',
    );
    this.selectLeaves = prepare(
      'SELECT leaf_index, event_id, position_commit FROM ledger_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?',
    );
    this.selectCheckpoints = prepare('SELECT size, root, note FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?');
  }

  countIdentityEvents(): bigint {
    const row = this.db
      .prepare<[string], { count: bigint }>('SELECT count(*) AS count FROM events WHERE instr(stream, ?) = 1')
      .safeIntegers(true)
      .get(IDENTITY_STREAM_PREFIX)!;
    return row.count;
  }

  countIndexedLeaves(): bigint {
    return this.db.prepare<[], { count: bigint }>('SELECT count(*) AS count FROM ledger_leaves').safeIntegers(true).get()!.count;
  }

  countCheckpoints(): bigint {
    return this.db.prepare<[], { count: bigint }>('SELECT count(*) AS count FROM checkpoints').safeIntegers(true).get()!.count;
  }

  /** Identity events (streams `identity-...`) in the store's global order, `pageSize` at a time. */
  *identityEventPages(pageSize: number): Generator<StoredEventRow[]> {
    let after = 0n;
    for (;;) {
      const page = this.selectEvents.all(after, IDENTITY_STREAM_PREFIX, pageSize);
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1]!.position;
      if (page.length < pageSize) return;
    }
  }

  /** The id of the identity event that is leaf `leafIndex` of the store's order (a scan: for messages only). */
  identityEventIdAt(leafIndex: bigint): string | undefined {
    return this.db
      .prepare<[string, bigint], { id: string }>(
        'SELECT id FROM events WHERE instr(stream, ?) = 1 ORDER BY position LIMIT 1 OFFSET ?',
      )
      .safeIntegers(true)
      .get(IDENTITY_STREAM_PREFIX, leafIndex)?.id;
  }

  /** Where event `id` sits in the store's global order, if it is stored. */
  positionOf(id: string): bigint | undefined {
    return this.db
      .prepare<[string], { position: bigint }>('SELECT position FROM events WHERE id = ?')
      .safeIntegers(true)
      .get(id)?.position;
  }

  /** Ledger index rows from `fromLeaf` on, at most `count`, by leaf index (gaps show as missing rows). */
  indexedLeaves(fromLeaf: bigint, count: number): IndexedLeafRow[] {
    return this.selectLeaves
      .all(fromLeaf, count)
      .map((row) => ({ leafIndex: row.leaf_index, eventId: row.event_id, position: row.position_commit }));
  }

  /** Stored checkpoints, smallest size first, a page at a time. */
  *checkpoints(pageSize = 1_000): Generator<StoredCheckpointRow> {
    let after = -1n;
    for (;;) {
      const page = this.selectCheckpoints.all(after, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.size;
    }
  }
}

export class MissingTablesError extends Error {
  constructor(readonly tables: readonly string[]) {
    super(
      `ledger.db has no table ${tables.join(', ')}` +
        (tables.includes('events')
          ? ': if this ledger keeps its events in EventStoreDB, the data dir holds only derived state, which `verify --data-dir` cannot check'
          : ''),
    );
  }
}
