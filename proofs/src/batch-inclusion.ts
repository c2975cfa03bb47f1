// One inclusion proof for many leaves of one tree (a stream batch's records): the hashes of the subtrees of
// RFC 9162's tree that hold none of the leaves, so a subtree shared by two leaves' paths is sent once. For a
// run of adjacent leaves it is about two inclusion proofs long, however many leaves the run holds.
import { VerificationError } from './errors.js';
import { equalHashes, hashChildren, type Hash } from './hash.js';
import { bitLength } from './tree-math.js';

/** Leaves [lo, hi) of a tree: one node of RFC 9162's tree (MTH of D[lo:hi]). */
export interface LeafSpan {
  readonly lo: bigint;
  readonly hi: bigint;
}

/** A leaf the proof covers: its index and its leaf hash. */
export interface ProvenLeaf {
  readonly index: bigint;
  readonly hash: Hash;
}

/**
 * The subtrees whose hashes a batch inclusion proof of `indices` (strictly increasing, below `size`) carries,
 * in the proof's order: depth first, left before right, every maximal subtree that holds none of the indices.
 */
export function batchInclusionSpans(indices: readonly bigint[], size: bigint): LeafSpan[] {
  checkIndices(indices, size);
  const spans: LeafSpan[] = [];
  walk(indices, 0n, size, 0, indices.length, {
    empty: (span) => void spans.push(span),
    leaf: () => undefined,
    join: () => undefined,
  });
  return spans;
}

/** The root a batch inclusion proof leads to from `leaves` (strictly increasing indices) in the tree of `size`. */
export function rootFromBatchInclusion(size: bigint, leaves: readonly ProvenLeaf[], proof: readonly Hash[]): Hash {
  const indices = leaves.map((leaf) => leaf.index);
  checkIndices(indices, size);
  let next = 0;
  const root = walk<Hash>(indices, 0n, size, 0, indices.length, {
    empty: () => {
      const hash = proof[next++];
      if (!hash) throw new VerificationError(`the batch proof has ${proof.length} hashes; its leaves need more`);
      return hash;
    },
    leaf: (i) => leaves[i]!.hash,
    join: hashChildren,
  });
  if (next !== proof.length) throw new VerificationError(`the batch proof has ${proof.length} hashes; its leaves need ${next}`);
  return root;
}

/** Throws VerificationError unless `proof` leads from `leaves` to `root` in the tree of `size`. */
export function verifyBatchInclusion(size: bigint, leaves: readonly ProvenLeaf[], proof: readonly Hash[], root: Hash): void {
  const computed = rootFromBatchInclusion(size, leaves, proof);
  if (!equalHashes(computed, root)) throw new VerificationError('the batch proof leads to another root');
}

interface Visit<T> {
  /** A subtree holding none of the indices: its hash is the proof's. */
  empty(span: LeafSpan): T;
  /** The leaf of indices[i]. */
  leaf(i: number): T;
  join(left: T, right: T): T;
}

/** Walks the subtree [lo, hi), which holds indices[first, last). */
function walk<T>(indices: readonly bigint[], lo: bigint, hi: bigint, first: number, last: number, visit: Visit<T>): T {
  if (first === last) return visit.empty({ lo, hi });
  if (hi - lo === 1n) return visit.leaf(first);
  const mid = lo + splitPoint(hi - lo);
  let split = first;
  while (split < last && indices[split]! < mid) split++;
  return visit.join(walk(indices, lo, mid, first, split, visit), walk(indices, mid, hi, split, last, visit));
}

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: bigint): bigint {
  return 1n << BigInt(bitLength(n - 1n) - 1);
}

function checkIndices(indices: readonly bigint[], size: bigint): void {
  if (size <= 0n) throw new VerificationError('a batch proof needs a tree of at least one leaf');
  indices.forEach((index, i) => {
    if (index < 0n || index >= size) throw new VerificationError(`leaf ${index} is not in a tree of size ${size}`);
    if (i > 0 && index <= indices[i - 1]!) throw new VerificationError('a batch proof needs its leaves in increasing order, each once');
  });
}
