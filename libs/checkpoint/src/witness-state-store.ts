import type Database from 'better-sqlite3';
import { asHash, type Hash } from '@trailmark/proofs';

/** The latest checkpoint a witness cosigned for one log. */
export interface WitnessedState {
  size: bigint;
  root: Hash;
}

/**
 * A witness's memory: per log origin, the latest checkpoint it cosigned. `update` is what makes a
 * witness safe: the check against the stored state and the write of the new one happen as one
 * step (no other update of any origin in between, from this or another process on the same
 * database), and the write is on disk before `update` returns, so a crash after the witness
 * answered can never roll it back and let it cosign a second root for one size.
 */
export interface WitnessStateStore {
  update<T>(origin: string, decide: (current: WitnessedState | undefined) => { next?: WitnessedState & { note: string }; result: T }): T;
  get(origin: string): WitnessedState | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS witnessed_logs (
  origin     TEXT    PRIMARY KEY,
  size       INTEGER NOT NULL CHECK (size >= 0),
  root       BLOB    NOT NULL CHECK (length(root) = 32),
  note       TEXT    NOT NULL,
  updated_at TEXT    NOT NULL
);
`;

/** The witness's state in its own SQLite file: WAL, synchronous=FULL (each commit fsynced), BEGIN IMMEDIATE updates. */
export class SqliteWitnessStateStore implements WitnessStateStore {
  private readonly select: Database.Statement<[string], { size: bigint; root: Uint8Array }>;
  private readonly upsert: Database.Statement<[string, bigint, Uint8Array, string, string]>;

  constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    this.select = db.prepare<[string], { size: bigint; root: Uint8Array }>('SELECT size, root FROM witnessed_logs WHERE origin = ?').safeIntegers(true);
    this.upsert = db.prepare(
      'INSERT INTO witnessed_logs (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, updated_at = excluded.updated_at',
    );
  }

  get(origin: string): WitnessedState | undefined {
    const row = this.select.get(origin);
    return row && { size: row.size, root: asHash(new Uint8Array(row.root)) };
  }

  update<T>(origin: string, decide: (current: WitnessedState | undefined) => { next?: WitnessedState & { note: string }; result: T }): T {
    const step = this.db.transaction(() => {
      const { next, result } = decide(this.get(origin));
      if (next !== undefined) this.upsert.run(origin, next.size, next.root, next.note, new Date().toISOString());
      return result;
    });
    return step.immediate();
  }

  close(): void {
    this.db.close();
  }
}
