import { equalHashes, type Hash } from '@trailmark/proofs';
import { LogForkedError, PublisherStoppedError } from './errors.js';
import type { NoteSigner } from './keys.js';
import { signCheckpoint } from './sign-checkpoint.js';
import type { CheckpointStore, SignedCheckpoint } from './signed-checkpoint-store.js';

/** What the publisher reads of the Merkle tree (MerkleTree fits). */
export interface CheckpointTree {
  readonly size: bigint;
  root(size?: bigint): Hash;
}

export interface CheckpointPublisherOptions {
  /** the log's origin line; the signer's key name must equal it */
  origin: string;
  signer: NoteSigner;
  tree: CheckpointTree;
  store: CheckpointStore;
  /** how often start() looks whether the tree grew */
  intervalMs: number;
  now?: () => Date;
  /** a periodic publish that failed (retried at the next interval); without it, or if it throws: a process warning */
  onError?: (error: Error) => void;
}

interface Waiter {
  size: bigint;
  resolve: (checkpoint: SignedCheckpoint) => void;
  reject: (error: Error) => void;
}

/**
 * Signs a checkpoint when the tree grew, persists it, and only then serves it: a checkpoint anyone
 * has seen survives a crash, so after a restart the log cannot sign another root for that size.
 *
 * It signs only sizes above the latest checkpoint, and only while the tree's root at the latest
 * checkpoint's size is still that checkpoint's root: every checkpoint it signs is then consistent
 * with every earlier one, and no size ever gets two roots.
 */
export class CheckpointPublisher {
  private readonly origin: string;
  private readonly signer: NoteSigner;
  private readonly tree: CheckpointTree;
  private readonly store: CheckpointStore;
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private readonly onError: ((error: Error) => void) | undefined;
  private served: SignedCheckpoint | undefined;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private prompt: NodeJS.Timeout | undefined;
  /** performance.now() of the last checkpoint this publisher signed. */
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(options: CheckpointPublisherOptions) {
    if (options.signer.name !== options.origin) {
      throw new Error(
        `checkpoint origin ${JSON.stringify(options.origin)} differs from the signing key name ` +
          `${JSON.stringify(options.signer.name)}; a log's key must be named after its origin`,
      );
    }
    if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) {
      throw new RangeError(`checkpoint intervalMs ${options.intervalMs} is not a positive number`);
    }
    this.origin = options.origin;
    this.signer = options.signer;
    this.tree = options.tree;
    this.store = options.store;
    this.intervalMs = options.intervalMs;
    this.now = options.now ?? (() => new Date());
    this.onError = options.onError;
    // Already persisted, so already servable.
    this.served = this.store.latest();
  }

  /**
   * Call on start, once the tree has caught up with the event store: the last stored checkpoint's
   * root must be the tree's root at its size. Throws LogForkedError otherwise.
   */
  verifyAgainstTree(): void {
    const last = this.store.latest();
    if (last !== undefined) this.assertTreeExtends(last);
  }

  /**
   * Publishes now if the tree grew (or when there is no checkpoint yet, even of an empty tree), then
   * looks again every intervalMs. Throws if that first publish fails, so a service does not start
   * without a checkpoint; later failures go to onError and are retried.
   */
  start(): void {
    if (this.timer !== undefined) throw new Error('the checkpoint publisher is already started');
    this.stopped = false;
    this.publishIfGrown();
    this.timer = setInterval(() => {
      // A prompt publish since the last tick already covered this interval.
      if (performance.now() - this.lastPublishedAt >= this.intervalMs) this.publishInBackground();
    }, this.intervalMs);
    // The publisher alone must not keep the process alive.
    this.timer.unref();
  }

  /**
   * Tells a started publisher that the tree grew: it signs as soon as the interval since the last
   * checkpoint allows, instead of at the next tick, so that an event after a quiet spell is covered
   * within milliseconds and one under load within one interval.
   */
  treeGrew(): void {
    if (this.timer === undefined || this.prompt !== undefined) return;
    const wait = Math.max(0, this.lastPublishedAt + this.intervalMs - performance.now());
    this.prompt = setTimeout(() => {
      this.prompt = undefined;
      this.publishInBackground();
    }, wait);
    this.prompt.unref();
  }

  /** Stops the timer and rejects every pending waitFor() with PublisherStoppedError. */
  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.prompt);
    this.timer = undefined;
    this.prompt = undefined;
    this.stopped = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new PublisherStoppedError(waiter.size));
  }

  /** Signs, persists (store.append), then serves a checkpoint of the tree if it grew; else undefined. */
  publishIfGrown(): SignedCheckpoint | undefined {
    const size = this.tree.size;
    const previous = this.served;
    if (previous !== undefined) {
      if (size <= previous.size) return undefined;
      this.assertTreeExtends(previous);
    }
    const root = this.tree.root(size);
    const note = signCheckpoint({ origin: this.origin, size, root, extensions: [] }, this.signer);
    const checkpoint: SignedCheckpoint = { size, root, note, signedAt: this.now().toISOString() };
    this.store.append(checkpoint);
    this.served = checkpoint;
    this.lastPublishedAt = performance.now();
    this.resolveWaiters(checkpoint);
    return checkpoint;
  }

  latest(): SignedCheckpoint | undefined {
    return this.served;
  }

  /** The first checkpoint published whose size is at least `size` (the latest, if it already is). */
  waitFor(size: bigint): Promise<SignedCheckpoint> {
    if (size < 0n) return Promise.reject(new RangeError(`cannot wait for a checkpoint of size ${size}`));
    const served = this.served;
    if (served !== undefined && served.size >= size) return Promise.resolve(served);
    if (this.stopped) return Promise.reject(new PublisherStoppedError(size));
    return new Promise((resolve, reject) => this.waiters.push({ size, resolve, reject }));
  }

  private assertTreeExtends(checkpoint: SignedCheckpoint): void {
    const treeSize = this.tree.size;
    if (treeSize < checkpoint.size) {
      throw new LogForkedError(checkpoint.size, checkpoint.root, treeSize, this.tree.root(treeSize));
    }
    const treeRoot = this.tree.root(checkpoint.size);
    if (!equalHashes(treeRoot, checkpoint.root)) {
      throw new LogForkedError(checkpoint.size, checkpoint.root, treeSize, treeRoot);
    }
  }

  // In registration order, so callers waiting for earlier events hear first.
  private resolveWaiters(checkpoint: SignedCheckpoint): void {
    const covered = this.waiters.filter((waiter) => waiter.size <= checkpoint.size);
    if (covered.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.size > checkpoint.size);
    for (const waiter of covered) waiter.resolve(checkpoint);
  }

  // A timer callback that throws would crash the process: report and retry at the next tick.
  private publishInBackground(): void {
    try {
      this.publishIfGrown();
    } catch (error) {
      this.report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // The fallback warns with a string: emitWarning refuses an Error from another realm (a vm context).
  private report(error: Error): void {
    try {
      if (this.onError === undefined) throw error;
      this.onError(error);
    } catch (unhandled) {
      const message = unhandled instanceof Error ? unhandled.message : String(unhandled);
      process.emitWarning(`checkpoint publish failed: ${message}`, 'CheckpointPublisherWarning');
    }
  }
}
