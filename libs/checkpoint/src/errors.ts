import { encodeBase64, type Hash } from '@trailmark/proofs';

/**
 * The tree no longer extends a checkpoint this log has signed: either it holds fewer leaves than
 * the checkpoint, or its root at the checkpoint's size differs. Signing on would publish two
 * checkpoints no consistency proof can join, so the publisher refuses; an operator must look.
 */
export class LogForkedError extends Error {
  constructor(
    readonly checkpointSize: bigint,
    readonly checkpointRoot: Hash,
    readonly treeSize: bigint,
    /** the tree's root at checkpointSize, or (when the tree is smaller) at its own size */
    readonly treeRoot: Hash,
  ) {
    const checkpoint = `the checkpoint for size ${checkpointSize} has root ${encodeBase64(checkpointRoot)}`;
    super(
      treeSize < checkpointSize
        ? `log forked: ${checkpoint}, but the tree has only ${treeSize} leaves (root ${encodeBase64(treeRoot)})`
        : `log forked: ${checkpoint}, but the tree's root at size ${checkpointSize} is ${encodeBase64(treeRoot)}`,
    );
    this.name = 'LogForkedError';
  }
}

/** A checkpoint store keeps one checkpoint per size, in growing sizes: this one would break that. */
export class CheckpointRefusedError extends Error {
  constructor(
    readonly size: bigint,
    readonly latestSize: bigint,
  ) {
    super(
      size === latestSize
        ? `checkpoint for size ${size} refused: a checkpoint for that size is already stored`
        : `checkpoint for size ${size} refused: it is below the latest stored checkpoint, size ${latestSize}`,
    );
    this.name = 'CheckpointRefusedError';
  }
}

/** What a pending waitFor() rejects with when the publisher stops before a checkpoint covers it. */
export class PublisherStoppedError extends Error {
  constructor(readonly size: bigint) {
    super(`the checkpoint publisher stopped before a checkpoint covered size ${size}`);
    this.name = 'PublisherStoppedError';
  }
}

/**
 * A witness refused this log's checkpoint as inconsistent with one it cosigned before (tlog-witness
 * 409 for another root at the same size, or 422 for a consistency proof that does not verify): the
 * log has signed two views of itself. The checkpoint is not served as witnessed; an operator must look.
 */
export class WitnessConflictError extends Error {
  constructor(
    readonly witness: string,
    message: string,
  ) {
    super(message);
    this.name = 'WitnessConflictError';
  }
}
