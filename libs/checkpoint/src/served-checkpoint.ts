import { quorumMet, type WitnessPolicy } from '@trailmark/proofs';
import type { CosignatureStore } from './cosignature-store.js';
import { PublisherStoppedError } from './errors.js';
import { formatKeyId } from './keys.js';
import type { CheckpointStore, SignedCheckpoint } from './signed-checkpoint-store.js';

/** A checkpoint as served: its note carries the cosignatures collected for it. */
export interface ServedCheckpoint extends SignedCheckpoint {
  /** whether its cosignatures meet the policy's quorum; undefined when no policy names witnesses */
  witnessed: boolean | undefined;
}

/**
 * Which checkpoint a log serves, the one rule behind `GET /v1/log/checkpoint`, the tiles
 * `checkpoint`, receipts and evidence bundles:
 * - without a witness policy, the latest signed checkpoint;
 * - with one, the latest checkpoint whose cosignatures meet the quorum, even when a newer one is
 *   signed but not yet cosigned;
 * - unless `serveUnwitnessed` is set and the witnesses are down (none is cosigning the latest
 *   checkpoint, each failed its last try): then the latest signed one, marked as not witnessed.
 */
export function chooseServedCheckpoint(input: {
  latestSigned: ServedCheckpoint | undefined;
  latestWitnessed: ServedCheckpoint | undefined;
  policy: boolean;
  serveUnwitnessed: boolean;
  witnessesDown: boolean;
}): ServedCheckpoint | undefined {
  const { latestSigned, latestWitnessed } = input;
  if (!input.policy) return latestSigned;
  if (latestSigned === undefined) return latestWitnessed;
  if (latestWitnessed !== undefined && latestWitnessed.size >= latestSigned.size) return latestWitnessed;
  if (input.serveUnwitnessed && input.witnessesDown) return latestSigned;
  return latestWitnessed;
}

export interface WitnessedCheckpointsOptions {
  policy: WitnessPolicy;
  checkpoints: CheckpointStore;
  cosignatures: CosignatureStore;
  latestSigned: () => SignedCheckpoint | undefined;
  serveUnwitnessed: boolean;
  /** whether every witness not cosigning a checkpoint of this size failed its last try */
  witnessesDown: (size: bigint) => boolean;
}

/** How far back, in checkpoints holding cosignatures, the latest witnessed one is looked for on start. */
const WITNESSED_LOOKBACK = 1_000;

interface Waiter {
  size: bigint;
  resolve: (checkpoint: ServedCheckpoint) => void;
  reject: (error: Error) => void;
}

/** The served checkpoint of a log with a witness policy, and waiting for one that covers a size. */
export class WitnessedCheckpoints {
  private latestWitnessed: ServedCheckpoint | undefined;
  private waiters: Waiter[] = [];
  private readonly labels: Map<string, string>;

  constructor(private readonly options: WitnessedCheckpointsOptions) {
    this.labels = new Map(options.policy.witnesses.map((w) => [`${w.key.name}+${formatKeyId(w.key.keyId)}`, w.name]));
    for (const size of options.cosignatures.sizesDescending(WITNESSED_LOOKBACK)) {
      const checkpoint = options.checkpoints.bySize(size);
      if (checkpoint === undefined) continue;
      const served = this.withCosignatures(checkpoint);
      if (served.witnessed) {
        this.latestWitnessed = served;
        break;
      }
    }
  }

  /** The checkpoint with its stored cosignature lines appended, and whether they meet the quorum. */
  withCosignatures(checkpoint: SignedCheckpoint): ServedCheckpoint {
    const lines = this.options.cosignatures.linesFor(checkpoint.size);
    const cosigned = new Set<string>();
    for (const { witness } of lines) {
      const name = this.labels.get(witness);
      if (name !== undefined) cosigned.add(name);
    }
    // Lines of witnesses the policy no longer names stay out: they would vouch for nothing here.
    const note = checkpoint.note + lines.filter(({ witness }) => this.labels.has(witness)).map(({ line }) => line).join('');
    return { ...checkpoint, note, witnessed: quorumMet(this.options.policy.quorum, cosigned) };
  }

  served(): ServedCheckpoint | undefined {
    const signed = this.options.latestSigned();
    const latestSigned = signed && this.withCosignatures(signed);
    if (latestSigned?.witnessed && (this.latestWitnessed === undefined || latestSigned.size > this.latestWitnessed.size)) {
      this.latestWitnessed = latestSigned;
    }
    return chooseServedCheckpoint({
      latestSigned,
      latestWitnessed: this.latestWitnessed,
      policy: true,
      serveUnwitnessed: this.options.serveUnwitnessed,
      witnessesDown: latestSigned !== undefined && this.options.witnessesDown(latestSigned.size),
    });
  }

  /** Call when a checkpoint was signed or cosigned, or a witness's state changed: wakes the waiters it serves. */
  changed(): void {
    if (this.waiters.length === 0) return;
    const served = this.served();
    if (served === undefined) return;
    const covered = this.waiters.filter((waiter) => waiter.size <= served.size);
    this.waiters = this.waiters.filter((waiter) => waiter.size > served.size);
    for (const waiter of covered) waiter.resolve(served);
  }

  /** The first served checkpoint of at least `size`. */
  waitFor(size: bigint): Promise<ServedCheckpoint> {
    const served = this.served();
    if (served !== undefined && served.size >= size) return Promise.resolve(served);
    return new Promise((resolve, reject) => this.waiters.push({ size, resolve, reject }));
  }

  stop(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new PublisherStoppedError(waiter.size));
  }
}
