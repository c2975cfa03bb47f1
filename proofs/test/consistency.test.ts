import { EMPTY_TREE_ROOT, FormatError, VerificationError, verifyConsistency, type Hash } from '@trailmark/proofs';
import { consistencyShape, flipBit, leaves, mth, proof, REFERENCE_LEAVES } from './naive-tree.js';

const verify = (m: number, n: number, p: Hash[], oldRoot: Hash, newRoot: Hash) =>
  verifyConsistency(BigInt(m), BigInt(n), p, oldRoot, newRoot);

function sameConsistencyShape(m: number, n: number, otherM: number, otherN: number): boolean {
  const a = consistencyShape(m, n);
  const b = consistencyShape(otherM, otherN);
  return a.length === b.length && a.old === b.old && a.root === b.root;
}

/** Every 0 < m <= n <= maxSize with the RFC's proof. */
function* cases(maxSize: number) {
  const all = leaves(maxSize);
  const roots = Array.from({ length: maxSize + 1 }, (_, n) => mth(all.slice(0, n)));
  for (let n = 1; n <= maxSize; n++) {
    for (let m = 1; m <= n; m++) {
      yield { m, n, proof: proof(m, all.slice(0, n)), oldRoot: roots[m]!, newRoot: roots[n]! };
    }
  }
}

test('every consistency proof up to size 64 verifies', () => {
  let count = 0;
  for (const c of cases(64)) {
    expect(() => verify(c.m, c.n, c.proof, c.oldRoot, c.newRoot)).not.toThrow();
    count++;
  }
  expect(count).toBe((64 * 65) / 2);
});

test('the reference tree of 8: flipping any bit of any proof hash or either root fails', () => {
  for (const c of cases(REFERENCE_LEAVES.length)) {
    for (let bit = 0; bit < 256; bit++) {
      c.proof.forEach((_, i) => {
        const bad = c.proof.map((h, j) => (i === j ? flipBit(h, bit) : h));
        expect(() => verify(c.m, c.n, bad, c.oldRoot, c.newRoot)).toThrow(VerificationError);
      });
      expect(() => verify(c.m, c.n, c.proof, flipBit(c.oldRoot, bit), c.newRoot)).toThrow(VerificationError);
      expect(() => verify(c.m, c.n, c.proof, c.oldRoot, flipBit(c.newRoot, bit))).toThrow(VerificationError);
    }
  }
});

test('up to size 64: one flipped bit per hash, and either size off by one, fail', () => {
  let seed = 7;
  const nextBit = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
  for (const c of cases(64)) {
    c.proof.forEach((_, i) => {
      const bad = c.proof.map((h, j) => (i === j ? flipBit(h, nextBit()) : h));
      expect(() => verify(c.m, c.n, bad, c.oldRoot, c.newRoot)).toThrow(VerificationError);
    });
    expect(() => verify(c.m, c.n, c.proof, flipBit(c.oldRoot, nextBit()), c.newRoot)).toThrow(VerificationError);
    expect(() => verify(c.m, c.n, c.proof, c.oldRoot, flipBit(c.newRoot, nextBit()))).toThrow(VerificationError);
    for (const [m, n] of [
      [c.m + 1, c.n],
      [c.m - 1, c.n],
      [c.m, c.n + 1],
      [c.m, c.n - 1],
    ] as const) {
      const attempt = () => verify(m, n, c.proof, c.oldRoot, c.newRoot);
      // As with inclusion, a proof cannot tell apart claims with the same symbolic
      // roots (e.g. 1→3 and 1→4); every other claim must fail.
      if (m > 0 && m < n && c.m < c.n && sameConsistencyShape(c.m, c.n, m, n)) expect(attempt).not.toThrow();
      else expect(attempt).toThrow(VerificationError);
    }
  }
});

describe('cases outside the RFC', () => {
  const tree = leaves(8);
  const root = (n: number) => mth(tree.slice(0, n));

  test('from the empty tree: empty proof, old root must be the empty-tree root', () => {
    expect(() => verifyConsistency(0n, 5n, [], EMPTY_TREE_ROOT, root(5))).not.toThrow();
    expect(() => verifyConsistency(0n, 0n, [], EMPTY_TREE_ROOT, EMPTY_TREE_ROOT)).not.toThrow();
    expect(() => verifyConsistency(0n, 5n, [root(1)], EMPTY_TREE_ROOT, root(5))).toThrow(
      'consistency proof has 1 hashes, sizes 0 to 5 need 0',
    );
    expect(() => verifyConsistency(0n, 5n, [], root(1), root(5))).toThrow(/is not the empty-tree root/);
    expect(() => verifyConsistency(0n, 0n, [], EMPTY_TREE_ROOT, root(1))).toThrow(/two different roots for tree size 0/);
  });

  test('equal sizes: empty proof and equal roots', () => {
    expect(() => verifyConsistency(5n, 5n, [], root(5), root(5))).not.toThrow();
    expect(() => verifyConsistency(5n, 5n, [root(1)], root(5), root(5))).toThrow(VerificationError);
    expect(() => verifyConsistency(5n, 5n, [], root(5), root(4))).toThrow(/two different roots for tree size 5/);
  });

  test('a tree that shrank', () => {
    expect(() => verifyConsistency(6n, 5n, [], root(6), root(5))).toThrow(
      new VerificationError('tree shrank from size 6 to 5'),
    );
  });

  test('wrong proof lengths say how long the proof should be', () => {
    const good = proof(3, tree.slice(0, 7));
    expect(() => verifyConsistency(3n, 7n, good.slice(1), root(3), root(7))).toThrow(
      `consistency proof has ${good.length - 1} hashes, sizes 3 to 7 need ${good.length}`,
    );
    expect(() => verifyConsistency(3n, 7n, [...good, good[0]!], root(3), root(7))).toThrow(VerificationError);
    expect(() => verifyConsistency(3n, 7n, [], root(3), root(7))).toThrow(VerificationError);
  });

  test('negative sizes are malformed input', () => {
    expect(() => verifyConsistency(-1n, 7n, [], root(1), root(7))).toThrow(FormatError);
  });

  test('a proof that gives the wrong old root names it', () => {
    expect(() => verifyConsistency(3n, 7n, proof(3, tree.slice(0, 7)), root(2), root(7))).toThrow(
      /^consistency proof gives old root \S+ for size 3, expected \S+$/,
    );
  });
});
