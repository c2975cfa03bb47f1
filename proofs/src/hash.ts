import { sha256 } from '@noble/hashes/sha2.js';
import { FormatError } from './errors.js';

// RFC 9162 §2.1.1 (same as RFC 6962 §2.1) with SHA-256. Leaves and interior nodes
// get different one-byte prefixes so that no leaf can be passed off as a node.

/** A SHA-256 value of a leaf, a node or a tree root: exactly 32 bytes. */
export type Hash = Uint8Array & { readonly __brand: 'Hash' };

export const HASH_SIZE = 32;

/** Checks the length and brands the bytes as a Hash (no copy). Throws FormatError. */
export function asHash(bytes: Uint8Array): Hash {
  if (bytes.length !== HASH_SIZE) {
    throw new FormatError(`a hash is ${HASH_SIZE} bytes, got ${bytes.length}`);
  }
  return bytes as Hash;
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** MTH({d}) = SHA-256(0x00 || d). */
export function hashLeaf(leaf: Uint8Array): Hash {
  return sha256.create().update(Uint8Array.of(LEAF_PREFIX)).update(leaf).digest() as Hash;
}

// Interior nodes are the bulk of all hashing: one 65-byte buffer, reused, hashed in one call is
// a quarter faster than three streaming updates. (JavaScript runs one call at a time, so sharing is safe.)
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/**
 * Checks that every value is a 32-byte hash: the verifiers take hashes from callers and files, and
 * hashChildren would otherwise hash a short value together with the previous call's bytes.
 */
export function assertHashes(values: readonly Uint8Array[], what: string): void {
  values.forEach((value, i) => {
    if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
      throw new FormatError(`${what}${values.length > 1 ? ` ${i}` : ''} is not a ${HASH_SIZE}-byte hash`);
    }
  });
}

/** Interior node: SHA-256(0x01 || left || right). */
export function hashChildren(left: Hash, right: Hash): Hash {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput) as Hash;
}

/** MTH({}) = SHA-256 of the empty string: the root of a tree with no leaves. */
export const EMPTY_TREE_ROOT: Hash = sha256(new Uint8Array(0)) as Hash;

/** Byte-wise equality. Roots and hashes are public, so no constant-time compare is needed. */
export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
