import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryTileStore, MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { EMPTY_TREE_ROOT, asHash, encodeBase64, equalHashes, verifyConsistency } from '@trailmark/proofs';
import {
  CheckpointPublisher,
  LogForkedError,
  MemoryCheckpointStore,
  PublisherStoppedError,
  SqliteCheckpointStore,
  generateNoteKey,
  openCheckpoint,
  parseSignerKey,
  type CheckpointClaims,
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A wait awaited later: should the test fail first, stop() rejecting it must not end the test run. */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

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
  test('publishes a note that opens with the log key and carries the tree size and root', async () => {
    const tree = newTree(5);
    const publisher = publisherFor(tree, undefined, { now: () => new Date('2026-03-04T05:06:07.890Z') });
    const published = (await publisher.publishIfGrown())!;
    const opened = openCheckpoint(published.note, verifierKey);
    expect(opened.origin).toBe(ORIGIN);
    expect(opened.size).toBe(5n);
    expect(equalHashes(opened.root, tree.root())).toBe(true);
    expect(published).toMatchObject({ size: 5n, root: tree.root(), signedAt: '2026-03-04T05:06:07.890Z' });
    expect(publisher.latest()).toBe(published);
  });

  test('size 0 on a new log: the empty tree root', async () => {
    const store = new MemoryCheckpointStore();
    const published = (await publisherFor(newTree(), store).publishIfGrown())!;
    expect(published.size).toBe(0n);
    expect(equalHashes(openCheckpoint(published.note, verifierKey).root, EMPTY_TREE_ROOT)).toBe(true);
    expect(store.list()).toEqual([published]);
  });

  test('does not sign again when the tree did not grow', async () => {
    const tree = newTree(3);
    const store = new MemoryCheckpointStore();
    const publisher = publisherFor(tree, store);
    const first = await publisher.publishIfGrown();
    expect(first?.size).toBe(3n);
    expect(await publisher.publishIfGrown()).toBeUndefined();
    expect(publisher.latest()).toBe(first);
    expect(store.list()).toHaveLength(1);
  });

  test('calls made while a publish runs share its outcome; a later call publishes anew', async () => {
    const tree = newTree(3);
    const store = new MemoryCheckpointStore();
    const publisher = publisherFor(tree, store);
    const first = publisher.publishIfGrown();
    const second = publisher.publishIfGrown();
    expect(second).toBe(first);
    const [a, b] = await Promise.all([first, second]);
    expect(a?.size).toBe(3n);
    expect(b).toBe(a);
    expect(store.list()).toEqual([a]);

    tree.append(leaves(3, 5));
    const third = publisher.publishIfGrown();
    expect(third).not.toBe(first);
    expect((await third)?.size).toBe(5n);
    expect(store.list().map((c) => c.size)).toEqual([3n, 5n]);
  });

  test('a rejected publish is shared too, and does not stick: the next call tries again', async () => {
    const store = new FlakyStore();
    const publisher = publisherFor(newTree(2), store);
    const first = publisher.publishIfGrown();
    const second = publisher.publishIfGrown();
    expect(second).toBe(first);
    await expect(first).rejects.toThrow('disk full');
    await expect(second).rejects.toThrow('disk full');
    store.failing = false;
    expect((await publisher.publishIfGrown())?.size).toBe(2n);
  });

  test('a restarted publisher serves the stored checkpoint and does not re-sign its size', async () => {
    const tree = newTree(4);
    const store = new MemoryCheckpointStore();
    const first = (await publisherFor(tree, store).publishIfGrown())!;
    const restarted = publisherFor(tree, store);
    expect(restarted.latest()).toEqual(first);
    expect(await restarted.publishIfGrown()).toBeUndefined();
    tree.append([leaf(4)]);
    expect((await restarted.publishIfGrown())?.size).toBe(5n);
  });

  test('checkpoints published as the tree grows are pairwise consistent', async () => {
    const tree = newTree();
    const publisher = publisherFor(tree);
    const published = [(await publisher.publishIfGrown())!];
    for (const size of [1, 2, 3, 7, 8, 9, 255, 256, 257, 1_000]) {
      tree.append(leaves(Number(tree.size), size));
      published.push((await publisher.publishIfGrown())!);
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

    await expect(publisher.publishIfGrown()).rejects.toThrow('disk full');
    await settle();
    expect(publisher.latest()).toBeUndefined();
    expect(resolved).toBeUndefined();

    store.failing = false;
    const published = await publisher.publishIfGrown();
    expect(published?.size).toBe(2n);
    await settle();
    expect(resolved).toBe(published);
    expect(store.list()).toEqual([published]);
  });

  test('refuses to sign on a tree that does not extend the latest checkpoint', async () => {
    const store = new MemoryCheckpointStore();
    await publisherFor(newTree(3), store).publishIfGrown();
    const publisher = publisherFor(newTree(6, ' other'), store);
    await expect(publisher.publishIfGrown()).rejects.toThrow(LogForkedError);
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
    const published = await publisher.publishIfGrown();
    expect(published?.size).toBe(4n);
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
    await publisher.publishIfGrown();
    await settle();
    expect(order).toEqual(['#1 wanted 1 got 2', '#2 wanted 2 got 2', '#4 wanted 1 got 2']);

    tree.append(leaves(2, 6));
    await publisher.publishIfGrown();
    await settle();
    expect(order.slice(3)).toEqual(['#0 wanted 3 got 6', '#3 wanted 5 got 6']);
    expect((await Promise.all(waits)).map((c) => c.size)).toEqual([6n, 2n, 2n, 6n, 2n]);
  });

  test('stop() rejects pending waiters with a clear error; later waits are refused too', async () => {
    const publisher = publisherFor(newTree(1));
    await publisher.start();
    const pending = publisher.waitFor(10n);
    publisher.stop();
    await expect(pending).rejects.toThrow(PublisherStoppedError);
    await expect(pending).rejects.toThrow('the checkpoint publisher stopped before a checkpoint covered size 10');
    await expect(publisher.waitFor(11n)).rejects.toThrow(PublisherStoppedError);
    await expect(publisher.waitFor(1n)).resolves.toMatchObject({ size: 1n });
  });
});

