import { equalHashes, openCheckpoint, type Checkpoint, type Hash } from '@trailmark/proofs';
import type { CheckpointMark } from './checkpoint-mark.js';
import { LogForkedError, LogKeyMismatchError, LogRolledBackError, PublisherStoppedError } from './errors.js';
import { verifierKeyFor, type NoteSigner } from './keys.js';
import { signCheckpoint } from './sign-checkpoint.js';
import type { CheckpointStore, SignedCheckpoint } from './signed-checkpoint-store.js';

/** What the publisher reads of the Merkle tree (MerkleTree fits). */
export interface CheckpointTree {
  readonly size: bigint;
  root(size?: bigint): Hash;
}

/**
 * Where several publishers of one log agree on its checkpoints (an EventStoreDB stream appended with an
 * expected revision): a checkpoint is claimed before it is stored or served, and only one claim per
 * position in the sequence succeeds.
 */
export interface CheckpointClaims {
  /** Claims `checkpoint` as the log's next. Resolves false when another publisher claimed first. */
  claim(checkpoint: SignedCheckpoint): Promise<boolean>;
  /** Checkpoints claimed after `after` (by any publisher), oldest first; every checkpoint when `after` is undefined. */
  claimedAfter(after: SignedCheckpoint | undefined): Promise<SignedCheckpoint[]>;
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
  /** Milliseconds on a monotonic clock, for intervals and a leader's silence (performance.now). */
  monotonicMs?: () => number;
  /** a periodic publish that failed (retried at the next interval); without it, or if it throws: a process warning */
  onError?: (error: Error) => void;
  /** shared with other publishers of the same log; without it, this publisher is the log's only one */
  claims?: CheckpointClaims;
  /** the log's high-water mark, kept apart from `store`: recorded before each checkpoint is served, checked on start */
  mark?: CheckpointMark;
}

/** A follower claims again once the log went this many intervals without a checkpoint while its tree grew. */
const LEADER_SILENT_INTERVALS = 3;

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
 *
 * With `claims`, a checkpoint is claimed before it is stored. A publisher whose claim loses follows:
 * it serves the winner's checkpoints once its own tree shows them to be consistent, and claims again
 * only when no checkpoint came for a few intervals (the winner is gone).
 */
