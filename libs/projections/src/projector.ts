import { IDENTITY_STREAM_PREFIX } from '@trailmark/domain';
import { eventBytes, type EventStore, type Position, type RecordedEvent, type Subscription } from '@trailmark/event-store';
import { LeafCountWaiters } from './leaf-count-waiters.js';
import { projectEvent } from './projected-event.js';
import type { ProjectionState, ReadModelStore } from './read-model-store.js';

export interface ProjectorOptions {
  /** The error that stopped the projector (the store's, the read model's, or an unreadable event). */
  readonly onError?: (error: Error) => void;
  /**
   * At most this many events per read-model transaction (default 10,000). While catching up, and live whenever
   * the store says more events follow, deliveries are gathered up to it: fewer, larger transactions. Live events
   * at the end of the log are applied as they come.
   */
  readonly pageSize?: number;
  /**
   * At most about this many bytes of events (leaf and stored metadata) per read-model transaction (default 8 MiB):
   * ten thousand events near the 64 KiB leaf limit would otherwise be held, and projected, at once. An event
   * larger than this goes alone.
   */
  readonly pageBytes?: number;
  /** After each applied batch, with the number of leaves projected so far. */
  readonly onProgress?: (leafCount: bigint) => void;
}

/** Where the projector stands, for a `/metrics` gauge: compare `leafCount` with the tree size. */
export interface ProjectorStatus {
  /** Leaves in the read model: leaf indexes 0 .. leafCount-1 are searchable. */
  readonly leafCount: bigint;
  /** The store position of the last projected event. */
  readonly position: Position | 'start';
  /** True once the projector has reached the end of the log since it started. */
  readonly caughtUp: boolean;
  /** Set when the projector stopped on an error; it projects nothing more until started again. */
  readonly failure?: Error;
}

/** What the service uses of a projector, whether it runs in-process (Projector) or in a thread (ProjectorThread). */
export interface ProjectorHandle {
  /** Resolves once every event stored so far is projected. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ProjectorStatus;
  /** How many leaves of a tree of `treeSize` the read model does not hold yet (0 when it is ahead of the tree). */
  lag(treeSize: bigint): bigint;
  /** Resolves once the read model holds `leafCount` leaves; rejects with ProjectorStoppedError if it stops first. */
  whenProjected(leafCount: bigint): Promise<void>;
}

/** The projector stopped, or failed, before it reached a leaf someone waits for. */
export class ProjectorStoppedError extends Error {
  constructor(readonly reason?: Error) {
    super(reason === undefined ? 'the projector stopped' : `the projector failed: ${reason.message}`, reason && { cause: reason });
  }
}

const DEFAULT_PAGE_SIZE = 10_000;
const DEFAULT_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * Feeds a read model from the store's global order. It counts leaves as the sequencer does (leaf i is the i-th
 * event of the streams starting `identity-`, from the start of the store), so a projected leaf index is the
 * ledger's leaf index: a search result's inclusion proof is the ledger's. Each batch and the position after it
 * are stored in one transaction; a restart resumes after the stored position, with nothing skipped or repeated.
 */
export class Projector implements ProjectorHandle {
  private subscription: Subscription | undefined;
  /** The current run, from start() to stop(): a stop() while start() reads the position cancels that start. */
  private run: object | undefined;
  private leaves = 0n;
  private at: Position | 'start' = 'start';
  private caughtUp = false;
  /** Until the subscription first reaches the end of the log; the deliveries gathered meanwhile, not yet applied. */
  private catchingUp = false;
  private gathered: RecordedEvent[] = [];
  private gatheredBytes = 0;
  /** The last handler work queued (see inOrder). */
  private queue: Promise<void> = Promise.resolve();
  /** The last batch handed to the read model (see receive). */
  private applying: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly waiters = new LeafCountWaiters();
  private readonly pageSize: number;
  private readonly pageBytes: number;