describe('verifyAgainstTree', () => {
  async function storeSignedAt(size: number): Promise<MemoryCheckpointStore> {
    const store = new MemoryCheckpointStore();
    await publisherFor(newTree(size), store).publishIfGrown();
    expect(store.latest()?.size).toBe(BigInt(size));
    return store;
  }

  test('passes on the tree that was signed, and on it grown, and with no checkpoint yet', async () => {
    await expect(publisherFor(newTree(5), await storeSignedAt(5)).verifyAgainstTree()).resolves.toBeUndefined();
    await expect(publisherFor(newTree(50), await storeSignedAt(5)).verifyAgainstTree()).resolves.toBeUndefined();
    await expect(publisherFor(newTree(3)).verifyAgainstTree()).resolves.toBeUndefined();
  });

  test('detects a tree with other leaves: "log forked", the size and both roots', async () => {
    const signed = newTree(5);
    const other = newTree(8, ' tampered');
    const publisher = publisherFor(other, await storeSignedAt(5));
    await expect(publisher.verifyAgainstTree()).rejects.toThrow(LogForkedError);
    await expect(publisher.verifyAgainstTree()).rejects.toThrow(
      `log forked: the checkpoint for size 5 has root ${encodeBase64(signed.root())}, ` +
        `but the tree's root at size 5 is ${encodeBase64(other.root(5n))}`,
    );
  });

  test('detects a tree smaller than the checkpoint', async () => {
    const signed = newTree(5);
    const smaller = newTree(3);
    const publisher = publisherFor(smaller, await storeSignedAt(5));
    let error: unknown;
    try {
      await publisher.verifyAgainstTree();
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
    await publisher.start();
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
    await publisherFor(tree, store, { intervalMs: 60_000 }).publishIfGrown();
    // A restarted service: its last checkpoint was signed by another process, long enough ago.
    const publisher = publisherFor(tree, store, { intervalMs: 60_000 });
    running.push(publisher);
    await publisher.start();
    tree.append(leaves(2, 5));
    publisher.treeGrew();
    expect((await publisher.waitFor(5n)).size).toBe(5n);
  });

  test('treeGrew() within the interval of the last checkpoint waits for the interval to pass', async () => {
    const tree = newTree();
    const publisher = publisherFor(tree, undefined, { intervalMs: 60_000 });
    running.push(publisher);
    await publisher.start();
    tree.append(leaves(0, 3));
    publisher.treeGrew();
    publisher.treeGrew();
    await settle();
    expect(publisher.latest()?.size).toBe(0n);
  });

  test('start() twice is refused', async () => {
    const publisher = publisherFor(newTree(), undefined, { intervalMs: 5 });
    running.push(publisher);
    await publisher.start();
    await expect(publisher.start()).rejects.toThrow('already started');
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
    await publisher.start();
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
      await publisher.start();
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

  test('start() rejects when its first publish fails, and leaves no timer behind', async () => {
    const publisher = publisherFor(newTree(1), new FlakyStore(), { intervalMs: 5 });
    running.push(publisher);
    await expect(publisher.start()).rejects.toThrow('disk full');
    await expect(publisher.start()).rejects.toThrow('disk full'); // not "already started"
  });
});

describe('with SQLite tiles and checkpoints on one shared connection', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'trailmark-publisher-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a reopened log verifies against its tree and carries on consistently', async () => {
    const path = join(dir, 'ledger.db');
    let db = new Database(path);
    let tree = MerkleTree.open(new SqliteTileStore(db));
    tree.append(leaves(0, 700));
    const before = (await publisherFor(tree, new SqliteCheckpointStore(db)).publishIfGrown())!;
    db.close();

    db = new Database(path);
    tree = MerkleTree.open(new SqliteTileStore(db));
    const store = new SqliteCheckpointStore(db);
    const publisher = publisherFor(tree, store);
    await publisher.verifyAgainstTree();
    expect(publisher.latest()).toEqual(before);
    tree.append(leaves(700, 1_234));
    const after = (await publisher.publishIfGrown())!;
    const proof = tree.proveConsistency(700n, 1_234n);
    expect(() => verifyConsistency(700n, 1_234n, proof, before.root, after.root)).not.toThrow();
    expect(store.list().map((c) => c.size)).toEqual([700n, 1_234n]);
    db.close();
  });
});

/**
 * The log's checkpoint stream as an event store keeps it, appended with an expected revision. Every
 * publisher reads and appends through its own handle (StreamClaims).
 */
class ClaimStream {
  readonly events: SignedCheckpoint[] = [];

  /** -1 while the stream does not exist. */
  get revision(): number {
    return this.events.length - 1;
  }

  sizes(): bigint[] {
    return this.events.map((checkpoint) => checkpoint.size);
  }

  handle(): StreamClaims {
    return new StreamClaims(this);
  }
}

/** What one publisher reads and writes of a ClaimStream: each checkpoint comes back as a copy, like a read. */
const copied = (checkpoint: SignedCheckpoint): SignedCheckpoint => ({
  ...checkpoint,
  root: asHash(Uint8Array.from(checkpoint.root)),
});

/**
 * One publisher's view of the stream. It knows only the revision it last read (claimedAfter) or wrote
 * (a claim that won); a claim lands only when that revision is still the stream's and the size grows.
 */
class StreamClaims implements CheckpointClaims {
  private seenRevision = -1;
  /** The size of every checkpoint this handle was asked to claim, won or lost. */
  readonly attempts: bigint[] = [];
  readonly won: bigint[] = [];

  constructor(private readonly stream: ClaimStream) {}

  async claim(checkpoint: SignedCheckpoint): Promise<boolean> {
    this.attempts.push(checkpoint.size);
    // A round trip to the event store: another publisher may append meanwhile.
    await settle();
    const latest = this.stream.events.at(-1);
    if (this.seenRevision !== this.stream.revision) return false;
    if (latest !== undefined && checkpoint.size <= latest.size) return false;
    this.stream.events.push(copied(checkpoint));
    this.seenRevision = this.stream.revision;
    this.won.push(checkpoint.size);
    return true;
  }

  async claimedAfter(after: SignedCheckpoint | undefined): Promise<SignedCheckpoint[]> {
    await settle();
    this.seenRevision = this.stream.revision;
    return this.stream.events.filter((checkpoint) => after === undefined || checkpoint.size > after.size).map(copied);
  }
}

interface Replica {
  tree: MerkleTree;
  store: MemoryCheckpointStore;
  claims: StreamClaims;
  publisher: CheckpointPublisher;
}

/**
 * A publisher on its own tree and store, claiming on the shared stream. Each signs with its own clock, so
 * signedAt tells whose checkpoint a store holds (the notes of two replicas of one log are byte-identical).
 */
function replicaOn(
  stream: ClaimStream,
  tree: MerkleTree,
  signedAt: string,
  options: Partial<CheckpointPublisherOptions> = {},
  store = new MemoryCheckpointStore(),
): Replica {
  const claims = stream.handle();
  const publisher = publisherFor(tree, store, { claims, now: () => new Date(signedAt), ...options });
  running.push(publisher);
  return { tree, store, claims, publisher };
}

const AT_A = '2026-01-01T00:00:00.000Z';
const AT_B = '2026-02-02T00:00:00.000Z';
const AT_C = '2026-03-03T00:00:00.000Z';

/** Sizes strictly grow: no size is claimed twice. */
function expectStrictlyGrowing(sizes: bigint[]): void {
  for (const [i, size] of sizes.entries()) if (i > 0) expect(size).toBeGreaterThan(sizes[i - 1]!);
}

describe('with claims shared by two publishers', () => {
  test.each([
    ['a', 'b'],
    ['b', 'a'],
  ])('both signing the same grown tree: exactly one claim wins, the other serves the winner\'s checkpoint (%s asks first)', async (first, second) => {
    const stream = new ClaimStream();
    const replicas: Record<string, Replica> = {
      a: replicaOn(stream, newTree(5), AT_A),
      b: replicaOn(stream, newTree(5), AT_B),
    };
    const [fromFirst, fromSecond] = await Promise.all([
      replicas[first]!.publisher.publishIfGrown(),
      replicas[second]!.publisher.publishIfGrown(),
    ]);
    // Both claimed; the stream took the first claim only.
    expect(replicas[first]!.claims.attempts).toEqual([5n]);
    expect(replicas[second]!.claims.attempts).toEqual([5n]);
    expect(replicas[first]!.claims.won).toEqual([5n]);
    expect(replicas[second]!.claims.won).toEqual([]);
    expect(fromSecond).toBeUndefined();
    const won = fromFirst!;
    expect(won).toMatchObject({ size: 5n, signedAt: first === 'a' ? AT_A : AT_B });
    expect(stream.events).toEqual([won]);

    const loser = replicas[second]!;
    const served = loser.publisher.latest()!;
    expect(served.note).toBe(won.note);
    expect(served.signedAt).toBe(won.signedAt);
    expect(equalHashes(served.root, won.root)).toBe(true);
    expect(loser.store.list()).toEqual([served]);
    expect(openCheckpoint(served.note, verifierKey).size).toBe(5n);
  });

  test('as both trees grow alike, every checkpoint is claimed once, in growing sizes, and both serve the same ones', async () => {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(2), AT_A);
    const b = replicaOn(stream, newTree(2), AT_B);
    const won = [await a.publisher.publishIfGrown()];
    // The loser's next publish takes in the winner's checkpoint.
    expect(b.publisher.latest()).toBeUndefined();
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    expect(b.publisher.latest()).toMatchObject({ size: 2n, note: won[0]!.note, signedAt: AT_A });

    for (const size of [3, 7, 8, 20]) {
      a.tree.append(leaves(Number(a.tree.size), size));
      b.tree.append(leaves(Number(b.tree.size), size));
      const outcomes = await Promise.all([b.publisher.publishIfGrown(), a.publisher.publishIfGrown()]);
      expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
      won.push(outcomes[1]);
      // The follower may have looked before the leader's claim landed: its next publish takes it in.
      expect(await b.publisher.publishIfGrown()).toBeUndefined();
      expect(b.publisher.latest()).toMatchObject({ size: BigInt(size), note: outcomes[1]!.note, signedAt: AT_A });
    }
    const sizes = stream.sizes();
    expect(sizes).toEqual([2n, 3n, 7n, 8n, 20n]);
    expectStrictlyGrowing(sizes);
    expect(new Set(sizes).size).toBe(sizes.length);
    expect(stream.events).toEqual(won);
    expect(a.store.list()).toEqual(stream.events);
    expect(b.store.list()).toEqual(stream.events);
    // The follower did not claim again while the leader kept publishing.
    expect(b.claims.attempts).toEqual([2n]);
  });

  test('a loser whose tree is behind the claimed checkpoint takes it in only once its tree reaches that size', async () => {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(5), AT_A);
    const b = replicaOn(stream, newTree(3), AT_B);
    const five = (await a.publisher.publishIfGrown())!;
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    expect(b.claims.attempts).toEqual([3n]);
    expect(stream.sizes()).toEqual([5n]);
    expect(b.publisher.latest()).toBeUndefined();
    expect(b.store.list()).toEqual([]);

    b.tree.append(leaves(3, 4));
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    expect(b.publisher.latest()).toBeUndefined();
    expect(b.store.list()).toEqual([]);

    // The leader moves on to 8 while the follower passes 5 but not 8: it takes in 5 only.
    a.tree.append(leaves(5, 8));
    const eight = (await a.publisher.publishIfGrown())!;
    b.tree.append(leaves(4, 7));
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    expect(b.publisher.latest()).toMatchObject({ size: 5n, note: five.note, signedAt: AT_A });
    expect(b.store.list().map((c) => c.size)).toEqual([5n]);

    b.tree.append(leaves(7, 8));
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    expect(b.publisher.latest()).toMatchObject({ size: 8n, note: eight.note, signedAt: AT_A });
    expect(b.store.list().map((c) => c.size)).toEqual([5n, 8n]);
    expect(stream.sizes()).toEqual([5n, 8n]);
    expect(b.claims.attempts).toEqual([3n]);
  });

  test('a follower whose tree has another root at the claimed size refuses it: LogForkedError, nothing stored', async () => {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(5), AT_A);
    const b = replicaOn(stream, newTree(5, ' other'), AT_B);
    const won = (await a.publisher.publishIfGrown())!;
    const refused = b.publisher.publishIfGrown();
    await expect(refused).rejects.toThrow(LogForkedError);
    await expect(refused).rejects.toMatchObject({ checkpointSize: 5n, checkpointRoot: won.root, treeSize: 5n });
    await expect(refused).rejects.toThrow(
      `log forked: the checkpoint for size 5 has root ${encodeBase64(won.root)}, ` +
        `but the tree's root at size 5 is ${encodeBase64(b.tree.root(5n))}`,
    );
    expect(b.publisher.latest()).toBeUndefined();
    expect(b.store.list()).toEqual([]);
    expect(stream.sizes()).toEqual([5n]);
    // It keeps refusing: a fork does not heal by retrying.
    await expect(b.publisher.publishIfGrown()).rejects.toThrow(LogForkedError);
    expect(b.store.list()).toEqual([]);
  });

  test('a fork after an agreed prefix is refused once the follower\'s tree reaches the claimed size', async () => {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(3), AT_A);
    const b = replicaOn(stream, newTree(3), AT_B);
    await a.publisher.publishIfGrown();
    await b.publisher.publishIfGrown();
    expect(b.publisher.latest()?.size).toBe(3n);

    a.tree.append(leaves(3, 6));
    await a.publisher.publishIfGrown();
    b.tree.append(leaves(3, 5, ' other'));
    // Still behind the claimed 6: it cannot tell yet.
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    b.tree.append(leaves(5, 6, ' other'));
    await expect(b.publisher.publishIfGrown()).rejects.toThrow(LogForkedError);
    expect(b.publisher.latest()?.size).toBe(3n);
    expect(b.store.list().map((c) => c.size)).toEqual([3n]);
  });

  test('waitFor(size) on a follower resolves with the checkpoint it takes in', async () => {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(5), AT_A);
    const b = replicaOn(stream, newTree(3), AT_B);
    const got: string[] = [];
    const forFive = awaitedLater(b.publisher.waitFor(5n).then((c) => (got.push(`5: ${c.size}`), c)));
    const forSix = awaitedLater(b.publisher.waitFor(6n).then((c) => (got.push(`6: ${c.size}`), c)));
    const five = (await a.publisher.publishIfGrown())!;
    expect(await b.publisher.publishIfGrown()).toBeUndefined();
    await settle();
    expect(got).toEqual([]);

    b.tree.append(leaves(3, 5));
    await b.publisher.publishIfGrown();
    await settle();
    expect(got).toEqual(['5: 5']);
    const adopted = await forFive;
    expect(adopted).toBe(b.publisher.latest());
    expect(adopted).toMatchObject({ size: 5n, note: five.note, signedAt: AT_A });

    a.tree.append(leaves(5, 9));
    const nine = (await a.publisher.publishIfGrown())!;
    b.tree.append(leaves(5, 9));
    await b.publisher.publishIfGrown();
    expect(await forSix).toMatchObject({ size: 9n, note: nine.note, signedAt: AT_A });
    expect(got).toEqual(['5: 5', '6: 9']);
    expect(b.claims.won).toEqual([]);
  });

  test('a started follower serves the leader\'s checkpoints as its ticks take them in', async () => {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(5), AT_A);
    const b = replicaOn(stream, newTree(3), AT_B, { intervalMs: 10 });
    const five = (await a.publisher.publishIfGrown())!;
    await b.publisher.start();
    expect(b.claims.attempts).toEqual([3n]);
    expect(b.publisher.latest()).toBeUndefined();
    const waited = awaitedLater(b.publisher.waitFor(4n));
    b.tree.append(leaves(3, 5));
    expect(await waited).toMatchObject({ size: 5n, note: five.note, signedAt: AT_A });
    expect(stream.sizes()).toEqual([5n]);
    expect(b.store.list().map((c) => c.signedAt)).toEqual([AT_A]);
  });

  describe('a leader that falls silent', () => {
    const intervalMs = 50;
    // Time as the publishers see it moves only when a test says so, however slow the machine: a stall between two
    // steps is not a silence. The started follower's own timers (the last test) run on the real clock.
    let clockMs = 0;
    const monotonicMs = (): number => clockMs;
    /** Past LEADER_SILENT_INTERVALS (3) intervals. */
    const silence = (): void => {
      clockMs += 4 * intervalMs + 20;
    };

    async function leaderAndFollower(clock: { monotonicMs?: () => number } = { monotonicMs }): Promise<{ stream: ClaimStream; a: Replica; b: Replica }> {
      const stream = new ClaimStream();
      const a = replicaOn(stream, newTree(5), AT_A, { intervalMs, ...clock });
      const b = replicaOn(stream, newTree(5), AT_B, { intervalMs, ...clock });
      await a.publisher.publishIfGrown();
      expect(await b.publisher.publishIfGrown()).toBeUndefined();
      expect(b.claims.attempts).toEqual([5n]);
      expect(b.publisher.latest()?.signedAt).toBe(AT_A);
      return { stream, a, b };
    }

    test('is succeeded by a follower whose tree grew; the old leader then loses its claim and follows', async () => {
      const { stream, a, b } = await leaderAndFollower();
      b.tree.append(leaves(5, 8));
      // The leader just published: the follower does not claim.
      expect(await b.publisher.publishIfGrown()).toBeUndefined();
      expect(b.claims.attempts).toEqual([5n]);
      expect(b.publisher.latest()?.size).toBe(5n);

      silence();
      const taken = (await b.publisher.publishIfGrown())!;
      expect(taken).toMatchObject({ size: 8n, signedAt: AT_B });
      expect(b.claims.won).toEqual([8n]);
      expect(stream.sizes()).toEqual([5n, 8n]);
      expect(stream.events[1]).toEqual(taken);
      expect(b.publisher.latest()).toBe(taken);

      // The old leader comes back with a grown tree: its claim loses, it serves the new leader's 8.
      a.tree.append(leaves(5, 9));
      expect(await a.publisher.publishIfGrown()).toBeUndefined();
      expect(a.claims.attempts).toEqual([5n, 9n]);
      expect(a.publisher.latest()).toMatchObject({ size: 8n, note: taken.note, signedAt: AT_B });
      expect(stream.sizes()).toEqual([5n, 8n]);
      // ... and now follows: it does not claim again at once.
      a.tree.append(leaves(9, 10));
      expect(await a.publisher.publishIfGrown()).toBeUndefined();
      expect(a.claims.attempts).toEqual([5n, 9n]);

      b.tree.append(leaves(8, 10));
      expect((await b.publisher.publishIfGrown())?.size).toBe(10n);
      expect(await a.publisher.publishIfGrown()).toBeUndefined();
      expect(a.publisher.latest()).toMatchObject({ size: 10n, signedAt: AT_B });
      expect(stream.sizes()).toEqual([5n, 8n, 10n]);
      expect(a.store.list()).toEqual(stream.events);
      expect(b.store.list()).toEqual(stream.events);
    });

    test('is not succeeded while the follower\'s tree did not grow', async () => {
      const { stream, b } = await leaderAndFollower();
      silence();
      expect(await b.publisher.publishIfGrown()).toBeUndefined();
      expect(b.claims.attempts).toEqual([5n]);
      expect(stream.sizes()).toEqual([5n]);
    });

    test('a leader that keeps publishing is not succeeded, however long it leads', async () => {
      const { stream, a, b } = await leaderAndFollower();
      // The follower's tree is a leaf ahead of every checkpoint the leader claims: it would have one to sign.
      b.tree.append([leaf(5)]);
      // Each round takes half an interval; together far more than three intervals.
      for (let size = 6; size <= 15; size++) {
        clockMs += intervalMs / 2;
        a.tree.append([leaf(size - 1)]);
        b.tree.append([leaf(size)]);
        expect((await a.publisher.publishIfGrown())?.size).toBe(BigInt(size));
        expect(await b.publisher.publishIfGrown()).toBeUndefined();
        expect(b.publisher.latest()).toMatchObject({ size: BigInt(size), signedAt: AT_A });
      }
      expect(b.claims.attempts).toEqual([5n]);
      expect(stream.sizes()).toEqual([5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n, 13n, 14n, 15n]);
      expect(b.store.list()).toEqual(stream.events);
    });

    test('a started follower takes over on its own once the leader stops', async () => {
      const { stream, a, b } = await leaderAndFollower({});
      a.publisher.stop();
      await b.publisher.start();
      b.tree.append(leaves(5, 7));
      const taken = await b.publisher.waitFor(7n);
      expect(taken).toMatchObject({ size: 7n, signedAt: AT_B });
      expect(stream.sizes()).toEqual([5n, 7n]);
      expect(b.claims.won).toEqual([7n]);
    });
  });
});

