// Property tests across packages: every proof libs/merkle makes verifies with proofs/ (the auditor's
// verifier), and a change to any bit of the proof, leaf, root, size or index is caught.
//
// RFC 9162 verification binds a proof to a size only through the root it is checked against, so a
// changed size is checked against the real tree's root at that size (what a signed checkpoint of
// that size would carry); the tree holds enough leaves for every changed size to exist.
import fc from 'fast-check';
import { MerkleTree, MemoryTileStore } from '@trailmark/merkle';
import { VerificationError, hashLeaf, verifyConsistency, verifyInclusion, type Hash } from '@trailmark/proofs';

const MAX_SIZE = 3_000;
const SIZE_BITS = 12;
const leaf = (i: number): Uint8Array => new TextEncoder().encode(`event ${i}`);
const tree = MerkleTree.open(new MemoryTileStore());
tree.append(Array.from({ length: 2 ** SIZE_BITS + MAX_SIZE }, (_, i) => leaf(i)));

const flipBit = (bytes: Uint8Array, bit: number): Hash => {
  const copy = bytes.slice();
  copy[(bit >> 3) % copy.length]! ^= 1 << (bit & 7);
  return copy as Hash;
};
const flipHashBit = (proof: readonly Hash[], which: number, bit: number): Hash[] =>
  proof.map((hash, i) => (i === which % proof.length ? flipBit(hash, bit) : hash));
const flipSizeBit = (value: bigint, bit: number): bigint => value ^ (1n << BigInt(bit));

const rejects = (verify: () => void): boolean => {
  try {
    verify();
    return false;
  } catch (error) {
    if (error instanceof VerificationError) return true;
    throw error;
  }
};

const inclusionCase = fc
  .integer({ min: 1, max: MAX_SIZE })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));
const consistencyCase = fc
  .integer({ min: 1, max: MAX_SIZE })
  .chain((newSize) => fc.record({ newSize: fc.constant(newSize), oldSize: fc.integer({ min: 1, max: newSize }) }));

describe('inclusion proofs from libs/merkle, checked by proofs/', () => {
  test('every proof verifies', () => {
    fc.assert(
      fc.property(inclusionCase, ({ size, index }) => {
        const [i, n] = [BigInt(index), BigInt(size)];
        verifyInclusion(i, n, hashLeaf(leaf(index)), tree.proveInclusion(i, n), tree.root(n));
      }),
      { numRuns: 2_000 },
    );
  });

  test('a flipped bit in a proof hash, the leaf or the root is rejected', () => {
    fc.assert(
      fc.property(inclusionCase, fc.nat(), fc.nat(255), ({ size, index }, which, bit) => {
        const [i, n] = [BigInt(index), BigInt(size)];
        const proof = tree.proveInclusion(i, n);
        const leafHash = hashLeaf(leaf(index));
        const root = tree.root(n);
        if (proof.length > 0) expect(rejects(() => verifyInclusion(i, n, leafHash, flipHashBit(proof, which, bit), root))).toBe(true);
        expect(rejects(() => verifyInclusion(i, n, hashLeaf(flipBit(leaf(index), bit)), proof, root))).toBe(true);
        expect(rejects(() => verifyInclusion(i, n, leafHash, proof, flipBit(root, bit)))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  test('a flipped bit in the size or the index is rejected unless the changed claim is true', () => {
    fc.assert(
      fc.property(inclusionCase, fc.nat(SIZE_BITS - 1), ({ size, index }, bit) => {
        const [i, n] = [BigInt(index), BigInt(size)];
        const proof = tree.proveInclusion(i, n);
        const leafHash = hashLeaf(leaf(index));
        const otherSize = flipSizeBit(n, bit);
        if (!rejects(() => verifyInclusion(i, otherSize, leafHash, proof, tree.root(otherSize)))) {
          expect(i < otherSize && proof).toEqual(tree.proveInclusion(i, otherSize));
        }
        const otherIndex = flipSizeBit(i, bit);
        expect(rejects(() => verifyInclusion(otherIndex, n, leafHash, proof, tree.root(n)))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('consistency proofs from libs/merkle, checked by proofs/', () => {
  test('every proof verifies', () => {
    fc.assert(
      fc.property(consistencyCase, ({ oldSize, newSize }) => {
        const [m, n] = [BigInt(oldSize), BigInt(newSize)];
        verifyConsistency(m, n, tree.proveConsistency(m, n), tree.root(m), tree.root(n));
      }),
      { numRuns: 2_000 },
    );
  });

  test('a flipped bit in a proof hash or either root is rejected', () => {
    fc.assert(
      fc.property(consistencyCase, fc.nat(), fc.nat(255), ({ oldSize, newSize }, which, bit) => {
        const [m, n] = [BigInt(oldSize), BigInt(newSize)];
        const proof = tree.proveConsistency(m, n);
        const [oldRoot, newRoot] = [tree.root(m), tree.root(n)];
        if (proof.length > 0) expect(rejects(() => verifyConsistency(m, n, flipHashBit(proof, which, bit), oldRoot, newRoot))).toBe(true);
        expect(rejects(() => verifyConsistency(m, n, proof, flipBit(oldRoot, bit), newRoot))).toBe(true);
        expect(rejects(() => verifyConsistency(m, n, proof, oldRoot, flipBit(newRoot, bit)))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  test('a flipped bit in either size is rejected unless the changed claim is true', () => {
    fc.assert(
      fc.property(consistencyCase, fc.nat(SIZE_BITS - 1), fc.boolean(), ({ oldSize, newSize }, bit, changeOld) => {
        const [m, n] = [BigInt(oldSize), BigInt(newSize)];
        const proof = tree.proveConsistency(m, n);
        const [m2, n2] = changeOld ? [flipSizeBit(m, bit), n] : [m, flipSizeBit(n, bit)];
        if (!rejects(() => verifyConsistency(m2, n2, proof, tree.root(m2), tree.root(n2)))) {
          expect(m2 <= n2 && proof).toEqual(tree.proveConsistency(m2, n2));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
