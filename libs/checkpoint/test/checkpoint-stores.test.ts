import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { asHash, hashLeaf } from '@trailmark/proofs';
import {
  CheckpointRefusedError,
  MemoryCheckpointStore,
  SqliteCheckpointStore,
  type CheckpointStore,
  type SignedCheckpoint,
} from '@trailmark/checkpoint';

// Stand-in checkpoints: the stores keep what they are given, they do not open notes.
function checkpoint(size: bigint, tag = ''): SignedCheckpoint {
  const root = asHash(hashLeaf(new TextEncoder().encode(`root ${size}${tag}`)));
  const signedAt = `2026-01-01T00:00:${String(size % 60n).padStart(2, '0')}.000Z`;
  return { size, root, note: `note for ${size}${tag}\n`, signedAt };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'trailmark-checkpoints-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stores: [string, () => CheckpointStore][] = [
  ['MemoryCheckpointStore', () => new MemoryCheckpointStore()],
  ['SqliteCheckpointStore', () => new SqliteCheckpointStore(new Database(join(dir, 'ledger.db')))],
];

describe.each(stores)('%s', (_name, makeStore) => {
  test('starts empty, keeps checkpoints oldest first, latest is the last', () => {
    const store = makeStore();
    expect(store.latest()).toBeUndefined();
    expect(store.list()).toEqual([]);
    for (const size of [0n, 1n, 5n, 300n]) store.append(checkpoint(size));
    expect(store.latest()).toEqual(checkpoint(300n));
    expect(store.list()).toEqual([0n, 1n, 5n, 300n].map((size) => checkpoint(size)));
  });

  test('finds the checkpoint of an exact size', () => {
    const store = makeStore();
    for (const size of [0n, 5n, 300n]) store.append(checkpoint(size));
    expect(store.bySize(5n)).toEqual(checkpoint(5n));
    expect(store.bySize(6n)).toBeUndefined();
    expect(store.bySize(-1n)).toBeUndefined();
  });

  test('refuses a size below the latest', () => {
    const store = makeStore();
    store.append(checkpoint(2n));
    store.append(checkpoint(7n));
    expect(() => store.append(checkpoint(5n))).toThrow(CheckpointRefusedError);
    expect(() => store.append(checkpoint(5n))).toThrow(
      'checkpoint for size 5 refused: it is below the latest stored checkpoint, size 7',
    );
    expect(store.list().map((c) => c.size)).toEqual([2n, 7n]);
  });

  test('refuses a second checkpoint for a stored size, with another root or the same', () => {
    const store = makeStore();
    store.append(checkpoint(4n));
    expect(() => store.append(checkpoint(4n, ' forked'))).toThrow(
      'checkpoint for size 4 refused: a checkpoint for that size is already stored',
    );
    expect(() => store.append(checkpoint(4n))).toThrow(CheckpointRefusedError);
    expect(store.list()).toEqual([checkpoint(4n)]);
  });

  test('refuses a negative size and a root that is not a hash', () => {
    const store = makeStore();
    expect(() => store.append(checkpoint(-1n))).toThrow(RangeError);
    expect(() => store.append({ ...checkpoint(1n), root: new Uint8Array(31) as SignedCheckpoint['root'] })).toThrow(
      'checkpoint root is 31 bytes, want 32',
    );
    expect(store.list()).toEqual([]);
  });

  test('a caller mutating what it appended or listed does not change the store', () => {
    const store = makeStore();
    const appended = checkpoint(3n);
    store.append(appended);
    appended.note = 'changed';
    store.list().pop();
    expect(store.list()).toEqual([checkpoint(3n)]);
  });
});

describe('SqliteCheckpointStore', () => {
  test('checkpoints survive a reopen, as bigints, and the rules still hold', () => {
    const path = join(dir, 'ledger.db');
    let db = new Database(path);
    const big = checkpoint(2n ** 60n);
    new SqliteCheckpointStore(db).append(checkpoint(1n));
    new SqliteCheckpointStore(db).append(big);
    db.close();

    db = new Database(path);
    const store = new SqliteCheckpointStore(db);
    expect(store.list()).toEqual([checkpoint(1n), big]);
    expect(store.latest()?.size).toBe(2n ** 60n);
    expect(() => store.append(checkpoint(1n))).toThrow(CheckpointRefusedError);
    expect(() => store.append(checkpoint(2n ** 60n, ' again'))).toThrow(CheckpointRefusedError);
    db.close();
  });

  test('the database itself refuses UPDATE, DELETE and an out-of-order INSERT from a raw handle', () => {
    const path = join(dir, 'ledger.db');
    const store = new SqliteCheckpointStore(new Database(path));
    store.append(checkpoint(3n));
    store.append(checkpoint(9n));

    const raw = new Database(path);
    expect(() => raw.prepare("UPDATE checkpoints SET note = 'forged' WHERE size = 9").run()).toThrow(
      'checkpoints are append-only: UPDATE refused',
    );
    expect(() => raw.prepare('DELETE FROM checkpoints WHERE size = 3').run()).toThrow(
      'checkpoints are append-only: DELETE refused',
    );
    const insert = raw.prepare('INSERT INTO checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)');
    const older = checkpoint(5n);
    expect(() => insert.run(5, older.root, older.note, older.signedAt)).toThrow('checkpoints only grow');
    raw.close();
    expect(store.list()).toEqual([checkpoint(3n), checkpoint(9n)]);
  });

  test('shares a connection: creates only its own table, and again on a second construction', () => {
    const db = new Database(join(dir, 'ledger.db'));
    db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY)');
    new SqliteCheckpointStore(db);
    new SqliteCheckpointStore(db).append(checkpoint(0n));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['checkpoints', 'events']);
    db.close();
  });
});
