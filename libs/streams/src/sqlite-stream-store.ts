import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StreamDefinition, StreamProgress } from './stream-definition.js';
import type { StreamStore } from './stream-store.js';

export const STREAMS_DB_FILE = 'streams.db';

interface StreamRow {
  definition: string;
  cursor: string;
  range_start: string;
  delivered: number;
  failed_attempts: number;
  last_success_at: string | null;
  last_error: string | null;
  failing: number;
}

/**
 * The stream store in a SQLite file of its own (`streams.db` in the data dir, mode 0600): it holds sink
 * secrets, which must never reach the ledger database, its backups or the log. Cursors are written with
 * synchronous=FULL, so an advanced cursor survives a crash.
 */
export class SqliteStreamStore implements StreamStore {
  private constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS streams (
      id TEXT PRIMARY KEY,
      tenant TEXT NOT NULL,
      definition TEXT NOT NULL,
      secret TEXT,
      cursor TEXT NOT NULL,
      range_start TEXT NOT NULL,
      delivered INTEGER NOT NULL DEFAULT 0,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      last_success_at TEXT,
      last_error TEXT,
      failing INTEGER NOT NULL DEFAULT 0
    ) STRICT`);
  }

  static open(dataDir: string): SqliteStreamStore {
    const path = join(dataDir, STREAMS_DB_FILE);
    const store = new SqliteStreamStore(new Database(path));
    chmodSync(path, 0o600);
    return store;
  }

  create(definition: StreamDefinition, secret: string | undefined, cursor: bigint): void {
    this.db
      .prepare('INSERT INTO streams (id, tenant, definition, secret, cursor, range_start) VALUES (?, ?, ?, ?, ?, ?)')
      .run(definition.id, definition.tenant, JSON.stringify(definition), secret ?? null, cursor.toString(), cursor.toString());
  }

  update(definition: StreamDefinition, secret?: string | null): void {
    if (secret === undefined) {
      this.db.prepare('UPDATE streams SET definition = ? WHERE id = ?').run(JSON.stringify(definition), definition.id);
    } else {
      this.db.prepare('UPDATE streams SET definition = ?, secret = ? WHERE id = ?').run(JSON.stringify(definition), secret, definition.id);
    }
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM streams WHERE id = ?').run(id).changes > 0;
  }

  get(id: string): StreamDefinition | undefined {
    const row = this.db.prepare('SELECT definition FROM streams WHERE id = ?').get(id) as { definition: string } | undefined;
    return row && (JSON.parse(row.definition) as StreamDefinition);
  }

  list(tenant?: string): StreamDefinition[] {
    const rows = (
      tenant === undefined
        ? this.db.prepare('SELECT definition FROM streams ORDER BY rowid').all()
        : this.db.prepare('SELECT definition FROM streams WHERE tenant = ? ORDER BY rowid').all(tenant)
    ) as { definition: string }[];
    return rows.map((row) => JSON.parse(row.definition) as StreamDefinition);
  }

  secretOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT secret FROM streams WHERE id = ?').get(id) as { secret: string | null } | undefined;
    return row?.secret ?? undefined;
  }

  progress(id: string): StreamProgress | undefined {
    const row = this.db
      .prepare('SELECT cursor, range_start, delivered, failed_attempts, last_success_at, last_error, failing FROM streams WHERE id = ?')
      .get(id) as Omit<StreamRow, 'definition'> | undefined;
    if (!row) return undefined;
    return {
      cursor: BigInt(row.cursor),
      rangeStart: BigInt(row.range_start),
      delivered: BigInt(row.delivered),
      failedAttempts: BigInt(row.failed_attempts),
      failing: row.failing === 1,
      ...(row.last_success_at !== null && { lastSuccessAt: row.last_success_at }),
      ...(row.last_error !== null && { lastError: row.last_error }),
    };
  }

  advance(id: string, cursor: bigint, delivered: number, at: string): void {
    this.db
      .prepare(
        `UPDATE streams SET cursor = ?, range_start = ?, delivered = delivered + ?, last_success_at = ?,
         failing = 0, last_error = NULL WHERE id = ?`,
      )
      .run(cursor.toString(), cursor.toString(), delivered, at, id);
  }

  skip(id: string, cursor: bigint): void {
    this.db.prepare('UPDATE streams SET cursor = ? WHERE id = ?').run(cursor.toString(), id);
  }

  recordFailure(id: string, error: string, failing: boolean): void {
    this.db
      .prepare(
        `UPDATE streams SET failed_attempts = failed_attempts + 1, last_error = ?,
         failing = MAX(failing, ?) WHERE id = ?`,
      )
      .run(error, failing ? 1 : 0, id);
  }

  markFailing(id: string, error: string): void {
    this.db.prepare('UPDATE streams SET failing = 1, last_error = ? WHERE id = ?').run(error, id);
  }

  resetCursor(id: string, cursor: bigint): void {
    this.db.prepare('UPDATE streams SET cursor = ?, range_start = ? WHERE id = ?').run(cursor.toString(), cursor.toString(), id);
  }

  close(): void {
    this.db.close();
  }
}
