import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'trailmark.lock';

/** Another process holds the data dir: two ledgers on one data dir would each think they own its log. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `another trailmark process is running on the data dir ${dataDir} (it holds ${join(dataDir, LOCK_FILE)}): ` +
        'one ledger per data dir; stop that one first, or give this one its own TRAILMARK_DATA_DIR',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * One process's exclusive claim on a data dir, held until release() or the process's end.
 *
 * SQLite holds it for us: the lock file is a tiny database whose connection, in locking_mode EXCLUSIVE, keeps the
 * write lock its first write took. That lock is an OS record lock (fcntl), which the kernel drops when the process
 * dies however it dies, so an instance killed with SIGKILL leaves no stale lock behind to block its restart. A
 * pid file or a lock directory would need a staleness guess instead.
 */
export class DataDirLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock on `dataDir` at once, or throws DataDirLockedError: it never waits for another holder. */
  static acquire(dataDir: string): DataDirLock {
    const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = MEMORY');
      db.exec(
        'BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL); DELETE FROM holder; ' +
          `INSERT INTO holder (pid) VALUES (${process.pid}); COMMIT`,
      );
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir);
      throw error;
    }
    return new DataDirLock(db);
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