export class CheckpointPublisher {
  private readonly origin: string;
  private readonly signer: NoteSigner;
  private readonly tree: CheckpointTree;
  private readonly store: CheckpointStore;
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private readonly monotonicMs: () => number;
  private readonly onError: ((error: Error) => void) | undefined;
  private readonly claims: CheckpointClaims | undefined;
  private readonly mark: CheckpointMark | undefined;
  private readonly verifierKey: string;
  /** Set while another publisher wins the claims; monotonicMs() when its latest checkpoint arrived. */
  private followingSince: number | undefined;
  /** The publish queued or running now, which later calls share. */
  private running: Promise<SignedCheckpoint | undefined> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private served: SignedCheckpoint | undefined;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private prompt: NodeJS.Timeout | undefined;
  /** monotonicMs() of the last checkpoint this publisher signed. */
  private lastPublishedAt = Number.NEGATIVE_INFINITY;
  private starting = false;
  private stopped = false;
  /** A checkpoint whose claim won but whose store.append failed: stored at the next publish, never claimed twice. */
  private wonNotStored: SignedCheckpoint | undefined;

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
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.onError = options.onError;
    this.claims = options.claims;
    this.mark = options.mark;
    this.verifierKey = verifierKeyFor(options.signer);
    // Already persisted, so already servable.
    this.served = this.store.latest();
  }

  /**
   * Call on start, before anything else: the log's latest stored checkpoint, its high-water mark and (with
   * `claims`) the checkpoints claimed since must all open with the key this publisher signs with. A log keeps its
   * key: rejects with LogKeyMismatchError otherwise.
   */
  verifyKey(): Promise<void> {
    return this.exclusive(async () => {
      const latest = this.store.latest();
      if (latest !== undefined) this.opened(latest.note, `the latest stored checkpoint (size ${latest.size})`);
      const marked = this.mark?.read();
      if (marked !== undefined) this.opened(marked, `the high-water mark in ${this.mark!.description}`);
      // The claims open every checkpoint they read with the log key, and refuse one that does not open.
      if (this.claims) await this.claims.claimedAfter(this.served);
    });
  }

  /**
   * Call on start, once the tree has caught up with the event store: takes in the checkpoints other
   * publishers claimed (or this one claimed but did not store before a crash), then checks that the
   * last checkpoint's root is the tree's root at its size (else LogForkedError), and that the store and
   * the tree reach the high-water mark with its root (else LogRolledBackError). A store ahead of the
   * mark (a crash between the two writes) moves the mark up.
   */
  verifyAgainstTree(): Promise<void> {
    return this.exclusive(async () => {
      if (this.claims) await this.follow();
      const last = this.store.latest();
      if (last !== undefined) this.assertTreeExtends(last);
      if (this.mark === undefined) return;
      const noted = this.mark.read();
      const marked = noted === undefined ? undefined : this.opened(noted, `the high-water mark in ${this.mark.description}`);
      if (marked !== undefined) this.assertReaches(marked, last);
      if (last !== undefined && (marked === undefined || last.size > marked.size)) this.mark.record(last.note);
    });
  }

  private opened(note: string, what: string): Checkpoint {
    try {
      return openCheckpoint(note, this.verifierKey);
    } catch (error) {
      throw new LogKeyMismatchError(what, this.verifierKey, error instanceof Error ? error.message : String(error));
    }
  }

  private assertReaches(marked: Checkpoint, last: SignedCheckpoint | undefined): void {
    const treeSize = this.tree.size;
    const treeRoot = treeSize >= marked.size ? this.tree.root(marked.size) : undefined;
    const stored = last !== undefined && last.size >= marked.size;
    if (stored && treeRoot !== undefined && equalHashes(treeRoot, marked.root)) return;
    throw new LogRolledBackError(marked.size, marked.root, this.mark!.description, last?.size, treeSize, treeRoot);
  }

  /**
   * Publishes now if the tree grew (or when there is no checkpoint yet, even of an empty tree), then
   * looks again every intervalMs. Rejects if that first publish fails, so a service does not start
   * without a checkpoint; later failures go to onError and are retried.
   */
  async start(): Promise<void> {
    if (this.timer !== undefined || this.starting) throw new Error('the checkpoint publisher is already started');
    this.starting = true;
    this.stopped = false;
    try {
      await this.publishIfGrown();
    } finally {
      this.starting = false;
    }
    // stop() was called while the first publish ran.
    if (this.stopped) return;
    this.timer = setInterval(() => {
      // A prompt publish since the last tick already covered this interval.
      if (this.monotonicMs() - this.lastPublishedAt >= this.intervalMs) this.publishInBackground();
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
    const wait = Math.max(0, this.lastPublishedAt + this.intervalMs - this.monotonicMs());
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

  /**
   * Signs, claims (with `claims`), persists (store.append), then serves a checkpoint of the tree if it
   * grew; else, or when another publisher's claim won, resolves undefined. A follower takes in the
   * checkpoints claimed since its latest instead. Calls made while one runs share its outcome.
   */
  publishIfGrown(): Promise<SignedCheckpoint | undefined> {
    this.running ??= this.exclusive(() => this.publishOnce()).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs `work` after everything queued before it: publishes and verifications never overlap. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async publishOnce(): Promise<SignedCheckpoint | undefined> {
    const won = this.wonNotStored;
    if (won !== undefined) {
      this.storeWon(won);
      if (this.tree.size <= won.size) return won;
    }
    if (this.followingSince !== undefined) {
      await this.follow();
      const silentMs = this.monotonicMs() - this.followingSince;
      if (silentMs < LEADER_SILENT_INTERVALS * this.intervalMs) return undefined;
    }
    const size = this.tree.size;
    const previous = this.served;
    if (previous !== undefined) {
      if (size <= previous.size) return undefined;
      this.assertTreeExtends(previous);
    }
    const root = this.tree.root(size);
    const note = signCheckpoint({ origin: this.origin, size, root, extensions: [] }, this.signer);
    const checkpoint: SignedCheckpoint = { size, root, note, signedAt: this.now().toISOString() };
    if (this.claims && !(await this.claims.claim(checkpoint))) {
      this.followingSince = this.monotonicMs();
      await this.follow();
      return undefined;
    }
    this.followingSince = undefined;
    this.storeWon(checkpoint);
    return checkpoint;
  }

  private storeWon(checkpoint: SignedCheckpoint): void {
    if (this.claims) this.wonNotStored = checkpoint;
    this.adopt(checkpoint);
    this.wonNotStored = undefined;
    this.lastPublishedAt = this.monotonicMs();
  }

  /**
   * Takes in what was claimed after the served checkpoint; each must extend this log's tree as this
   * publisher has it.
   */
  private async follow(): Promise<void> {
    const claimed = await this.claims!.claimedAfter(this.served);
    // Any checkpoint the leader claimed, even one this replica's tree has not reached, shows it is alive.
    if (claimed.length > 0 && this.followingSince !== undefined) this.followingSince = this.monotonicMs();
    for (const checkpoint of claimed) {
      // The winner may be ahead of this replica's tree: such a checkpoint is taken in at a later tick.
      if (checkpoint.size > this.tree.size) break;
      this.adopt(checkpoint);
    }
  }

  /** Stores, raises the high-water mark to, then serves, a checkpoint that extends the tree. */
  private adopt(checkpoint: SignedCheckpoint): void {
    this.assertTreeExtends(checkpoint);
    this.store.append(checkpoint);
    // After the store: a crash between the two leaves the mark behind the store, which the next start repairs.
    this.mark?.record(checkpoint.note);
    this.served = checkpoint;
    this.resolveWaiters(checkpoint);
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

  // A timer callback that rejects would crash the process: report and retry at the next tick.
  private publishInBackground(): void {
    this.publishIfGrown().catch((error: unknown) => this.report(error instanceof Error ? error : new Error(String(error))));
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
