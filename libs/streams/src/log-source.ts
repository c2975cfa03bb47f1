import type { Hash } from '@trailmark/proofs';

/** One leaf of the log as a stream reads it. */
export interface LogLeaf {
  readonly leafIndex: bigint;
  readonly leaf: Uint8Array;
  /** The stored metadata bytes (the detail and its salt), as the event store holds them. */
  readonly metadata: Uint8Array;
}

/** A signed checkpoint: its note and the tree size it signs. */
export interface StreamCheckpoint {
  readonly note: string;
  readonly size: bigint;
}

/**
 * What streams read of the ledger. Contract: `leaves(from, max, below)` returns the leaves `from`,
 * `from + 1`, ... in leaf order, none at or above `below`, at most `max`, and fewer only when it reaches
 * `below`; `latestCheckpoint` is a checkpoint the log has signed and serves, whose tree holds every leaf
 * below its size; `proveBatch(indices, size)` is the batch inclusion proof of those leaves (strictly increasing)
 * in the tree of `size` (proofs/batch-inclusion).
 */
export interface LogSource {
  latestCheckpoint(): StreamCheckpoint | undefined;
  leaves(from: bigint, max: number, below: bigint): Promise<LogLeaf[]>;
  proveBatch(leafIndices: readonly bigint[], treeSize: bigint): Hash[];
  /** Resolves with the first checkpoint signed of at least `size`; rejects once the log stops. */
  waitForCheckpoint(size: bigint): Promise<StreamCheckpoint>;
}
