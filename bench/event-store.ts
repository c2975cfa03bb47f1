// bench/event-store: what one append batch costs on each EventStore adapter, measured in the same run: the
// embedded SQLite store (synchronous=FULL, one fsync per group) and the EventStoreDB adapter over real gRPC to
// the in-process protocol double (serialisation and the loopback round trip; the double's own work is in memory,
// so the figure is the adapter's and the protocol's cost, not EventStoreDB's disk).
//
//   npm run bench:event-store              batches of 1, 10 and 100 events, 3 s each
//   npm run bench:event-store -- --quick   1 s each
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EsdbProtocolDouble } from '@trailmark/esdb-double';
import { EsdbEventStore, SqliteEventStore, type EventData, type EventStore } from '@trailmark/event-store';

const SECONDS = process.argv.includes('--quick') ? 1 : 3;
const BATCH_SIZES = [1, 10, 100];

/** About the size of a login event's leaf and its metadata. */
const leaf = new TextEncoder().encode(JSON.stringify({ action: 'user.login', actor: { id: 'u_1', type: 'user' }, pad: 'x'.repeat(300) }));
const metadata = new TextEncoder().encode('{}');

function batchOf(size: number): EventData[] {
  return Array.from({ length: size }, () => ({ id: randomUUID(), type: 'IdentityEvent', data: leaf, metadata }));
}

interface Figure {
  batchesPerSecond: number;
  microsPerBatch: number;
  microsPerEvent: number;
}

/** Appends batches one after another (each awaited) to streams of 100 subjects, for SECONDS. */
async function measure(store: EventStore, batchSize: number): Promise<Figure> {
  for (let i = 0; i < 20; i += 1) await store.append({ stream: `identity-warm.user.${i}`, expectedRevision: 'any', events: batchOf(batchSize) });
  let batches = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  while (performance.now() < until) {
    await store.append({ stream: `identity-bench.user.${batches % 100}`, expectedRevision: 'any', events: batchOf(batchSize) });
    batches += 1;
  }
  const micros = (performance.now() - started) * 1000;
  return { batchesPerSecond: (batches * 1e6) / micros, microsPerBatch: micros / batches, microsPerEvent: micros / batches / batchSize };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trailmark-bench-store-'));
  const sqlite = SqliteEventStore.open(join(dir, 'events.db'));
  const double = await EsdbProtocolDouble.start();
  const esdb = EsdbEventStore.connect(double.connectionString);
  try {
    console.log(`append batches, each awaited before the next, ${SECONDS} s per figure\n`);
    console.log('batch | SQLite µs/batch | µs/event | EventStoreDB adapter µs/batch | µs/event | ratio (ESDB / SQLite)');
    console.log('---|---|---|---|---|---');
    for (const size of BATCH_SIZES) {
      const onSqlite = await measure(sqlite, size);
      const onEsdb = await measure(esdb, size);
      console.log(
        `${size} | ${onSqlite.microsPerBatch.toFixed(0)} | ${onSqlite.microsPerEvent.toFixed(1)} | ` +
          `${onEsdb.microsPerBatch.toFixed(0)} | ${onEsdb.microsPerEvent.toFixed(1)} | ${(onEsdb.microsPerBatch / onSqlite.microsPerBatch).toFixed(2)}`,
      );
    }
  } finally {
    await esdb.close();
    await double.close();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
