// Test helpers: the RFC 6962 reference vectors as bytes, and merkletreejs as an independent tree.
import { createHash } from 'node:crypto';
import { MerkleTree as IndependentTree } from 'merkletreejs';
import { REFERENCE_LEAVES_HEX, REFERENCE_ROOTS_HEX } from '../../../test/support/rfc6962-vectors.js';

export const REFERENCE_LEAVES = REFERENCE_LEAVES_HEX.map((hex) => new Uint8Array(Buffer.from(hex, 'hex')));
export const REFERENCE_ROOTS = REFERENCE_ROOTS_HEX;

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Leaf i of a test log: distinct, variable-length bytes. */
export function testLeaf(i: number): Uint8Array {
  return new TextEncoder().encode(`leaf ${i} ${'x'.repeat(i % 7)}`);
}

/**
 * merkletreejs over pre-hashed leaves (0x00 prefix), with 0x01-prefixed node hashing and the odd node
 * promoted: that is the RFC 6962 tree, computed by code nobody here wrote (and by node:crypto, not noble).
 */
export function independentTree(leaves: readonly Uint8Array[]): {
  root(): string;
  path(index: number): string[];
} {
  const leafHashes = leaves.map((leaf) => sha256(Buffer.concat([Buffer.of(0), leaf])));
  const tree = new IndependentTree(leafHashes, (data: Buffer) => sha256(Buffer.concat([Buffer.of(1), data])), {
    hashLeaves: false,
  });
  return {
    root: () => hex(tree.getRoot()),
    path: (index) => tree.getProof(leafHashes[index]!, index).map((step) => hex(step.data)),
  };
}
