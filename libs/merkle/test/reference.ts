// Test helpers: the RFC 6962 reference vectors of DESIGN.md, and merkletreejs as an independent tree.
import { createHash } from 'node:crypto';
import { MerkleTree as IndependentTree } from 'merkletreejs';

export const REFERENCE_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (hex) => new Uint8Array(Buffer.from(hex, 'hex')),
);

export const REFERENCE_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

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
