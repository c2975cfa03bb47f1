import type Database from 'better-sqlite3';
import { asHash } from '@trailmark/proofs';
import { assertAppendable, type CheckpointStore, type SignedCheckpoint } from './signed-checkpoint-store.js';

// Append-only in the database itself, not only in this class: the triggers refuse UPDATE and
// DELETE from any connection, and the insert trigger refuses a size that is not above every stored
// one (the class checks first, to throw CheckpointRefusedError; the trigger covers other writers).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  size      INTEGER NOT NULL UNIQUE CHECK (size >= 0),
  root      BLOB    NOT NULL CHECK (length(root) = 32),
  note      TEXT    NOT NULL,
  signed_at TEXT    NOT NULL
);
CREATE TRIGGER IF NOT EXISTS checkpoints_grow_only BEFORE INSERT ON checkpoints
  WHEN NEW.size <= (SELECT max(size) FROM checkpoints)
  BEGIN SELECT RAISE(ABORT, 'checkpoints only grow: a checkpoint for this size or a larger one is stored'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused'); END;
`;

// SQLite integers are signed 64-bit; sizes are read back as bigint (safeIntegers), never as doubles.
const MAX_SQLITE_INTEGER = 2n ** 63n - 1n;

interface CheckpointRow {
  size: bigint;
  root: Uint8Array;
  note: string;
  signed_at: string;
}

/** Signed checkpoints in the table `checkpoints` of the caller's database (the service shares one connection). */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly selectLatest: Database.Statement<[], CheckpointRow>;
  private readonly selectAll: Database.Statement<[], CheckpointRow>;
  private readonly selectBySize: Database.Statement<[bigint], CheckpointRow>;
  private readonly insert: Database.Statement<[bigint, Uint8Array, string, string]>;
  private readonly appendChecked: Database.Transaction<(checkpoint: SignedCheckpoint) => void>;

  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.selectLatest = db
      .prepare<[], CheckpointRow>('SELECT size, root, note, signed_at FROM checkpoints ORDER BY size DESC LIMIT 1')
      .safeIntegers(true);
    this.selectAll = db
      .prepare<[], CheckpointRow>('SELECT size, root, note, signed_at FROM checkpoints ORDER BY size')
      .safeIntegers(true);
    this.selectBySize = db
      .prepare<[bigint], CheckpointRow>('SELECT size, root, note, signed_at FROM checkpoints WHERE size = ?')
      .safeIntegers(true);
    this.insert = db.prepare('INSERT INTO checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)');
    this.appendChecked = db.transaction((checkpoint: SignedCheckpoint) => {
      assertAppendable(checkpoint, this.latest());
      if (checkpoint.size > MAX_SQLITE_INTEGER) {
        throw new RangeError(`checkpoint size ${checkpoint.size} does not fit a SQLite integer`);
      }
      this.insert.run(checkpoint.size, checkpoint.root, checkpoint.note, checkpoint.signedAt);
    });
  }

  latest(): SignedCheckpoint | undefined {
    const row = this.selectLatest.get();
    return row && fromRow(row);
  }

  append(checkpoint: SignedCheckpoint): void {
    // IMMEDIATE: the write lock is taken before the check, so no other connection can slip in between.
    this.appendChecked.immediate(checkpoint);
  }

  bySize(size: bigint): SignedCheckpoint | undefined {
    if (size < 0n || size > MAX_SQLITE_INTEGER) return undefined;
    const row = this.selectBySize.get(size);
    return row && fromRow(row);
  }

  list(): SignedCheckpoint[] {
    return this.selectAll.all().map(fromRow);
  }
}

function fromRow(row: CheckpointRow): SignedCheckpoint {
  return { size: row.size, root: asHash(new Uint8Array(row.root)), note: row.note, signedAt: row.signed_at };
}
