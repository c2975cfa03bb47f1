import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trailmark/event-store';
import { eventStoreContract } from './support/event-store-contract.js';

eventStoreContract('SqliteEventStore', { atomicAcrossStreams: true, strictEventIds: true }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailmark-events-'));
  const store = SqliteEventStore.open(join(dir, 'events.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