describe('verifyAgainstTree with claims', () => {
  /** A log of checkpoints 3 and 5, claimed by publisher a. */
  async function claimedLog(): Promise<{ stream: ClaimStream; a: Replica }> {
    const stream = new ClaimStream();
    const a = replicaOn(stream, newTree(3), AT_A);
    await a.publisher.publishIfGrown();
    a.tree.append(leaves(3, 5));
    await a.publisher.publishIfGrown();
    expect(stream.sizes()).toEqual([3n, 5n]);
    return { stream, a };
  }

  test('a restarted publisher with an empty store takes in every claimed checkpoint, passes, then leads', async () => {
    const { stream } = await claimedLog();
    const c = replicaOn(stream, newTree(5), AT_C);
    expect(c.publisher.latest()).toBeUndefined();
    await expect(c.publisher.verifyAgainstTree()).resolves.toBeUndefined();
    expect(c.store.list()).toEqual(stream.events);
    expect(c.publisher.latest()).toMatchObject({ size: 5n, note: stream.events[1]!.note, signedAt: AT_A });
    expect(c.claims.attempts).toEqual([]);

    // It read the stream to its end, so its claims win.
    c.tree.append(leaves(5, 6));
    expect(await c.publisher.publishIfGrown()).toMatchObject({ size: 6n, signedAt: AT_C });
    expect(stream.sizes()).toEqual([3n, 5n, 6n]);
  });

  test('a restarted publisher takes in only what was claimed after its stored latest', async () => {
    const { stream } = await claimedLog();
    const store = new MemoryCheckpointStore();
    store.append(stream.events[0]!);
    const c = replicaOn(stream, newTree(5), AT_C, {}, store);
    expect(c.publisher.latest()?.size).toBe(3n);
    await c.publisher.verifyAgainstTree();
    expect(store.list()).toEqual(stream.events);
    expect(c.publisher.latest()?.size).toBe(5n);
  });

  test('takes in claimed checkpoints only up to its tree\'s size', async () => {
    const { stream } = await claimedLog();
    const c = replicaOn(stream, newTree(4), AT_C);
    await expect(c.publisher.verifyAgainstTree()).resolves.toBeUndefined();
    expect(c.store.list()).toEqual([stream.events[0]]);
    expect(c.publisher.latest()?.size).toBe(3n);
  });

  test('rejects with LogForkedError when the claimed root differs from its tree, storing nothing', async () => {
    const { stream } = await claimedLog();
    const c = replicaOn(stream, newTree(5, ' other'), AT_C);
    const verified = c.publisher.verifyAgainstTree();
    await expect(verified).rejects.toThrow(LogForkedError);
    await expect(verified).rejects.toMatchObject({ checkpointSize: 3n, checkpointRoot: stream.events[0]!.root });
    expect(c.store.list()).toEqual([]);
    expect(c.publisher.latest()).toBeUndefined();
  });

  test('rejects when only a later claimed checkpoint differs, keeping what agreed', async () => {
    const { stream } = await claimedLog();
    const tree = newTree(3);
    tree.append(leaves(3, 5, ' other'));
    const c = replicaOn(stream, tree, AT_C);
    await expect(c.publisher.verifyAgainstTree()).rejects.toMatchObject({ name: 'LogForkedError', checkpointSize: 5n });
    expect(c.store.list()).toEqual([stream.events[0]]);
  });

  test('still checks the stored latest against the tree when nothing new was claimed', async () => {
    const { stream, a } = await claimedLog();
    const c = replicaOn(stream, newTree(8, ' other'), AT_C, {}, a.store);
    await expect(c.publisher.verifyAgainstTree()).rejects.toThrow(LogForkedError);
  });

  test('a publisher that claimed but crashed before storing takes its own claim back in on restart', async () => {
    const stream = new ClaimStream();
    const store = new FlakyStore();
    const tree = newTree(4);
    const crashed = replicaOn(stream, tree, AT_A, {}, store);
    await expect(crashed.publisher.publishIfGrown()).rejects.toThrow('disk full');
    expect(stream.sizes()).toEqual([4n]);
    expect(store.list()).toEqual([]);

    store.failing = false;
    const restarted = replicaOn(stream, tree, AT_B, {}, store);
    await restarted.publisher.verifyAgainstTree();
    expect(store.list()).toEqual(stream.events);
    expect(restarted.publisher.latest()).toMatchObject({ size: 4n, signedAt: AT_A });
    tree.append(leaves(4, 6));
    expect(await restarted.publisher.publishIfGrown()).toMatchObject({ size: 6n, signedAt: AT_B });
    expect(stream.sizes()).toEqual([4n, 6n]);
  });
});

