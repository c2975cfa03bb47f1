import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_READ_MODEL_FILE } from '@trailmark/projections';

/** A row of the embedded read model, as far as verify checks it: which event it holds as which leaf, and that leaf. */
export interface ReadModelRow {
  readonly leafIndex: bigint;
  readonly eventId: string;
  readonly leaf: Uint8Array;
}

/**
 * The embedded read model (`projections.db` in the data dir), read only and with its own SELECTs, like
 * LedgerDbReader: opening it as the projections library does would migrate it.
 */
export class ReadModelDbReader {
  readonly file: string;
  private readonly selectRows: Database.Statement<[bigint, bigint], { leaf_index: bigint; id: string; leaf: Uint8Array }>;

  private constructor(private readonly db: Database.Database, file: string) {
    this.file = file;
    this.selectRows = db
      .prepare<[bigint, bigint], { leaf_index: bigint; id: string; leaf: Uint8Array }>(
        'SELECT leaf_index, id, leaf FROM projected_events WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index',
      )
      .safeIntegers(true);
  }

  /** The read model of `dataDir`, or undefined when it has none (the ledger never projected there). */
  static open(dataDir: string): ReadModelDbReader | undefined {
    const file = join(dataDir, SQLITE_READ_MODEL_FILE);
    if (!existsSync(file)) return undefined;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    const hasRows = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projected_events'").get() !== undefined;
    if (!hasRows) {
      db.close();
      return undefined;
    }
    db.exec('BEGIN');
    return new ReadModelDbReader(db, file);
  }

  /** Rows of leaves `from` to `to` - 1, by leaf index (a missing row is a gap). */
  rows(from: bigint, to: bigint): ReadModelRow[] {
    return this.selectRows.all(from, to).map((row) => ({ leafIndex: row.leaf_index, eventId: row.id, leaf: row.leaf }));
  }

  /** One more than the largest leaf index it holds: 0 when empty. */
  end(): bigint {
    const row = this.db.prepare<[], { last: bigint | null }>('SELECT max(leaf_index) AS last FROM projected_events').safeIntegers(true).get()!;
    return row.last === null ? 0n : row.last + 1n;
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }
}
