import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryTileStore, MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { EMPTY_TREE_ROOT, encodeBase64, equalHashes, verifyConsistency } from '@trailmark/proofs';
import {
  CheckpointPublisher,
  LogForkedError,
  MemoryCheckpointStore,
  PublisherStoppedError,
  SqliteCheckpointStore,
  generateNoteKey,
  openCheckpoint,
  parseSignerKey,
  type CheckpointPublisherOptions,
  type CheckpointStore,
  type SignedCheckpoint,
} from '@trailmark/checkpoint';

const ORIGIN = 'trailmark.test/log';
const { signerKey, verifierKey } = generateNoteKey(ORIGIN);
const signer = parseSignerKey(signerKey);

const leaf = (i: number, tag = ''): Uint8Array => new TextEncoder().encode(`event ${i}${tag}`);
const leaves = (from: number, to: number, tag = ''): Uint8Array[] =>
  Array.from({ length: to - from }, (_, k) => leaf(from + k, tag));

function newTree(size = 0, tag = ''): MerkleTree {
  const tree = MerkleTree.open(new MemoryTileStore());
  if (size > 0) tree.append(leaves(0, size, tag));
  return tree;
}

function publisherFor(
  tree: MerkleTree,
  store: CheckpointStore = new MemoryCheckpointStore(),
  options: Partial<CheckpointPublisherOptions> = {},
): CheckpointPublisher {
  return new CheckpointPublisher({ origin: ORIGIN, signer, tree, store, intervalMs: 1_000, ...options });
}

/** Lets every settled promise run its callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A store that throws on append while `failing` is set. */
class FlakyStore extends MemoryCheckpointStore {
  failing = true;
  override append(checkpoint: SignedCheckpoint): void {
    if (this.failing) throw new Error('disk full');
    super.append(checkpoint);
  }
}

const running: CheckpointPublisher[] = [];
afterEach(() => running.splice(0).forEach((publisher) => publisher.stop()));

