import { mkdirSync } from 'node:fs';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { openReadModel, rebuild } from '@trailmark/projections';
import type { LedgerConfig } from '../config.js';
import { walkProgress } from '../verify/progress.js';
import { DataDirLock } from './data-dir-lock.js';
import { openEventStore, openLedgerDatabase } from './ledger-core.js';

/**
 * `trailmark projections rebuild`: drops the read models and projects the whole log again from the event store,
 * with a progress bar against the tree's size. Run it with the ledger stopped (it takes the data dir's lock): one projector writes at a time.
 */
export async function rebuildProjections(config: LedgerConfig): Promise<bigint> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // "With the ledger stopped": held, so that a running ledger's projector and this one never write together.
  const lock = DataDirLock.acquire(config.dataDir);
  const db = openLedgerDatabase(config.dataDir);
  const store = openEventStore(config, db);
  const readModel = await openReadModel({ url: config.readDbUrl, dataDir: config.dataDir });
  try {
    const progress = walkProgress(MerkleTree.open(new SqliteTileStore(db)).size, process.stderr, { doing: 'projecting', done: 'projected' });
    const projected = await rebuild(store, readModel, { onProgress: (leafCount) => progress.update(leafCount) });
    progress.finish(projected);
    return projected;
  } finally {
    await readModel.close();
    await store.close();
    db.close();
    lock.release();
  }
}
