import { generateNoteKey, parseSignerKey, signCheckpoint, type NoteSigner } from '@trailmark/checkpoint';
import { MemoryTileStore, MerkleTree } from '@trailmark/merkle';

/** A log key pair: the signer for the test's log, and the verifier key string an auditor gets. */
export interface LogKey {
  signer: NoteSigner;
  verifierKey: string;
}

export function makeLogKey(origin: string): LogKey {
  const { signerKey, verifierKey } = generateNoteKey(origin);
  return { signer: parseSignerKey(signerKey), verifierKey };
}

/**
 * Leaf bytes shaped like a Trailmark event envelope (JCS: sorted keys, no spaces).
 * `branch` changes every leaf, to build a forked history under the same key.
 */
export function eventLeaf(index: number, branch = 'main'): Uint8Array {
  const envelope =
    `{"action":"user.login","actor":{"id":"u_${index}","type":"user"},"id":"${branch}-${index}",` +
    `"outcome":"success","targets":[],"tenant":"t_1","time":"2025-01-01T00:00:${String(index % 60).padStart(2, '0')}.000000Z","v":1}`;
  return new TextEncoder().encode(envelope);
}

/** A real Merkle tree with a signing key: what a Trailmark log publishes. */
export class SignedLog {
  readonly tree = MerkleTree.open(new MemoryTileStore());

  constructor(
    readonly key: LogKey,
    private readonly branch = 'main',
  ) {}

  get origin(): string {
    return this.key.signer.name;
  }

  leaf(index: number): Uint8Array {
    return eventLeaf(index, this.branch);
  }

  /** Appends leaves until the tree has `size` of them. */
  growTo(size: number): this {
    const leaves: Uint8Array[] = [];
    for (let i = Number(this.tree.size); i < size; i++) leaves.push(this.leaf(i));
    this.tree.append(leaves);
    return this;
  }

  /** The signed checkpoint (C2SP signed note) of the tree at `size` (default: now). */
  checkpoint(size: bigint = this.tree.size): string {
    return signCheckpoint({ origin: this.origin, size, root: this.tree.root(size), extensions: [] }, this.key.signer);
  }
}
