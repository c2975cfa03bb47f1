import { MerkleTree, MemoryTileStore } from '@trailmark/merkle';
import { REFERENCE_LEAVES, REFERENCE_ROOTS, hex, independentTree, testLeaf } from './reference.js';

describe('RFC 6962 reference vectors', () => {
  test('roots at every size 0..8, appended in one batch', () => {
    const tree = MerkleTree.open(new MemoryTileStore());
    tree.append(REFERENCE_LEAVES);
    REFERENCE_ROOTS.forEach((root, size) => expect(hex(tree.root(BigInt(size)))).toBe(root));
  });

  test('roots at every size 0..8, appended one at a time', () => {
    const tree = MerkleTree.open(new MemoryTileStore());
    expect(hex(tree.root())).toBe(REFERENCE_ROOTS[0]);
    REFERENCE_LEAVES.forEach((leaf, i) => {
      expect(tree.append([leaf])).toBe(BigInt(i));
      expect(hex(tree.root())).toBe(REFERENCE_ROOTS[i + 1]);
    });
  });
});

describe('against merkletreejs, an independent implementation', () => {
  const picks = (size: number): number[] => {
    if (size <= 64) return Array.from({ length: size }, (_, i) => i);
    const random = Array.from({ length: 4 }, () => Math.floor(Math.random() * size));
    return [0, size - 1, Math.floor(size / 2), ...random];
  };

  test('every size 1..1,100: same root and the same inclusion paths, as past sizes of one tree', () => {
    const leaves = Array.from({ length: 1100 }, (_, i) => testLeaf(i));
    const tree = MerkleTree.open(new MemoryTileStore());
    let appended = 0;
    for (const batch of [1, 2, 5, 100, 300, 692]) tree.append(leaves.slice(appended, (appended += batch)));
    expect(tree.size).toBe(1100n);
    for (let size = 1; size <= 1100; size++) {
      const other = independentTree(leaves.slice(0, size));
      expect(hex(tree.root(BigInt(size)))).toBe(other.root());
      for (const index of picks(size)) {
        expect(tree.proveInclusion(BigInt(index), BigInt(size)).map(hex)).toEqual(other.path(index));
      }
    }
  });

  test('random sizes up to 100,000: same root and inclusion paths', () => {
    const sizes = [65_536, 65_537, ...Array.from({ length: 3 }, () => 1 + Math.floor(Math.random() * 100_000))];
    const leaves = Array.from({ length: Math.max(...sizes) }, (_, i) => testLeaf(i));
    const tree = MerkleTree.open(new MemoryTileStore());
    tree.append(leaves);
    for (const size of sizes) {
      const other = independentTree(leaves.slice(0, size));
      expect(hex(tree.root(BigInt(size)))).toBe(other.root());
      for (const index of picks(size)) {
        expect(tree.proveInclusion(BigInt(index), BigInt(size)).map(hex)).toEqual(other.path(index));
      }
    }
  });
});

describe('argument checks', () => {
  const tree = MerkleTree.open(new MemoryTileStore());
  tree.append(REFERENCE_LEAVES);

  test('sizes beyond the tree, indexes beyond the size and shrinking proofs are refused', () => {
    expect(() => tree.root(9n)).toThrow('size 9 is larger than the tree (8 leaves)');
    expect(() => tree.proveInclusion(8n, 8n)).toThrow('index 8 is not in a tree of size 8');
    expect(() => tree.proveInclusion(-1n, 8n)).toThrow('outside');
    expect(() => tree.proveConsistency(5n, 4n)).toThrow('oldSize 5 is larger than newSize 4');
  });

  test('consistency from 0 or to the same size is the empty proof', () => {
    expect(tree.proveConsistency(0n, 8n)).toEqual([]);
    expect(tree.proveConsistency(8n, 8n)).toEqual([]);
  });

  test('leafHash reads back what was appended', () => {
    const other = independentTree(REFERENCE_LEAVES);
    expect(hex(tree.leafHash(3n))).toBe(other.path(2)[0]);
  });
});
