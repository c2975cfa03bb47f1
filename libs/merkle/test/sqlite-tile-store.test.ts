import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrentAppendError, MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { hex, independentTree, testLeaf } from './reference.js';

describe('SqliteTileStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'trailmark-tiles-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a reopened tree has the same size, roots and proofs, and keeps growing correctly', () => {
    const leaves = Array.from({ length: 5_000 }, (_, i) => testLeaf(i));
    const path = join(dir, 'tiles.db');
    let store = SqliteTileStore.open(path);
    let tree = MerkleTree.open(store);
    tree.append(leaves.slice(0, 1));
    tree.append(leaves.slice(1, 3_001));
    const before = { root: hex(tree.root()), proof: tree.proveInclusion(1_234n).map(hex), old: hex(tree.root(700n)) };
    store.close();

    store = SqliteTileStore.open(path);
    tree = MerkleTree.open(store);
    expect(tree.size).toBe(3_001n);
    expect(hex(tree.root())).toBe(before.root);
    expect(hex(tree.root(700n))).toBe(before.old);
    expect(tree.proveInclusion(1_234n).map(hex)).toEqual(before.proof);

    for (let at = 3_001; at < 5_000; at += 333) tree.append(leaves.slice(at, Math.min(at + 333, 5_000)));
    const other = independentTree(leaves);
    expect(hex(tree.root())).toBe(other.root());
    expect(tree.proveInclusion(4_321n).map(hex)).toEqual(other.path(4_321));
    store.close();
  });

  test('a second appender on the same store is refused, and the first stays correct', () => {
    const path = join(dir, 'tiles.db');
    const first = MerkleTree.open(SqliteTileStore.open(path));
    const secondStore = SqliteTileStore.open(path);
    const second = MerkleTree.open(secondStore);
    first.append([testLeaf(0), testLeaf(1)]);
    expect(() => second.append([testLeaf(99)])).toThrow(ConcurrentAppendError);
    expect(secondStore.readTreeSize()).toBe(2n);
    first.append([testLeaf(2)]);
    expect(hex(first.root())).toBe(independentTree([0, 1, 2].map(testLeaf)).root());
  });

  test('after a rolled-back transaction around an append, reload() brings the tree back to the store', () => {
    const store = SqliteTileStore.open(join(dir, 'tiles.db'));
    const tree = MerkleTree.open(store);
    tree.append([0, 1, 2].map(testLeaf));
    const rolledBack = store.db.transaction(() => {
      tree.append([3, 4].map(testLeaf));
      throw new Error('the caller failed after the append');
    });
    expect(() => rolledBack()).toThrow('the caller failed');
    expect(tree.size).toBe(5n);
    tree.reload();
    expect(tree.size).toBe(3n);
    tree.append([3, 4, 5].map(testLeaf));
    expect(hex(tree.root())).toBe(independentTree([0, 1, 2, 3, 4, 5].map(testLeaf)).root());
    store.close();
  });
});