describe('publishIfGrown', () => {
  test('publishes a note that opens with the log key and carries the tree size and root', () => {
    const tree = newTree(5);
    const publisher = publisherFor(tree, undefined, { now: () => new Date('2026-03-04T05:06:07.890Z') });
    const published = publisher.publishIfGrown()!;
    const opened = openCheckpoint(published.note, verifierKey);
    expect(opened.origin).toBe(ORIGIN);
    expect(opened.size).toBe(5n);
    expect(equalHashes(opened.root, tree.root())).toBe(true);
    expect(published).toMatchObject({ size: 5n, root: tree.root(), signedAt: '2026-03-04T05:06:07.890Z' });
    expect(publisher.latest()).toBe(published);
  });

  test('size 0 on a new log: the empty tree root', () => {
    const store = new MemoryCheckpointStore();
    const published = publisherFor(newTree(), store).publishIfGrown()!;
    expect(published.size).toBe(0n);
    expect(equalHashes(openCheckpoint(published.note, verifierKey).root, EMPTY_TREE_ROOT)).toBe(true);
    expect(store.list()).toEqual([published]);
  });

  test('does not sign again when the tree did not grow', () => {
    const tree = newTree(3);
    const store = new MemoryCheckpointStore();
    const publisher = publisherFor(tree, store);
    const first = publisher.publishIfGrown();
    expect(publisher.publishIfGrown()).toBeUndefined();
    expect(publisher.latest()).toBe(first);
    expect(store.list()).toHaveLength(1);
  });

  test('a restarted publisher serves the stored checkpoint and does not re-sign its size', () => {
    const tree = newTree(4);
    const store = new MemoryCheckpointStore();
    const first = publisherFor(tree, store).publishIfGrown()!;
    const restarted = publisherFor(tree, store);
    expect(restarted.latest()).toEqual(first);
    expect(restarted.publishIfGrown()).toBeUndefined();
    tree.append([leaf(4)]);
    expect(restarted.publishIfGrown()?.size).toBe(5n);
  });

  test('checkpoints published as the tree grows are pairwise consistent', () => {
    const tree = newTree();
    const publisher = publisherFor(tree);
    const published = [publisher.publishIfGrown()!];
    for (const size of [1, 2, 3, 7, 8, 9, 255, 256, 257, 1_000]) {
      tree.append(leaves(Number(tree.size), size));
      published.push(publisher.publishIfGrown()!);
    }
    const opened = published.map((c) => openCheckpoint(c.note, verifierKey));
    expect(opened.map((c) => c.size)).toEqual([0n, 1n, 2n, 3n, 7n, 8n, 9n, 255n, 256n, 257n, 1_000n]);
    for (const [i, older] of opened.entries()) {
      for (const newer of opened.slice(i + 1)) {
        const proof = tree.proveConsistency(older.size, newer.size);
        expect(() => verifyConsistency(older.size, newer.size, proof, older.root, newer.root)).not.toThrow();
      }
    }
  });

  test('persists before it serves: when the store refuses, nothing is served and no waiter resolves', async () => {
    const tree = newTree(2);
    const store = new FlakyStore();
    const publisher = publisherFor(tree, store);
    let resolved: SignedCheckpoint | undefined;
    void publisher.waitFor(2n).then((c) => (resolved = c));

    expect(() => publisher.publishIfGrown()).toThrow('disk full');
    await settle();
    expect(publisher.latest()).toBeUndefined();
    expect(resolved).toBeUndefined();

    store.failing = false;
    const published = publisher.publishIfGrown();
    await settle();
    expect(resolved).toBe(published);
    expect(store.list()).toEqual([published]);
  });

  test('refuses to sign on a tree that does not extend the latest checkpoint', () => {
    const store = new MemoryCheckpointStore();
    publisherFor(newTree(3), store).publishIfGrown();
    const publisher = publisherFor(newTree(6, ' other'), store);
    expect(() => publisher.publishIfGrown()).toThrow(LogForkedError);
    expect(store.list().map((c) => c.size)).toEqual([3n]);
  });
});

