import { batchInclusionSpans, hashLeaf, rootFromBatchInclusion, VerificationError, verifyBatchInclusion, type Hash } from '@trailmark/proofs';
import { leaves, mth } from './naive-tree.js';

/** The proof a log would send: each span's hash, computed by the RFC's MTH over the span's leaves. */
function prove(tree: Uint8Array[], indices: number[]): Hash[] {
  return batchInclusionSpans(indices.map(BigInt), BigInt(tree.length)).map(({ lo, hi }) => mth(tree.slice(Number(lo), Number(hi))));
}

const proven = (tree: Uint8Array[], indices: number[]) => indices.map((index) => ({ index: BigInt(index), hash: hashLeaf(tree[index]!) }));

/** Every non-empty subset of the leaves of every tree up to `maxSize` leaves. */
function* subsets(maxSize: number) {
  for (let size = 1; size <= maxSize; size++) {
    for (let mask = 1; mask < 1 << size; mask++) {
      yield { size, indices: Array.from({ length: size }, (_, i) => i).filter((i) => mask & (1 << i)) };
    }
  }
}

test('every subset of every tree up to 10 leaves proves to the RFC root', () => {
  let checked = 0;
  for (const { size, indices } of subsets(10)) {
    const tree = leaves(size);
    expect(() => verifyBatchInclusion(BigInt(size), proven(tree, indices), prove(tree, indices), mth(tree))).not.toThrow();
    checked++;
  }
  expect(checked).toBe(2036);
});

test('a run of adjacent leaves needs at most two paths of hashes, however long the run', () => {
  const tree = leaves(1000);
  const run = Array.from({ length: 700 }, (_, i) => 137 + i);
  const proof = prove(tree, run);
  expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(tree.length)));
  expect(() => verifyBatchInclusion(1000n, proven(tree, run), proof, mth(tree))).not.toThrow();
});

test('a changed leaf, a leaf left out, a hash missing or added each fail', () => {
  const tree = leaves(13);
  const indices = [1, 2, 3, 7, 12];
  const proof = prove(tree, indices);
  const root = mth(tree);
  const changed = proven(tree, indices).map((leaf, i) => (i === 2 ? { ...leaf, hash: hashLeaf(Uint8Array.of(1)) } : leaf));
  expect(() => verifyBatchInclusion(13n, changed, proof, root)).toThrow(VerificationError);
  expect(() => verifyBatchInclusion(13n, proven(tree, [1, 2, 7, 12]), proof, root)).toThrow(VerificationError);
  expect(() => rootFromBatchInclusion(13n, proven(tree, indices), proof.slice(1))).toThrow(/its leaves need more/);
  expect(() => rootFromBatchInclusion(13n, proven(tree, indices), [...proof, root])).toThrow(/its leaves need \d+$/);
  expect(() => verifyBatchInclusion(14n, proven(tree, indices), proof, root)).toThrow(VerificationError);
});

test('leaves out of order, twice, or outside the tree are refused', () => {
  expect(() => batchInclusionSpans([3n, 2n], 5n)).toThrow(/increasing order/);
  expect(() => batchInclusionSpans([2n, 2n], 5n)).toThrow(/increasing order/);
  expect(() => batchInclusionSpans([5n], 5n)).toThrow(/not in a tree of size 5/);
});
