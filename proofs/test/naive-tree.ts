// A deliberately naive Merkle tree straight from RFC 9162's definitions
// (§2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF), so the verifiers are
// tested against the specification rather than against another optimised tree.
import { sha256 } from '@noble/hashes/sha2.js';
import { hashChildren, hashLeaf, type Hash } from '../src/hash.js';
import { REFERENCE_LEAVES_HEX, REFERENCE_ROOTS_HEX } from '../../test/support/rfc6962-vectors.js';

export const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The 8 RFC 6962 reference leaves from DESIGN.md. */
export const REFERENCE_LEAVES = REFERENCE_LEAVES_HEX.map(hex);

/** The reference roots for sizes 0..8. */
export const REFERENCE_ROOTS = REFERENCE_ROOTS_HEX;

/** The reference leaves followed by made-up ones, `count` in all. */
export function leaves(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => REFERENCE_LEAVES[i] ?? Uint8Array.of(0xee, i, i >> 8));
}

/** Largest power of two strictly smaller than n (n > 1). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]), recursive as written in the RFC. */
export function mth(d: Uint8Array[]): Hash {
  if (d.length === 0) return sha256(new Uint8Array(0)) as Hash;
  if (d.length === 1) return hashLeaf(d[0]!);
  const k = splitPoint(d.length);
  return hashChildren(mth(d.slice(0, k)), mth(d.slice(k)));
}

/** PATH(m, D[n]): the inclusion proof of leaf m. */
export function path(m: number, d: Uint8Array[]): Hash[] {
  if (d.length <= 1) return [];
  const k = splitPoint(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

/** PROOF(m, D[n]): the consistency proof from size m (0 < m <= n). */
export function proof(m: number, d: Uint8Array[]): Hash[] {
  return subproof(m, d, true);
}

function subproof(m: number, d: Uint8Array[], whole: boolean): Hash[] {
  if (m === d.length) return whole ? [] : [mth(d)];
  const k = splitPoint(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), whole), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** A copy of `hash` with one bit flipped. */
export function flipBit(hash: Hash, bit: number): Hash {
  const copy = Uint8Array.from(hash);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy as Hash;
}

// Symbolic versions of PATH and PROOF: the root(s) a proof claims, as an expression
// over its elements p0, p1, ... (innermost first, as the RFC lists them). Two
// (index, size) claims that yield the same expression cannot be told apart by any
// verifier given only the proof and the root; all other claims must be rejected.

/** Expression for the root that PATH(m, D[n]) leads to from leaf hash x. */
export function inclusionShape(m: number, n: number): { root: string; length: number } {
  if (n === 1) return { root: 'x', length: 0 };
  const k = splitPoint(n);
  const sub = m < k ? inclusionShape(m, k) : inclusionShape(m - k, n - k);
  const c = `p${sub.length}`;
  return { root: m < k ? `H(${sub.root},${c})` : `H(${c},${sub.root})`, length: sub.length + 1 };
}

/** Expressions for the old and new roots that PROOF(m, D[n]) proves (0 < m < n); OLD is the given old root. */
export function consistencyShape(m: number, n: number): { old: string; root: string; length: number } {
  return subproofShape(m, n, true);
}

function subproofShape(m: number, n: number, whole: boolean): { old: string; root: string; length: number } {
  if (m === n) return whole ? { old: 'OLD', root: 'OLD', length: 0 } : { old: 'p0', root: 'p0', length: 1 };
  const k = splitPoint(n);
  if (m <= k) {
    const sub = subproofShape(m, k, whole);
    return { old: sub.old, root: `H(${sub.root},p${sub.length})`, length: sub.length + 1 };
  }
  const sub = subproofShape(m - k, n - k, false);
  const c = `p${sub.length}`;
  return { old: `H(${c},${sub.old})`, root: `H(${c},${sub.root})`, length: sub.length + 1 };
}
