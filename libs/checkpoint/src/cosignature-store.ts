import type Database from 'better-sqlite3';

/**
 * Where a log keeps the witness cosignatures it collected for its checkpoints: one verified
 * cosignature/v1 line per (checkpoint size, witness key), never changed once stored. A witness
 * key is named by its label "<key name>+<8 hex key id>".
 */
export interface CosignatureStore {
  /** Keeps a verified line; a second line for the same size and witness key keeps the first. */
  add(size: bigint, witness: string, line: string): void;
  /** The lines stored for the checkpoint of this size, oldest first. */
  linesFor(size: bigint): { witness: string; line: string }[];
  /** The largest checkpoint size this witness key cosigned, if any. */
  latestCosignedBy(witness: string): bigint | undefined;
  /** Checkpoint sizes holding cosignatures, largest first, at most `limit`. */
  sizesDescending(limit: number): bigint[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoint_cosignatures (
  size    INTEGER NOT NULL CHECK (size >= 0),
  witness TEXT    NOT NULL,
  line    TEXT    NOT NULL,
  PRIMARY KEY (size, witness)
);
`;

/** Cosignatures in the table `checkpoint_cosignatures` of the ledger database, beside its checkpoints. */
export class SqliteCosignatureStore implements CosignatureStore {
  private readonly insert: Database.Statement<[bigint, string, string]>;
  private readonly selectLines: Database.Statement<[bigint], { witness: string; line: string }>;
  private readonly selectLatest: Database.Statement<[string], { size: bigint | null }>;
  private readonly selectSizes: Database.Statement<[number], { size: bigint }>;

  constructor(db: Database.Database) {
    db.exec(SCHEMA);
    this.insert = db.prepare('INSERT OR IGNORE INTO checkpoint_cosignatures (size, witness, line) VALUES (?, ?, ?)');
    this.selectLines = db.prepare('SELECT witness, line FROM checkpoint_cosignatures WHERE size = ? ORDER BY rowid');
    this.selectLatest = db
      .prepare<[string], { size: bigint | null }>('SELECT max(size) AS size FROM checkpoint_cosignatures WHERE witness = ?')
      .safeIntegers(true);
    this.selectSizes = db
      .prepare<[number], { size: bigint }>('SELECT DISTINCT size FROM checkpoint_cosignatures ORDER BY size DESC LIMIT ?')
      .safeIntegers(true);
  }

  add(size: bigint, witness: string, line: string): void {
    this.insert.run(size, witness, line);
  }

  linesFor(size: bigint): { witness: string; line: string }[] {
    return this.selectLines.all(size);
  }

  latestCosignedBy(witness: string): bigint | undefined {
    return this.selectLatest.get(witness)?.size ?? undefined;
  }

  sizesDescending(limit: number): bigint[] {
    return this.selectSizes.all(limit).map((row) => row.size);
  }
}
