import { encodeBase64 } from './base64.js';
import { VerificationError } from './errors.js';
import { assertHashes, equalHashes, hashChildren, type Hash } from './hash.js';
import { inclusionProofLength } from './tree-math.js';
import { assertUint64 } from './uint64.js';

// RFC 9162 §2.1.3.2: verifying an inclusion proof.
//
// The RFC's preconditions are turned into errors here, checked before any hashing:
//   - index >= size (which includes every index for size 0: the empty tree has no
//     leaves and therefore no inclusion proofs) → VerificationError;
//   - a proof whose length differs from the one the tree shape dictates → a
//     VerificationError naming both lengths. The RFC detects a too-long proof
//     during the walk (sn reaches 0 early) and a too-short one at the end (sn is
//     not 0); checking the length first gives the same verdict with a clearer message.
//   - negative or larger-than-64-bit index or size → FormatError.

/**
 * Recomputes the root of the tree of `size` leaves from the hash of leaf `index`
 * and its audit path. Throws VerificationError when the proof cannot belong to
 * that position (index out of range, wrong number of hashes).
 */
export function rootFromInclusionProof(
  index: bigint,
  size: bigint,
  leafHash: Hash,
  proof: readonly Hash[],
): Hash {
  assertUint64(index, 'leaf index');
  assertUint64(size, 'tree size');
  assertHashes([leafHash], 'leaf hash');
  assertHashes(proof, 'inclusion proof hash');
  if (index >= size) {
    throw new VerificationError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  const needed = inclusionProofLength(index, size);
  if (proof.length !== needed) {
    throw new VerificationError(
      `inclusion proof has ${proof.length} hashes, a tree of size ${size} needs ${needed} for index ${index}`,
    );
  }

  // fn is the position of the running node within its level, sn the position of
  // the last node of that level; the walk climbs one level per step.
  let fn = index;
  let sn = size - 1n;
  let root = leafHash;
  for (const sibling of proof) {
    if ((fn & 1n) === 1n || fn === sn) {
      // The sibling is on the left. When fn === sn with fn even, the running node is
      // the last one of its level and has no right sibling: climb (without hashing)
      // until it becomes a right child or reaches the top.
      root = hashChildren(sibling, root);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      root = hashChildren(root, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // Guaranteed by the length check; kept as the RFC's final condition.
  if (sn !== 0n) {
    throw new VerificationError(`inclusion proof for index ${index} ends below the root of a tree of size ${size}`);
  }
  return root;
}

/**
 * Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose root is
 * `root`. Returns normally on success; throws VerificationError saying what failed.
 */
export function verifyInclusion(
  index: bigint,
  size: bigint,
  leafHash: Hash,
  proof: readonly Hash[],
  root: Hash,
): void {
  assertHashes([root], 'root');
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!equalHashes(computed, root)) {
    throw new VerificationError(
      `computed root ${encodeBase64(computed)} does not match expected root ${encodeBase64(root)} ` +
        `(leaf index ${index}, tree size ${size})`,
    );
  }
}
