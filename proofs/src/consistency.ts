import { encodeBase64 } from './base64.js';
import { VerificationError } from './errors.js';
import { assertHashes, EMPTY_TREE_ROOT, equalHashes, hashChildren, type Hash } from './hash.js';
import { inclusionProofLength, trailingZeros } from './tree-math.js';
import { assertUint64 } from './uint64.js';

// RFC 9162 §2.1.4.2: verifying a consistency proof between two tree heads.
//
// The RFC only covers 0 < oldSize < newSize. The other cases are defined here:
//   - oldSize > newSize: a log never shrinks → VerificationError "tree shrank".
//   - oldSize == 0: every tree extends the empty one, and there is nothing to prove,
//     so the proof must be empty and oldRoot must be the empty-tree root
//     SHA-256(""). newRoot cannot be checked (it is only checked when newSize is 0 too).
//   - oldSize == newSize: the proof must be empty and the two roots equal (two roots
//     for one size are a fork).
//   - a proof of the wrong length → VerificationError naming both lengths (checked
//     before hashing; the RFC would reject it during or after the walk).
//   - negative or larger-than-64-bit sizes → FormatError.

/**
 * Checks that the tree of `newSize` leaves with root `newRoot` extends the tree of
 * `oldSize` leaves with root `oldRoot`. Returns normally on success; throws
 * VerificationError saying what failed.
 */
export function verifyConsistency(
  oldSize: bigint,
  newSize: bigint,
  proof: readonly Hash[],
  oldRoot: Hash,
  newRoot: Hash,
): void {
  assertUint64(oldSize, 'old tree size');
  assertUint64(newSize, 'new tree size');
  assertHashes([oldRoot], 'old root');
  assertHashes([newRoot], 'new root');
  assertHashes(proof, 'consistency proof hash');
  if (oldSize > newSize) {
    throw new VerificationError(`tree shrank from size ${oldSize} to ${newSize}`);
  }
  if (oldSize === 0n || oldSize === newSize) {
    verifyTrivialConsistency(oldSize, newSize, proof, oldRoot, newRoot);
    return;
  }

  // The old tree's right edge ends in a complete subtree of 2^shift leaves, where
  // shift is the number of trailing zeros of oldSize. Coordinates below are node
  // positions at that subtree's level: fn is the old edge's node, sn the last node
  // of the new tree at that level.
  const shift = BigInt(trailingZeros(oldSize));
  let fn = (oldSize - 1n) >> shift;
  let sn = (newSize - 1n) >> shift;
  // When oldSize is a power of two the old tree is itself that subtree, so the proof
  // leaves it out and the old root takes its place (RFC step 2).
  const oldIsPowerOfTwo = fn === 0n;
  const needed = (oldIsPowerOfTwo ? 0 : 1) + inclusionProofLength(fn, sn + 1n);
  if (proof.length !== needed) {
    throw new VerificationError(
      `consistency proof has ${proof.length} hashes, sizes ${oldSize} to ${newSize} need ${needed}`,
    );
  }

  const path = oldIsPowerOfTwo ? [oldRoot, ...proof] : proof;
  // fr rebuilds the old root and sr the new one, both starting from the shared subtree.
  let fr = path[0]!;
  let sr = fr;
  for (const c of path.slice(1)) {
    if ((fn & 1n) === 1n || fn === sn) {
      // c is a left sibling: it belongs to both trees.
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      // c is a right sibling: it holds leaves added after the old tree.
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) {
    throw new VerificationError(`consistency proof from ${oldSize} to ${newSize} ends below the new root`);
  }
  if (!equalHashes(fr, oldRoot)) {
    throw new VerificationError(
      `consistency proof gives old root ${encodeBase64(fr)} for size ${oldSize}, expected ${encodeBase64(oldRoot)}`,
    );
  }
  if (!equalHashes(sr, newRoot)) {
    throw new VerificationError(
      `consistency proof gives new root ${encodeBase64(sr)} for size ${newSize}, expected ${encodeBase64(newRoot)}`,
    );
  }
}

/** The cases outside the RFC: an empty old tree, or two heads of the same size. */
function verifyTrivialConsistency(
  oldSize: bigint,
  newSize: bigint,
  proof: readonly Hash[],
  oldRoot: Hash,
  newRoot: Hash,
): void {
  if (proof.length !== 0) {
    throw new VerificationError(
      `consistency proof has ${proof.length} hashes, sizes ${oldSize} to ${newSize} need 0`,
    );
  }
  if (oldSize === 0n && !equalHashes(oldRoot, EMPTY_TREE_ROOT)) {
    throw new VerificationError(
      `old root ${encodeBase64(oldRoot)} is not the empty-tree root ${encodeBase64(EMPTY_TREE_ROOT)}`,
    );
  }
  if (oldSize === newSize && !equalHashes(oldRoot, newRoot)) {
    throw new VerificationError(
      `two different roots for tree size ${newSize}: ${encodeBase64(oldRoot)} and ${encodeBase64(newRoot)}`,
    );
  }
}
