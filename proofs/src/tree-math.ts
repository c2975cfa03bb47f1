// Bit arithmetic on bigint tree coordinates, shared by the two proof verifiers.

/** Number of bits needed to write n (0 for 0). */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Number of set bits in n (n >= 0). */
export function popCount(n: bigint): number {
  let count = 0;
  for (const digit of n.toString(2)) if (digit === '1') count++;
  return count;
}

/** Number of trailing zero bits of n (n > 0). */
export function trailingZeros(n: bigint): number {
  let count = 0;
  while ((n & 1n) === 0n) {
    n >>= 1n;
    count++;
  }
  return count;
}

/**
 * How many hashes an inclusion proof for leaf `index` in a tree of `size` leaves
 * holds (index < size). Below the highest bit where index and size-1 differ, the
 * leaf's path runs through complete subtrees and every level contributes a
 * sibling ("inner" hashes). Above it, the path runs along the tree's right edge,
 * where only levels at which the index has a 1 bit have a left sibling ("border"
 * hashes); levels with a 0 bit have no right sibling and are skipped.
 */
export function inclusionProofLength(index: bigint, size: bigint): number {
  const inner = bitLength(index ^ (size - 1n));
  return inner + popCount(index >> BigInt(inner));
}
