import { HASH_SIZE, type Hash } from '@trailmark/proofs';
import { CheckpointRefusedError } from './errors.js';

export interface SignedCheckpoint {
  size: bigint;
  root: Hash;
  /** the whole C2SP signed note, as served */
  note: string;
  /** when it was signed: RFC 3339 UTC (Date.toISOString) */
  signedAt: string;
}

/**
 * Where a log keeps the checkpoints it signed, so that after a restart it never signs another root
 * for a size it already vouched for. Append-only: one checkpoint per size, sizes growing.
 */
export interface CheckpointStore {
  latest(): SignedCheckpoint | undefined;
  /** Throws CheckpointRefusedError for a size below the latest, or a second checkpoint for a stored size. */
  append(checkpoint: SignedCheckpoint): void;
  /** The checkpoint signed for exactly this size, if one was. */
  bySize(size: bigint): SignedCheckpoint | undefined;
  /** Oldest first. */
  list(): SignedCheckpoint[];
}

/**
 * The rule every store applies before writing. Checkpoints only grow, so a size that is not above
 * the latest is either below it or equal to one already stored. An equal size is refused even with
 * the same root: the publisher never needs it, and a store that accepted it could not tell a retry
 * from a second signing.
 */
export function assertAppendable(checkpoint: SignedCheckpoint, latest: SignedCheckpoint | undefined): void {
  if (typeof checkpoint.size !== 'bigint' || checkpoint.size < 0n) {
    throw new RangeError(`checkpoint size ${String(checkpoint.size)} is not a non-negative bigint`);
  }
  if (checkpoint.root.length !== HASH_SIZE) {
    throw new RangeError(`checkpoint root is ${checkpoint.root.length} bytes, want ${HASH_SIZE}`);
  }
  if (latest !== undefined && checkpoint.size <= latest.size) {
    throw new CheckpointRefusedError(checkpoint.size, latest.size);
  }
}

/** Checkpoints in memory: for tests and for a log that need not survive a restart. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints: SignedCheckpoint[] = [];

  latest(): SignedCheckpoint | undefined {
    return this.checkpoints.at(-1);
  }

  append(checkpoint: SignedCheckpoint): void {
    assertAppendable(checkpoint, this.latest());
    this.checkpoints.push({ ...checkpoint });
  }

  bySize(size: bigint): SignedCheckpoint | undefined {
    return this.checkpoints.find((checkpoint) => checkpoint.size === size);
  }

  list(): SignedCheckpoint[] {
    return [...this.checkpoints];
  }
}
