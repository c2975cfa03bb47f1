// Which nodes a root or a proof needs, worked out before anything is read.
//
// A node is (level, index): the root of the perfect subtree over leaves
// [index·2^level, (index+1)·2^level). RFC 9162 hashes any range [lo, hi) as its
// perfect subtrees from the left, largest first, folded from the right:
// MTH(D[lo:hi]) = H(s1, H(s2, … H(sk−1, sk))). Proofs are lists of such ranges.
//
// Arithmetic is on numbers, exact below 2^53 leaves; callers check that bound.

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A range [lo, hi) of leaves whose hash a proof carries. */
export interface LeafRange {
  readonly lo: number;
  readonly hi: number;
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The perfect subtrees that make up [lo, hi), left to right. */
export function perfectSubtrees(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let lo = range.lo;
  let width = splitPoint(range.hi - lo + 1);
  while (lo < range.hi) {
    while (width > range.hi - lo) width /= 2;
    if (lo % width !== 0) throw new Error(`range [${range.lo}, ${range.hi}) is not aligned at ${lo}`);
    nodes.push({ level: Math.log2(width), index: lo / width });
    lo += width;
  }
  return nodes;
}

/** RFC 9162 §2.1.3.1 PATH(index, D[0:size]), as ranges, bottom-up (the proof's order). */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      ranges.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      ranges.push({ lo, hi: lo + k });
      lo += k;
    }
  }
  return ranges.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(oldSize, D[0:newSize]) for 0 < oldSize < newSize, as ranges, in the proof's order. */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let lo = 0;
  let hi = newSize;
  let m = oldSize;
  let oldRootIsKnown = true;
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      ranges.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      ranges.push({ lo, hi: lo + k });
      lo += k;
      m -= k;
      oldRootIsKnown = false;
    }
  }
  if (!oldRootIsKnown) ranges.push({ lo, hi });
  return ranges.reverse();
}
