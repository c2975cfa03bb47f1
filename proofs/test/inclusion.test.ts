import { sha256 } from '@noble/hashes/sha2.js';
import {
  FormatError,
  hashLeaf,
  rootFromInclusionProof,
  VerificationError,
  verifyInclusion,
  verifyConsistency,
  type Hash,
} from '@trailmark/proofs';
import { flipBit, inclusionShape, leaves, mth, path, REFERENCE_LEAVES } from './naive-tree.js';

const verify = (index: number, size: number, leafHash: Hash, proof: Hash[], root: Hash) =>
  verifyInclusion(BigInt(index), BigInt(size), leafHash, proof, root);

function sameInclusionShape(index: number, size: number, otherIndex: number, otherSize: number): boolean {
  const a = inclusionShape(index, size);
  const b = inclusionShape(otherIndex, otherSize);
  return a.length === b.length && a.root === b.root;
}

/** Every (index, size) with index < size <= maxSize, with the RFC's proof for it. */
function* cases(maxSize: number) {
  const all = leaves(maxSize);
  for (let size = 1; size <= maxSize; size++) {
    const tree = all.slice(0, size);
    const root = mth(tree);
    for (let index = 0; index < size; index++) {
      yield { index, size, leafHash: hashLeaf(tree[index]!), proof: path(index, tree), root, tree };
    }
  }
}

test('every inclusion proof up to size 64 verifies', () => {
  let count = 0;
  for (const c of cases(64)) {
    expect(() => verify(c.index, c.size, c.leafHash, c.proof, c.root)).not.toThrow();
    count++;
  }
  expect(count).toBe((64 * 65) / 2);
});

test('the reference tree of 8: flipping any bit of any proof hash, the leaf hash or the root fails', () => {
  for (const c of cases(REFERENCE_LEAVES.length)) {
    for (let bit = 0; bit < 256; bit++) {
      c.proof.forEach((_, i) => {
        const bad = c.proof.map((h, j) => (i === j ? flipBit(h, bit) : h));
        expect(() => verify(c.index, c.size, c.leafHash, bad, c.root)).toThrow(VerificationError);
      });
      expect(() => verify(c.index, c.size, flipBit(c.leafHash, bit), c.proof, c.root)).toThrow(VerificationError);
      expect(() => verify(c.index, c.size, c.leafHash, c.proof, flipBit(c.root, bit))).toThrow(VerificationError);
    }
  }
});

test('up to size 64: one flipped bit per hash, and index or size off by one, fail', () => {
  let seed = 1;
  const nextBit = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
  for (const c of cases(64)) {
    c.proof.forEach((_, i) => {
      const bad = c.proof.map((h, j) => (i === j ? flipBit(h, nextBit()) : h));
      expect(() => verify(c.index, c.size, c.leafHash, bad, c.root)).toThrow(VerificationError);
    });
    expect(() => verify(c.index, c.size, flipBit(c.leafHash, nextBit()), c.proof, c.root)).toThrow(VerificationError);
    expect(() => verify(c.index, c.size, c.leafHash, c.proof, flipBit(c.root, nextBit()))).toThrow(VerificationError);
    for (const [index, size] of [
      [c.index + 1, c.size],
      [c.index - 1, c.size],
      [c.index, c.size + 1],
      [c.index, c.size - 1],
    ] as const) {
      if (index < 0) continue;
      const attempt = () => verify(index, size, c.leafHash, c.proof, c.root);
      // The proof binds the tree's shape only as far as the hashes reach: e.g. leaf 0's
      // proof in a tree of 3 also proves leaf 0 in a tree of 4 with the same root (the
      // signed checkpoint is what fixes the size). Such claims are exactly those whose
      // symbolic root is the same; every other one must fail.
      if (index < size && sameInclusionShape(c.index, c.size, index, size)) expect(attempt).not.toThrow();
      else expect(attempt).toThrow(VerificationError);
    }
  }
});

test('rootFromInclusionProof returns the root', () => {
  const tree = leaves(13);
  expect(rootFromInclusionProof(5n, 13n, hashLeaf(tree[5]!), path(5, tree))).toEqual(mth(tree));
});

