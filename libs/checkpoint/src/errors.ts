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

/**
 * The log already signed a checkpoint (its high-water mark) that the data it holds now cannot back: the store's
 * latest checkpoint is older, or the tree does not give the signed root at that size. Typically an older backup
 * was restored. Signing on would publish a second history of the log, so the publisher refuses.
 */
export class LogRolledBackError extends Error {
  constructor(
    readonly markedSize: bigint,
    readonly markedRoot: Hash,
    /** where the mark is kept */
    readonly mark: string,
    /** the store's latest checkpoint size, if it has one */
    readonly storedSize: bigint | undefined,
    readonly treeSize: bigint,
    /** the tree's root at markedSize, when the tree is that large */
    readonly treeRoot: Hash | undefined,
  ) {
    const signed = `this log already signed a checkpoint of size ${markedSize} (root ${encodeBase64(markedRoot)}, recorded in ${mark})`;
    const holds =
      treeRoot !== undefined && (storedSize ?? -1n) >= markedSize
        ? `but the tree the data gives has root ${encodeBase64(treeRoot)} at that size`
        : `but the data holds ${storedSize === undefined ? 'no checkpoint' : `checkpoints up to size ${storedSize}`} and a tree of ${treeSize} leaves`;
    super(
      `refusing to sign: ${signed}, ${holds}: the data was restored from an older backup or replaced. ` +
        `Signing now would give the log a second history. Restore a backup taken at size ${markedSize} or later, ` +
        'or start a new log under a new origin',
    );
    this.name = 'LogRolledBackError';
  }
}

/** A checkpoint of the log does not open with the key the publisher signs with: the key is not this log's. */
export class LogKeyMismatchError extends Error {
  constructor(
    /** which checkpoint: "the latest stored checkpoint", "the high-water mark in …" */
    readonly checkpoint: string,
    readonly verifierKey: string,
    readonly reason: string,
  ) {
    super(`${checkpoint} does not open with the log key ${verifierKey}: ${reason}`);
    this.name = 'LogKeyMismatchError';
  }
}

/** No checkpoint can be served yet: none is signed, or (with a witness policy) none meets the quorum. */
export class NoCheckpointServedError extends Error {
  constructor(witnessPolicy: boolean) {
    super(witnessPolicy ? 'no checkpoint meets the witness quorum yet' : 'no checkpoint has been signed yet');
    this.name = 'NoCheckpointServedError';
  }
}

/** A proof was asked for a size or index outside what was signed; `parameter` names the query parameter. */
export class ProofRangeError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProofRangeError';
  }
}