  constructor(
    private readonly store: EventStore,
    private readonly readModel: ReadModelStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.pageBytes = options.pageBytes ?? DEFAULT_PAGE_BYTES;
    for (const [name, value] of [['pageSize', this.pageSize], ['pageBytes', this.pageBytes]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
    }
  }

  /** Resumes from the read model's stored position; resolves once every event stored so far is projected. */
  async start(): Promise<void> {
    if (this.run) throw new Error('the projector is running already');
    const run = {};
    this.run = run;
    let stored: ProjectionState;
    try {
      // From an empty read model, the whole store is appended first and the indexes built once at the end.
      await this.readModel.deferIndexes();
      stored = await this.readModel.position();
    } catch (error) {
      if (this.run === run) this.run = undefined;
      throw error;
    }
    if (this.run !== run) throw new ProjectorStoppedError();
    this.leaves = stored.leafCount;
    this.at = stored.position;
    this.caughtUp = false;
    this.catchingUp = true;
    this.gathered = [];
    this.failure = undefined;
    // A start after a failure: the batch that failed is not this run's to wait for.
    this.applying = Promise.resolve();
    await new Promise<void>((resolve, reject) => {
      this.rejectStart = reject;
      const failed = (error: Error) => {
        if (this.failure) return;
        void this.subscription?.close();
        this.fail(error);
        reject(error);
        this.options.onError?.(error);
      };
      const subscription = this.store.subscribeToAll(
        { from: this.at, streamPrefix: IDENTITY_STREAM_PREFIX },
        {
          onEvents: (events, more) => this.inOrder(run, () => this.receive(events, more === true)),
          onCaughtUp: () =>
            this.inOrder(run, async () => {
              this.catchingUp = false;
              await this.applying;
              await this.project(this.takeGathered());
              // Whether this start deferred the indexes or a start cut short did, a projector caught up has them.
              await this.readModel.createIndexes();
            }).then(() => {
              this.caughtUp = true;
              resolve();
            }, failed),
          onError: failed,
        },
      );
      // Unless it failed already, in the call itself.
      if (this.run === run) this.subscription = subscription;
    });
  }

  /** Stops after the batch being applied, if any. A start still catching up rejects with ProjectorStoppedError. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.run = undefined;
    await subscription?.close();
    await this.queue;
    await this.applying.catch(() => {});
    if (!this.caughtUp) this.rejectStart(new ProjectorStoppedError());
    this.waiters.settle(this.leaves, new ProjectorStoppedError());
  }

  status(): ProjectorStatus {
    return { leafCount: this.leaves, position: this.at, caughtUp: this.caughtUp, ...(this.failure && { failure: this.failure }) };
  }

  /** How many leaves of a tree of `treeSize` the read model does not hold yet (0 when it is ahead of the tree). */
  lag(treeSize: bigint): bigint {
    return treeSize > this.leaves ? treeSize - this.leaves : 0n;
  }

  /**
   * Resolves once the read model holds `leafCount` leaves (at once if it does): e.g. wait for a receipt's
   * `leafIndex + 1` before searching for it. Rejects with ProjectorStoppedError if the projector stops first.
   */
  whenProjected(leafCount: bigint): Promise<void> {
    if (this.leaves >= leafCount) return Promise.resolve();
    if (this.failure) return Promise.reject(new ProjectorStoppedError(this.failure));
    if (!this.run) return Promise.reject(new ProjectorStoppedError());
    return this.waiters.wait(leafCount);
  }

  private rejectStart: (error: Error) => void = () => {};

  /**
   * Runs `work` after the work queued before it, and only while `run` is the current run: the catching-up flush
   * may still be applying when the next live batch arrives, and nothing may be applied after a failure.
   */
  private inOrder(run: object, work: () => Promise<void>): Promise<void> {
    const done = this.queue.then(() => (this.run === run ? work() : undefined));
    this.queue = done.catch(() => {});
    return done;
  }

  /** `more`: the store holds events after these. Live but behind, the projector gathers as it does catching up. */
  private async receive(events: readonly RecordedEvent[], more: boolean): Promise<void> {
    for (const event of events) {
      this.gathered.push(event);
      this.gatheredBytes += eventBytes(event);
    }
    if ((this.catchingUp || more) && this.gathered.length < this.pageSize && this.gatheredBytes < this.pageBytes) return;
    // Catching up, one batch is in the read model's hands while the next is read and parsed (a read model on
    // another server works in parallel with this process); a failed batch fails the delivery after it, or the
    // catching up. Live, each delivery waits for its own batch, so that a failure surfaces at once.
    const previous = this.applying;
    const batch = this.takeGathered();
    this.applying = previous.then(() => this.project(batch));
    await (this.catchingUp ? previous : this.applying);
  }

  private takeGathered(): RecordedEvent[] {
    const gathered = this.gathered;
    this.gathered = [];
    this.gatheredBytes = 0;
    return gathered;
  }

  private async project(events: readonly RecordedEvent[]): Promise<void> {
    for (const page of this.pages(events)) {
      const batch = page.map((event, i) => projectEvent(event, this.leaves + BigInt(i)));
      const position = page[page.length - 1]!.position;
      await this.readModel.apply(batch, position);
      this.leaves += BigInt(batch.length);
      this.at = position;
      this.waiters.settle(this.leaves);
      this.options.onProgress?.(this.leaves);
    }
  }

  /** `events` cut into transactions of at most pageSize events and, unless one event alone is larger, pageBytes. */
  private *pages(events: readonly RecordedEvent[]): Generator<readonly RecordedEvent[]> {
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < events.length; i += 1) {
      const size = eventBytes(events[i]!);
      if (i > start && (i - start === this.pageSize || bytes + size > this.pageBytes)) {
        yield events.slice(start, i);
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (start < events.length) yield events.slice(start);
  }

  private fail(error: Error): void {
    this.failure = error;
    this.subscription = undefined;
    this.run = undefined;
    this.waiters.settle(this.leaves, new ProjectorStoppedError(error));
  }
}

/**
 * Rebuilds `readModel` from scratch: drops every row, then projects the whole store, calling `onProgress` with
 * the leaves projected so far after each batch (for the CLI). Resolves with the leaf count once caught up. Run it
 * with no other projector writing to the same read model.
 */
export async function rebuild(
  store: EventStore,
  readModel: ReadModelStore,
  options: Pick<ProjectorOptions, 'onProgress' | 'pageSize' | 'pageBytes'> = {},
): Promise<bigint> {
  await readModel.reset();
  const projector = new Projector(store, readModel, options);
  await projector.start();
  await projector.stop();
  return projector.status().leafCount;
}
