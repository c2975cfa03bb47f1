// The thread runs the built worker (libs/projections/dist), which `npm test` builds before Jest starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IDENTITY_EVENT_TYPE } from '@trailmark/domain';
import { SqliteEventStore } from '@trailmark/event-store';
import { openReadModel, ProjectorStoppedError, ProjectorThread, type ReadModelStore } from '@trailmark/projections';
import { EventLog, Random, randomBodies } from './support/identity-events.js';

const ALL = 1_000;

describe('ProjectorThread', () => {
  let dataDir: string;
  let sqliteFile: string;
  let store: SqliteEventStore;
  let log: EventLog;
  let readModel: ReadModelStore;
  const cleanup: (() => Promise<unknown> | unknown)[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trailmark-projector-thread-'));
    sqliteFile = join(dataDir, 'ledger.db');
    // The ledger's own connection: WAL, so the thread's connection reads what this one committed.
    const db = new Database(sqliteFile);
    db.pragma('journal_mode = WAL');
    store = new SqliteEventStore(db);
    log = new EventLog(store);
    readModel = await openReadModel({ dataDir });
    cleanup.push(() => db.close(), () => store.close(), () => readModel.close());
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function thread(options: { readModelUrl?: string; errors?: Error[] } = {}): ProjectorThread {
    const projector = new ProjectorThread({
      store: { sqliteFile },
      readModel: { dataDir, ...(options.readModelUrl !== undefined && { url: options.readModelUrl }) },
      onError: (error) => options.errors?.push(error),
    });
    cleanup.push(() => projector.stop());
    return projector;
  }

  async function searchedLeaves(): Promise<bigint[]> {
    return (await readModel.search({ tenants: '*' }, { limit: ALL })).map((event) => event.leafIndex).sort((a, b) => (a < b ? -1 : 1));
  }

  test('catches up with the store, follows it once told the log grew, and a new thread resumes where it stopped', async () => {
    const random = new Random(21);
    await log.append(randomBodies(random, 25));
    const projector = thread();
    await projector.start();
    expect(projector.status()).toEqual({ leafCount: 25n, position: { commit: 25n, prepare: 25n }, caughtUp: true });
    const first = await readModel.search({ tenants: '*' }, { limit: ALL });
    expect(new Map(first.map((event) => [event.leafIndex, event.envelope.id]))).toEqual(
      new Map(log.events.map((event) => [event.leafIndex, event.envelope.id])),
    );

    const waiting = projector.whenProjected(30n);
    await log.append(randomBodies(random, 5, 100_000));
    projector.logGrew();
    await waiting;
    expect(await searchedLeaves()).toEqual(log.events.map((event) => event.leafIndex));
    expect(projector.lag(32n)).toBe(2n);
    expect(projector.lag(30n)).toBe(0n);

    await projector.stop();
    await expect(projector.whenProjected(31n)).rejects.toThrow(ProjectorStoppedError);
    expect(projector.status().failure).toBeUndefined();

    await log.append(randomBodies(random, 2, 200_000));
    const resumed = thread();
    await resumed.start();
    expect(resumed.status()).toMatchObject({ leafCount: 32n, caughtUp: true });
    expect(await searchedLeaves()).toEqual(log.events.map((event) => event.leafIndex));
  });

  test('an unreadable leaf fails the thread: start rejects naming the leaf, onError hears it, waiters are rejected', async () => {
    await log.append(randomBodies(new Random(22), 3));
    const junk = new TextEncoder().encode('{"not":"an envelope"}');
    await store.append({
      stream: 'identity-acme.user.u_1',
      expectedRevision: 'any',
      events: [{ id: '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f', type: IDENTITY_EVENT_TYPE, data: junk, metadata: new TextEncoder().encode('{}') }],
    });
    const errors: Error[] = [];
    const projector = thread({ errors });
    await expect(projector.start()).rejects.toThrow('leaf 3');
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('leaf 3')]);
    expect(projector.status().failure).toBe(errors[0]);
    await expect(projector.whenProjected(4n)).rejects.toThrow(ProjectorStoppedError);
    await projector.stop();
    // The four events were one batch: nothing of it is stored.
    expect((await readModel.position()).leafCount).toBe(0n);
  });

  test('a read model it cannot open fails its start with the reason', async () => {
    const projector = thread({ readModelUrl: 'mysql://localhost/trailmark' });
    await expect(projector.start()).rejects.toThrow('a read model URL starts with postgres:// or postgresql://, not mysql:');
    await projector.stop();
  });
});
