import type { Hash } from '@trailmark/proofs';
import type { ServedCheckpoint } from '../served-checkpoint.js';

/** The port the checkpoint queries are answered through (the host provides it): the tree and what was signed of it. */
export abstract class CheckpointedTree {
  /** The checkpoint the log serves now (chooseServedCheckpoint's rule), if any. */
  abstract servedCheckpoint(): ServedCheckpoint | undefined;
  /** Whether a witness policy decides what is served. */
  abstract readonly witnessPolicy: boolean;
  /** The size of the latest signed checkpoint, 0 before the first. */
  abstract readonly signedSize: bigint;
  abstract proveConsistency(from: bigint, to: bigint): Hash[];
  abstract proveInclusion(index: bigint, treeSize: bigint): Hash[];
  abstract leafHash(index: bigint): Hash;
}
