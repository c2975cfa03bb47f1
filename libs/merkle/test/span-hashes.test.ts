import { MerkleTree, MemoryTileStore } from '@trailmark/merkle';
import { batchInclusionSpans, hashLeaf, verifyBatchInclusion } from '@trailmark/proofs';
import { testLeaf } from './reference.js';

test('spanHashes gives the hashes of a batch inclusion proof, at the current size and at an older one', () => {
  const tree = MerkleTree.open(new MemoryTileStore());
  const leaves = Array.from({ length: 1300 }, (_, i) => testLeaf(i));
  tree.append(leaves);
  for (const size of [1300n, 777n]) {
    const indices = [3n, 4n, 5n, 300n, 511n, 512n, 700n];
    const proof = tree.spanHashes(batchInclusionSpans(indices, size), size);
    const proven = indices.map((index) => ({ index, hash: hashLeaf(leaves[Number(index)]!) }));
    expect(() => verifyBatchInclusion(size, proven, proof, tree.root(size))).not.toThrow();
  }
});

test('a span outside the tree is refused', () => {
  const tree = MerkleTree.open(new MemoryTileStore());
  tree.append([testLeaf(0), testLeaf(1)]);
  expect(() => tree.spanHashes([{ lo: 1n, hi: 3n }], 2n)).toThrow(/not a range of the tree of size 2/);
  expect(() => tree.spanHashes([{ lo: 0n, hi: 1n }], 3n)).toThrow(RangeError);
});
