import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_READ_MODEL_FILE, SqliteReadModel, openReadModel } from '@trailmark/projections';
import { readModelContract } from './support/read-model-contract.js';

// A file of its own in a temporary data directory, as the service opens it.
readModelContract('SQLite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trailmark-projections-'));
  return {
    open: () => openReadModel({ dataDir }),
    indexes: async () => {
      const db = new Database(join(dataDir, SQLITE_READ_MODEL_FILE), { readonly: true });
      try {
        return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]).map((row) => row.name);
      } finally {
        db.close();
      }
    },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

describe('SQLite read model file', () => {
  test('lives in <data dir>/projections.db, in WAL mode with synchronous=NORMAL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trailmark-projections-'));
    try {
      const model = await openReadModel({ dataDir });
      await model.close();
      const db = new Database(join(dataDir, SQLITE_READ_MODEL_FILE));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
      const again = SqliteReadModel.open(join(dataDir, SQLITE_READ_MODEL_FILE));
      expect(await again.position()).toEqual({ position: 'start', leafCount: 0n });
      await again.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a file of another schema version is emptied on open: derived state, rebuilt by the projector', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trailmark-projections-'));
    const file = join(dataDir, SQLITE_READ_MODEL_FILE);
    try {
      const db = new Database(file);
      db.exec("CREATE TABLE projected_events (old TEXT); INSERT INTO projected_events VALUES ('x'); PRAGMA user_version = 999");
      db.close();
      const model = SqliteReadModel.open(file);
      expect(await model.search({ tenants: '*' }, { limit: 10 })).toEqual([]);
      expect(await model.position()).toEqual({ position: 'start', leafCount: 0n });
      await model.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