describe('overlapping calls and failed stores', () => {
  test('a second start() while the first is still publishing is refused', async () => {
    const publisher = publisherFor(newTree(1), undefined, { intervalMs: 5 });
    running.push(publisher);
    const first = publisher.start();
    const second = publisher.start();
    await first;
    await expect(second).rejects.toThrow('already started');
  });

  test('after two overlapping start() calls, stop() leaves no timer publishing', async () => {
    const tree = newTree(1);
    const store = new MemoryCheckpointStore();
    const publisher = publisherFor(tree, store, { intervalMs: 5 });
    await Promise.allSettled([publisher.start(), publisher.start()]);
    publisher.stop();
    tree.append(leaves(1, 3));
    await sleep(50);
    expect(store.list().map((c) => c.size)).toEqual([1n]);
  });

  test('stop() while start() awaits its first publish: no timer is installed afterwards', async () => {
    const tree = newTree(1);
    const store = new MemoryCheckpointStore();
    const publisher = publisherFor(tree, store, { intervalMs: 5 });
    const started = publisher.start();
    publisher.stop();
    await started.catch(() => undefined);
    tree.append(leaves(1, 3));
    await sleep(50);
    expect(store.list().map((c) => c.size)).toEqual([1n]);
  });

  test('a sole publisher whose store failed after its claim won stores that checkpoint on retry, without claiming it again, and goes on publishing', async () => {
    const stream = new ClaimStream();
    const store = new FlakyStore();
    const tree = newTree(2);
    const publisher = publisherFor(tree, store, { claims: stream.handle(), intervalMs: 1_000 });
    await expect(publisher.publishIfGrown()).rejects.toThrow('disk full');
    store.failing = false;
    expect((await publisher.publishIfGrown())?.size).toBe(2n);
    expect(stream.sizes()).toEqual([2n]);
    tree.append(leaves(2, 4));
    expect((await publisher.publishIfGrown())?.size).toBe(4n);
    expect(stream.sizes()).toEqual([2n, 4n]);
  });

  test('a follower behind the leader does not claim while the leader keeps publishing', async () => {
    const intervalMs = 20;
    // Time moves an interval a round, as the publishers see it, however long a round takes on this machine.
    let clockMs = 0;
    const monotonicMs = (): number => clockMs;
    const stream = new ClaimStream();
    const leaderClaims = stream.handle();
    const followerClaims = stream.handle();
    const leaderTree = newTree(50);
    const followerTree = newTree(3);
    const leader = publisherFor(leaderTree, undefined, { claims: leaderClaims, intervalMs, monotonicMs });
    const follower = publisherFor(followerTree, undefined, { claims: followerClaims, intervalMs, monotonicMs });
    await leader.publishIfGrown();
    await follower.publishIfGrown();
    for (let round = 0; round < 8; round++) {
      clockMs += intervalMs;
      leaderTree.append(leaves(Number(leaderTree.size), Number(leaderTree.size) + 10));
      followerTree.append([leaf(Number(followerTree.size))]);
      await leader.publishIfGrown();
      await follower.publishIfGrown();
    }
    // A checkpoint arrived every interval: the follower tried only its first claim, the one it lost.
    expect(followerClaims.attempts).toEqual([3n]);
  });

  test('verifyAgainstTree() and a publish started together take each claimed checkpoint in once', async () => {
    const stream = new ClaimStream();
    const leaderTree = newTree(3);
    const leader = publisherFor(leaderTree, undefined, { claims: stream.handle() });
    await leader.publishIfGrown();
    const tree = newTree(3);
    const follower = publisherFor(tree, undefined, { claims: stream.handle() });
    leaderTree.append(leaves(3, 5));
    await leader.publishIfGrown();
    tree.append(leaves(3, 6));
    await follower.publishIfGrown(); // claims 6, loses, takes in 3 and 5: now follows
    leaderTree.append(leaves(5, 6));
    await leader.publishIfGrown();
    const results = await Promise.allSettled([follower.verifyAgainstTree(), follower.publishIfGrown()]);
    // Run side by side, both would read "claimed after 5" = [6] and the second store.append be refused.
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);
  });
});
