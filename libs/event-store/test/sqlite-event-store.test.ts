import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DuplicateEventError,
  SqliteEventStore,
  StoreUnavailableError,
  SUBSCRIPTION_PAGE_BYTES,
  WrongExpectedVersionError,
  type AppendRequest,
  type EventData,
  type RecordedEvent,
} from '@trailmark/event-store';
import { walCommits } from './wal-commits.js';

function event(data: Uint8Array = new Uint8Array([1, 2, 3]), metadata: Uint8Array = new Uint8Array()): EventData {
  return { id: randomUUID(), type: 'TestEvent', data, metadata };
}

function append(stream: string, expectedRevision: AppendRequest['expectedRevision'], events: EventData[]): AppendRequest {
  return { stream, expectedRevision, events };
}

/** The service's own connection: WAL, fully synchronous, never checkpointed automatically (see walCommits). */
function openDatabase(path: string, options: Database.Options = {}): Database.Database {
  const db = new Database(path, options);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 0');
  return db;
}

describe('SqliteEventStore', () => {
  let dir: string;
  let path: string;
  const toClose: { close(): unknown }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trailmark-sqlite-events-'));
    path = join(dir, 'ledger.db');
  });
  afterEach(async () => {
    for (const resource of toClose.splice(0).reverse()) await resource.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function storeOnDatabase(options: Database.Options = {}): { db: Database.Database; store: SqliteEventStore } {
    const db = openDatabase(path, options);
    const store = new SqliteEventStore(db);
    toClose.push(db, store);
    return { db, store };
  }

  describe('append-only, enforced by the database', () => {
    test('UPDATE, DELETE and INSERT OR REPLACE of stored events are refused by triggers', async () => {
      const { db, store } = storeOnDatabase();
      await store.append(append('identity-a', 'no_stream', [event(), event()]));
      const before = db.prepare('SELECT * FROM events ORDER BY position').all();
      const refusals = [
        "UPDATE events SET type = 'Forged' WHERE revision = 0",
        'UPDATE events SET data = x\'00\'',
        'DELETE FROM events WHERE revision = 1',
        'DELETE FROM events',
        `INSERT OR REPLACE INTO events (position, id, stream, revision, type, data, metadata)
         VALUES (1, 'forged', 'identity-a', 0, 'Forged', x'', x'')`,
        `INSERT OR REPLACE INTO events (id, stream, revision, type, data, metadata)
         SELECT id, stream, revision, 'Forged', data, metadata FROM events WHERE revision = 0`,
      ];
      for (const sql of refusals) expect(() => db.exec(sql)).toThrow('events are append-only');
      expect(() =>
        db.exec(`INSERT INTO events (id, stream, revision, type, data, metadata) VALUES ('gap', 'identity-a', 5, 't', x'', x'')`),
      ).toThrow("a stream's revisions run 0, 1, 2, ... without gaps");
      expect(db.prepare('SELECT * FROM events ORDER BY position').all()).toEqual(before);
    });

    test('shares a connection: other tables stay untouched, a second store on it reuses the schema, close() leaves it open', async () => {
      const db = openDatabase(path);
      toClose.push(db);
      db.exec('CREATE TABLE other (x INTEGER); INSERT INTO other VALUES (42)');
      const first = new SqliteEventStore(db);
      await first.append(append('identity-a', 'no_stream', [event()]));
      await first.close();
      const second = new SqliteEventStore(db);
      toClose.push(second);
      expect(await second.readStream('identity-a')).toHaveLength(1);
      expect(db.open).toBe(true);
      expect(db.prepare('SELECT x FROM other').get()).toEqual({ x: 42 });
    });
  });

  describe('group commit', () => {
    test('appends made in the same event-loop turn share one commit; awaited one by one, each commits', async () => {
      const { store } = storeOnDatabase();
      const wal = `${path}-wal`;
      const start = walCommits(wal);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.append(append(`identity-${i % 4}`, 'any', [event()]))),
      );
      expect(walCommits(wal) - start).toBe(1);
      // Within a group, calls are applied in call order.
      expect(results.map((r) => r.position.commit)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));

      for (let i = 0; i < 5; i += 1) await store.append(append('identity-x', 'any', [event()]));
      expect(walCommits(wal) - start).toBe(6);
    });

    test('a promise resolves only once its group is committed and visible to other connections', async () => {
      const { db, store } = storeOnDatabase();
      const reader = new Database(path, { readonly: true });
      toClose.push(reader);
      const count = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM events');
      const seenOnResolve: { inTransaction: boolean; visible: number }[] = [];
      await Promise.all(
        Array.from({ length: 5 }, () =>
          store.append(append('identity-a', 'any', [event()])).then(() => {
            seenOnResolve.push({ inTransaction: db.inTransaction, visible: count.get()!.n });
          }),
        ),
      );
      expect(seenOnResolve).toEqual(Array.from({ length: 5 }, () => ({ inTransaction: false, visible: 5 })));
    });

    test('a failing call fails alone; the rest of its group commits in the same transaction', async () => {
      const { store } = storeOnDatabase();
      const stored = event();
      await store.append(append('identity-taken', 'no_stream', [stored]));
      const start = walCommits(`${path}-wal`);

      const outcomes = await Promise.allSettled([
        store.append(append('identity-a', 'no_stream', [event()])),
        store.append(append('identity-taken', 'no_stream', [event()])), // wrong expected revision
        store.append(append('identity-b', 'any', [event(), event()])),
        store.append(append('identity-c', 'any', [event(), stored])), // duplicate id
        store.appendAtomically([append('identity-d', 'any', [event()]), append('identity-a', 5n, [event()])]),
        store.append(append('identity-a', 0n, [event()])),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
      expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventError);
      expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({ stream: 'identity-a', actual: 0n });
      expect(walCommits(`${path}-wal`) - start).toBe(1);

      const all = await store.readAll({ from: 'start', maxCount: 100 });
      expect(all.map((e) => `${e.stream}@${e.revision}`)).toEqual([
        'identity-taken@0',
        'identity-a@0',
        'identity-b@0',
        'identity-b@1',
        'identity-a@1',
      ]);
      // The failed calls left no gap in the global order.
      expect(all.map((e) => e.position.commit)).toEqual([1n, 2n, 3n, 4n, 5n]);
    });

    test('a later call reusing an id of an earlier call in its group is checked against it', async () => {
      const { store } = storeOnDatabase();
      await store.append(append('identity-x', 'no_stream', [event()]));
      const shared = event();
      const [refused, written, retried] = await Promise.allSettled([
        store.append(append('identity-x', 'no_stream', [shared])), // refused: its id stays free
        store.append(append('identity-y', 'any', [shared])),
        store.append(append('identity-y', 'no_stream', [shared])), // a retry of the call before it
      ]);
      expect(refused.status).toBe('rejected');
      expect(written).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0n } });
      expect(retried).toEqual(written);
      expect((await store.readStream('identity-y')).map((e) => e.id)).toEqual([shared.id]);
    });

    test('when the transaction cannot commit, every call of the group fails with StoreUnavailableError', async () => {
      const { store } = storeOnDatabase({ timeout: 50 });
      const other = new Database(path);
      toClose.push(other);
      other.exec('BEGIN IMMEDIATE'); // holds the write lock
      const outcomes = await Promise.allSettled([
        store.append(append('identity-a', 'any', [event()])),
        store.append(append('identity-b', 'any', [event()])),
      ]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
      }
      other.exec('ROLLBACK');
      await expect(store.append(append('identity-a', 'no_stream', [event()]))).resolves.toMatchObject({
        nextExpectedRevision: 0n,
      });
    });

    test('an append without events, or after close, is refused', async () => {
      const { store } = storeOnDatabase();
      await expect(store.append(append('identity-a', 'any', []))).rejects.toThrow('no events to append');
      await store.close();
      await expect(store.append(append('identity-a', 'any', [event()]))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readAll({ from: 'start', maxCount: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });

  describe('storage', () => {
    test('events survive close and reopen; the streams and the global order continue', async () => {
      let store = SqliteEventStore.open(path);
      const first = [event(), event()];
      await store.append(append('identity-a', 'no_stream', first));
      const pending = store.append(append('identity-b', 'no_stream', [event()]));
      await store.close();
      await pending;

      store = SqliteEventStore.open(path);
      toClose.push(store);
      expect((await store.readStream('identity-a')).map((e) => e.id)).toEqual(first.map((e) => e.id));
      const next = await store.append(append('identity-a', 1n, [event()]));
      expect(next).toEqual({ nextExpectedRevision: 2n, position: { commit: 4n, prepare: 4n } });
      // An exact retry is still recognised after the restart.
      expect(await store.append(append('identity-a', 'no_stream', first))).toEqual({
        nextExpectedRevision: 1n,
        position: { commit: 2n, prepare: 2n },
      });
    });

    test('binary data and metadata round-trip byte for byte, as plain Uint8Arrays', async () => {
      const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
      const written = [
        event(everyByte, Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28])), // metadata that is not UTF-8
        event(new Uint8Array(), new Uint8Array()),
        event(new Uint8Array(randomBytes(1 << 20)), new Uint8Array(randomBytes(70_000))),
        event(new TextEncoder().encode('{"détail":"🔐"}'), new Uint8Array([0])),
      ];
      let store = SqliteEventStore.open(path);
      await store.append(append('identity-bin', 'no_stream', written));
      const check = (stored: RecordedEvent[]) => {
        expect(stored).toHaveLength(written.length);
        stored.forEach((recorded, i) => {
          expect(Object.getPrototypeOf(recorded.data)).toBe(Uint8Array.prototype);
          expect(Object.getPrototypeOf(recorded.metadata)).toBe(Uint8Array.prototype);
          // Each a view over memory of its own: nothing beyond its bytes is reachable through .buffer.
          for (const bytes of [recorded.data, recorded.metadata]) {
            expect({ offset: bytes.byteOffset, buffer: bytes.buffer.byteLength }).toEqual({ offset: 0, buffer: bytes.byteLength });
          }
          expect(Buffer.from(recorded.data).equals(written[i]!.data)).toBe(true);
          expect(Buffer.from(recorded.metadata).equals(written[i]!.metadata)).toBe(true);
        });
      };
      check(await store.readStream('identity-bin'));
      await store.close();
      store = SqliteEventStore.open(path);
      toClose.push(store);
      check(await store.readAll({ from: 'start', maxCount: 10 }));
      const delivered: RecordedEvent[] = [];
      await new Promise<void>((resolve) => {
        const subscription = store.subscribeToAll({ from: 'start' }, { onEvents: (events) => void delivered.push(...events), onCaughtUp: resolve });
        toClose.push(subscription);
      });
      check(delivered);
    });
  });

  describe('subscriptions', () => {
    test('close() awaited from inside onEvents resolves, and nothing is delivered after that call', async () => {
      const { store } = storeOnDatabase();
      await store.append(append('identity-a', 'any', [event()]));
      const batches: number[] = [];
      let closedInside = false;
      const subscription = store.subscribeToAll(
        { from: 'start' },
        {
          async onEvents(events) {
            batches.push(events.length);
            await subscription.close();
            closedInside = true;
          },
        },
      );
      for (let i = 0; i < 100 && !closedInside; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(closedInside).toBe(true);
      await store.append(append('identity-a', 'any', [event()]));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await subscription.close();
      expect(batches).toEqual([1]);
    });

    test('a backlog is read page by page with the event loop turning between pages, so a stop is heard at once', async () => {
      const { store } = storeOnDatabase();
      await store.appendAtomically(Array.from({ length: 5 }, (_, i) => append(`identity-${i}`, 'any', Array.from({ length: 1_000 }, () => event()))));
      let delivered = 0;
      const subscription = store.subscribeToAll({ from: 'start' }, { onEvents: (events) => void (delivered += events.length) });
      // Queued before the subscription reads anything: without a turn of the loop between pages it would run
      // only once all 5,000 events had been handled.
      const stopped = new Promise<void>((resolve) => setImmediate(() => void subscription.close().then(resolve)));
      await stopped;
      // A page is delivered once the next is read: the stop came after the first read, before the second.
      expect(delivered).toBe(0);
    });

    test('`more` says whether events already follow a batch, also when the log ends on a full page', async () => {
      const { store } = storeOnDatabase();
      const deliveries: [number, boolean | undefined][] = [];
      let caughtUp = false;
      const subscription = store.subscribeToAll(
        { from: 'start', streamPrefix: 'identity-' },
        { onEvents: (events, more) => void deliveries.push([events.length, more]), onCaughtUp: () => (caughtUp = true) },
      );
      while (!caughtUp) await new Promise((resolve) => setTimeout(resolve, 5));
      const commit = (streams: string[]) =>
        store.appendAtomically(streams.map((stream) => append(stream, 'any', [event()])));
      const receive = async (total: number) => {
        while (deliveries.reduce((sum, [count]) => sum + count, 0) < total) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      // Exactly one page (1,000), then two pages and a half whose last page holds only events of another category.
      await commit(Array.from({ length: 1_000 }, (_, i) => `identity-${i}`));
      await receive(1_000);
      await commit([...Array.from({ length: 2_000 }, (_, i) => `identity-${i}`), ...Array.from({ length: 500 }, () => 'other-x')]);
      await receive(3_000);
      await subscription.close();
      expect(deliveries).toEqual([
        [1_000, false],
        [1_000, true],
        [1_000, false],
      ]);
    });

    test('pages of large events stop at SUBSCRIPTION_PAGE_BYTES, with the event that reaches it; none is skipped', async () => {
      const { store } = storeOnDatabase();
      const size = 300 * 1024;
      const stored = Array.from({ length: 40 }, () => event(randomBytes(size)));
      await store.appendAtomically(stored.map((e) => append('identity-big', 'any', [e])));
      const deliveries: { ids: string[]; bytes: number[]; more: boolean | undefined }[] = [];
      await new Promise<void>((resolve) => {
        const subscription = store.subscribeToAll(
          { from: 'start' },
          {
            onEvents: (events, more) =>
              void deliveries.push({ ids: events.map((e) => e.id), bytes: events.map((e) => e.data.byteLength + e.metadata.byteLength), more }),
            onCaughtUp: resolve,
          },
        );
        toClose.push(subscription);
      });
      expect(deliveries.flatMap((delivery) => delivery.ids)).toEqual(stored.map((e) => e.id));
      expect(deliveries.length).toBeGreaterThan(1);
      const sum = (bytes: number[]) => bytes.reduce((total, b) => total + b, 0);
      for (const { bytes } of deliveries.slice(0, -1)) {
        expect(sum(bytes)).toBeGreaterThanOrEqual(SUBSCRIPTION_PAGE_BYTES);
        expect(sum(bytes.slice(0, -1))).toBeLessThan(SUBSCRIPTION_PAGE_BYTES);
      }
      expect(deliveries.map((delivery) => delivery.more)).toEqual([...deliveries.slice(1).map(() => true), false]);
    });

    test('a live subscription keeps no memory per commit it waited for', async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const store = new SqliteEventStore(new Database(':memory:'));
      toClose.push(store);
      let delivered = 0;
      let caughtUp = false;
      const subscription = store.subscribeToAll({ from: 'start' }, { onEvents: (events) => void (delivered += events.length), onCaughtUp: () => (caughtUp = true) });
      while (!caughtUp) await new Promise((resolve) => setTimeout(resolve, 5));
      let committed = 0;
      const commitAndWait = async (count: number) => {
        for (let i = 0; i < count; i += 1) {
          await store.append(append('identity-a', 'any', [event()]));
          committed += 1;
          while (delivered < committed) await new Promise((resolve) => setImmediate(resolve));
        }
      };
      await commitAndWait(2_000);
      gc();
      const before = process.memoryUsage().heapUsed;
      await commitAndWait(40_000);
      gc();
      // Racing every wait against a promise only close() settles kept about 500 bytes a commit: 20 MB here.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(4_000_000);
      await subscription.close();
    });

    test('live events committed together arrive together, in order', async () => {
      const { store } = storeOnDatabase();
      const received: RecordedEvent[][] = [];
      let caughtUp = false;
      const subscription = store.subscribeToAll(
        { from: 'start' },
        { onEvents: (events) => void received.push([...events]), onCaughtUp: () => (caughtUp = true) },
      );
      while (!caughtUp) await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(append(`identity-${i}`, 'any', [event()]))));
      while (received.flat().length < 10) await new Promise((resolve) => setTimeout(resolve, 5));
      await subscription.close();
      expect(received).toHaveLength(1);
      expect(received[0]!.map((e) => e.position.commit)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
    });
  });
});