describe('cases outside the RFC', () => {
  const tree = leaves(7);
  const root = mth(tree);
  const leafHash = hashLeaf(tree[4]!);

  test('size 0 has no leaves to prove', () => {
    expect(() => verifyInclusion(0n, 0n, leafHash, [], root)).toThrow(
      new VerificationError('leaf index 0 is outside a tree of size 0'),
    );
  });

  test('index >= size', () => {
    expect(() => verifyInclusion(7n, 7n, leafHash, path(4, tree), root)).toThrow(/leaf index 7 is outside a tree of size 7/);
    expect(() => verifyInclusion(100n, 7n, leafHash, [], root)).toThrow(VerificationError);
  });

  test('a proof that is too long or too short says how long it should be', () => {
    const good = path(4, tree);
    expect(good).toHaveLength(3);
    expect(() => verifyInclusion(4n, 7n, leafHash, [...good, good[0]!], root)).toThrow(
      'inclusion proof has 4 hashes, a tree of size 7 needs 3 for index 4',
    );
    expect(() => verifyInclusion(4n, 7n, leafHash, good.slice(0, 2), root)).toThrow(
      'inclusion proof has 2 hashes, a tree of size 7 needs 3 for index 4',
    );
  });

  test('a mismatching root names both roots', () => {
    expect(() => verifyInclusion(3n, 7n, hashLeaf(tree[3]!), path(4, tree), root)).toThrow(
      /^computed root \S+ does not match expected root \S+ \(leaf index 3, tree size 7\)$/,
    );
  });

  test('size 1: the leaf hash is the root and the proof is empty', () => {
    expect(() => verifyInclusion(0n, 1n, hashLeaf(tree[0]!), [], mth(tree.slice(0, 1)))).not.toThrow();
  });

  test('negative or over-64-bit numbers are malformed input', () => {
    expect(() => verifyInclusion(-1n, 7n, leafHash, [], root)).toThrow(FormatError);
    expect(() => verifyInclusion(0n, -7n, leafHash, [], root)).toThrow(FormatError);
    expect(() => verifyInclusion(0n, 1n << 64n, leafHash, [], root)).toThrow(FormatError);
  });
});

describe('64-bit sizes without precision loss', () => {
  // A tree of 2^64-1 leaves cannot be built, but its proof shape is known: the last
  // leaf (index 2^64-2) is a left child whose right neighbour does not exist, so it
  // climbs the right edge and meets a left sibling at each of the 63 levels where the
  // index has a 1 bit.
  const max = (1n << 64n) - 1n;
  const leafHash = hashLeaf(Uint8Array.of(1));
  const siblings = Array.from({ length: 63 }, (_, i) => hashLeaf(Uint8Array.of(2, i)));

  test('proof length for the last leaf of a 2^64-1 tree is computed exactly', () => {
    expect(() => rootFromInclusionProof(max - 1n, max, leafHash, siblings.slice(0, 62))).toThrow(
      `inclusion proof has 62 hashes, a tree of size ${max} needs 63 for index ${max - 1n}`,
    );
    expect(() => rootFromInclusionProof(max - 1n, max, leafHash, siblings)).not.toThrow();
  });

  test('the walk hashes each sibling on the left, as the tree shape says', () => {
    // SHA-256(0x01 || left || right), written out independently of the library.
    const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.from([1, ...left, ...right]));
    let expected: Uint8Array = leafHash;
    for (const s of siblings) expected = nodeHash(s, expected);
    expect(rootFromInclusionProof(max - 1n, max, leafHash, siblings)).toEqual(expected);
  });
});

test('a value that is not a 32-byte hash is bad input, not hashed with leftovers of the last call', () => {
  const short = new Uint8Array(31) as Hash;
  const ok = new Uint8Array(32) as Hash;
  expect(() => verifyInclusion(0n, 2n, ok, [short], ok)).toThrow(FormatError);
  expect(() => verifyInclusion(0n, 2n, short, [ok], ok)).toThrow(FormatError);
  expect(() => verifyInclusion(0n, 2n, ok, [ok], short)).toThrow(FormatError);
  expect(() => verifyConsistency(1n, 2n, [ok], short, ok)).toThrow(FormatError);
  expect(() => verifyConsistency(1n, 2n, [short], ok, ok)).toThrow(FormatError);
});
