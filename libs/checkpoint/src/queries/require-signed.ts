import { ProofRangeError } from '../errors.js';
import type { CheckpointedTree } from './checkpointed-tree.js';

/** Proofs are served up to the latest signed size: a size nobody can hold a checkpoint for proves nothing. */
export function requireSigned(tree: CheckpointedTree, size: bigint, parameter: string): void {
  const signed = tree.signedSize;
  if (size > signed) throw new ProofRangeError(parameter, `${parameter} ${size} is beyond the latest signed checkpoint (size ${signed})`);
}
