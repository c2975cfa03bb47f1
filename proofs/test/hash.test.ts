import { sha256 } from '@noble/hashes/sha2.js';
import { asHash, EMPTY_TREE_ROOT, equalHashes, FormatError, hashChildren, hashLeaf } from '@trailmark/proofs';
import { mth, REFERENCE_LEAVES, REFERENCE_ROOTS, toHex } from './naive-tree.js';

test('reference roots for sizes 0..8 (RFC 6962 test vectors)', () => {
  for (let n = 0; n <= 8; n++) expect(toHex(mth(REFERENCE_LEAVES.slice(0, n)))).toBe(REFERENCE_ROOTS[n]);
});

test('leaf and node hashes use the 0x00 and 0x01 prefixes', () => {
  expect(toHex(hashLeaf(new Uint8Array(0)))).toBe(toHex(sha256(Uint8Array.of(0))));
  const a = hashLeaf(Uint8Array.of(1));
  const b = hashLeaf(Uint8Array.of(2));
  expect(toHex(hashChildren(a, b))).toBe(toHex(sha256(Uint8Array.from([1, ...a, ...b]))));
  expect(toHex(EMPTY_TREE_ROOT)).toBe(REFERENCE_ROOTS[0]);
});

test('asHash insists on 32 bytes', () => {
  expect(asHash(new Uint8Array(32)).length).toBe(32);
  expect(() => asHash(new Uint8Array(31))).toThrow(FormatError);
  expect(() => asHash(new Uint8Array(33))).toThrow(FormatError);
});

test('equalHashes compares bytes and lengths', () => {
  expect(equalHashes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
  expect(equalHashes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
  expect(equalHashes(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
});