describe('CheckpointPublisher options', () => {
  test('refuses a signer not named after the origin', () => {
    expect(() => publisherFor(newTree(), undefined, { origin: 'other.example' })).toThrow(
      'checkpoint origin "other.example" differs from the signing key name "trailmark.test/log"',
    );
  });

  test('refuses an interval that is not a positive number', () => {
    expect(() => publisherFor(newTree(), undefined, { intervalMs: 0 })).toThrow(RangeError);
    expect(() => publisherFor(newTree(), undefined, { intervalMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('waitFor', () => {
  test('resolves at once when the latest checkpoint already covers the size', async () => {
    const publisher = publisherFor(newTree(4));
    const published = publisher.publishIfGrown();
    await expect(publisher.waitFor(3n)).resolves.toBe(published);
    await expect(publisher.waitFor(4n)).resolves.toBe(published);
  });

  test('resolves each waiter with the first checkpoint that covers it, in the order they waited', async () => {
    const tree = newTree();
    const publisher = publisherFor(tree);
    const order: string[] = [];
    const waits = [3n, 1n, 2n, 5n, 1n].map((size, i) =>
      publisher.waitFor(size).then((c) => {
        order.push(`#${i} wanted ${size} got ${c.size}`);
        return c;
      }),
    );
    tree.append(leaves(0, 2));
    publisher.publishIfGrown();
    await settle();
    expect(order).toEqual(['#1 wanted 1 got 2', '#2 wanted 2 got 2', '#4 wanted 1 got 2']);

    tree.append(leaves(2, 6));
    publisher.publishIfGrown();
    await settle();
    expect(order.slice(3)).toEqual(['#0 wanted 3 got 6', '#3 wanted 5 got 6']);
    expect((await Promise.all(waits)).map((c) => c.size)).toEqual([6n, 2n, 2n, 6n, 2n]);
  });

  test('stop() rejects pending waiters with a clear error; later waits are refused too', async () => {
    const publisher = publisherFor(newTree(1));
    publisher.start();
    const pending = publisher.waitFor(10n);
    publisher.stop();
    await expect(pending).rejects.toThrow(PublisherStoppedError);
    await expect(pending).rejects.toThrow('the checkpoint publisher stopped before a checkpoint covered size 10');
    await expect(publisher.waitFor(11n)).rejects.toThrow(PublisherStoppedError);
    await expect(publisher.waitFor(1n)).resolves.toMatchObject({ size: 1n });
  });
});

describe('verifyAgainstTree', () => {
  function storeSignedAt(size: number): MemoryCheckpointStore {
    const store = new MemoryCheckpointStore();
    publisherFor(newTree(size), store).publishIfGrown();
    return store;
  }

  test('passes on the tree that was signed, and on it grown, and with no checkpoint yet', () => {
    expect(() => publisherFor(newTree(5), storeSignedAt(5)).verifyAgainstTree()).not.toThrow();
    expect(() => publisherFor(newTree(50), storeSignedAt(5)).verifyAgainstTree()).not.toThrow();
    expect(() => publisherFor(newTree(3)).verifyAgainstTree()).not.toThrow();
  });

  test('detects a tree with other leaves: "log forked", the size and both roots', () => {
    const signed = newTree(5);
    const other = newTree(8, ' tampered');
    const publisher = publisherFor(other, storeSignedAt(5));
    expect(() => publisher.verifyAgainstTree()).toThrow(LogForkedError);
    expect(() => publisher.verifyAgainstTree()).toThrow(
      `log forked: the checkpoint for size 5 has root ${encodeBase64(signed.root())}, ` +
        `but the tree's root at size 5 is ${encodeBase64(other.root(5n))}`,
    );
  });

  test('detects a tree smaller than the checkpoint', () => {
    const signed = newTree(5);
    const smaller = newTree(3);
    const publisher = publisherFor(smaller, storeSignedAt(5));
    let error: unknown;
    try {
      publisher.verifyAgainstTree();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(LogForkedError);
    expect(error).toMatchObject({ checkpointSize: 5n, treeSize: 3n });
    expect((error as Error).message).toBe(
      `log forked: the checkpoint for size 5 has root ${encodeBase64(signed.root())}, ` +
        `but the tree has only 3 leaves (root ${encodeBase64(smaller.root())})`,
    );
  });
});

describe('start: timer-driven publishing', () => {
  test('publishes size 0 at once on a new log, then each time the tree grew', async () => {
    const tree = newTree();
    const store = new MemoryCheckpointStore();
    const publisher = publisherFor(tree, store, { intervalMs: 5 });
    running.push(publisher);
    publisher.start();
    expect(publisher.latest()?.size).toBe(0n);

    tree.append(leaves(0, 3));
    expect((await publisher.waitFor(3n)).size).toBe(3n);
    tree.append(leaves(3, 10));
    const tenth = await publisher.waitFor(10n);
    expect(openCheckpoint(tenth.note, verifierKey).size).toBe(10n);
    expect(store.list().map((c) => c.size)).toEqual([0n, 3n, 10n]);
  });

  test('treeGrew() signs at once when the last checkpoint is older than the interval, without waiting for a tick', async () => {
    const tree = newTree(2);
    const store = new MemoryCheckpointStore();
    publisherFor(tree, store, { intervalMs: 60_000 }).publishIfGrown();
    // A restarted service: its last checkpoint was signed by another process, long enough ago.
    const publisher = publisherFor(tree, store, { intervalMs: 60_000 });
    running.push(publisher);
    publisher.start();
    tree.append(leaves(2, 5));
    publisher.treeGrew();
    expect((await publisher.waitFor(5n)).size).toBe(5n);
  });

  test('treeGrew() within the interval of the last checkpoint waits for the interval to pass', async () => {
    const tree = newTree();
    const publisher = publisherFor(tree, undefined, { intervalMs: 60_000 });
    running.push(publisher);
    publisher.start();
    tree.append(leaves(0, 3));
    publisher.treeGrew();
    publisher.treeGrew();
    await settle();
    expect(publisher.latest()?.size).toBe(0n);
  });

  test('start() twice is refused', () => {
    const publisher = publisherFor(newTree(), undefined, { intervalMs: 5 });
    running.push(publisher);
    publisher.start();
    expect(() => publisher.start()).toThrow('already started');
  });

  test('a failing store is reported through onError and retried at the next interval', async () => {
    const tree = newTree(1);
    const store = new FlakyStore();
    store.failing = false;
    const errors: Error[] = [];
    let reported!: () => void;
    const twoErrors = new Promise<void>((resolve) => (reported = resolve));
    const publisher = publisherFor(tree, store, {
      intervalMs: 5,
      onError: (error) => {
        if (errors.push(error) === 2) reported();
      },
    });
    running.push(publisher);
    publisher.start();
    store.failing = true;
    const covered = publisher.waitFor(4n);
    tree.append(leaves(1, 4));
    await twoErrors;
    expect(errors.slice(0, 2).map((e) => e.message)).toEqual(['disk full', 'disk full']);
    expect(publisher.latest()?.size).toBe(1n);

    store.failing = false;
    expect((await covered).size).toBe(4n);
    expect(store.list().map((c) => c.size)).toEqual([1n, 4n]);
  });

  test('a failing signer is reported through onError, and onError throwing does not crash the process', async () => {
    const tree = newTree(1);
    let failing = false;
    const flakySigner = {
      ...signer,
      sign: (text: Uint8Array): Uint8Array => {
        if (failing) throw new Error('HSM unavailable');
        return signer.sign(text);
      },
    };
    let reported!: (error: Error) => void;
    const firstError = new Promise<Error>((resolve) => (reported = resolve));
    const publisher = publisherFor(tree, undefined, {
      signer: flakySigner,
      intervalMs: 5,
      onError: (error) => {
        reported(error);
        throw new Error('the error handler failed too');
      },
    });
    running.push(publisher);
    const warned: string[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = (warning: string | Error): void => void warned.push(String(warning));
    try {
      publisher.start();
      failing = true;
      tree.append([leaf(1)]);
      expect((await firstError).message).toBe('HSM unavailable');
      failing = false;
      expect((await publisher.waitFor(2n)).size).toBe(2n);
      expect(warned).toContain('checkpoint publish failed: the error handler failed too');
    } finally {
      process.emitWarning = emitWarning;
    }
  });

  test('start() throws when its first publish fails, and leaves no timer behind', () => {
    const publisher = publisherFor(newTree(1), new FlakyStore(), { intervalMs: 5 });
    running.push(publisher);
    expect(() => publisher.start()).toThrow('disk full');
    expect(() => publisher.start()).toThrow('disk full'); // not "already started"
  });
});

describe('with SQLite tiles and checkpoints on one shared connection', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'trailmark-publisher-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a reopened log verifies against its tree and carries on consistently', () => {
    const path = join(dir, 'ledger.db');
    let db = new Database(path);
    let tree = MerkleTree.open(new SqliteTileStore(db));
    tree.append(leaves(0, 700));
    const before = publisherFor(tree, new SqliteCheckpointStore(db)).publishIfGrown()!;
    db.close();

    db = new Database(path);
    tree = MerkleTree.open(new SqliteTileStore(db));
    const store = new SqliteCheckpointStore(db);
    const publisher = publisherFor(tree, store);
    publisher.verifyAgainstTree();
    expect(publisher.latest()).toEqual(before);
    tree.append(leaves(700, 1_234));
    const after = publisher.publishIfGrown()!;
    const proof = tree.proveConsistency(700n, 1_234n);
    expect(() => verifyConsistency(700n, 1_234n, proof, before.root, after.root)).not.toThrow();
    expect(store.list().map((c) => c.size)).toEqual([700n, 1_234n]);
    db.close();
  });
});
