import { hashLeaf } from '@trailmark/proofs';
import { eventKeyOf, IDENTITY_STREAM_PREFIX } from '@trailmark/domain';
import type { MerkleTree } from '@trailmark/merkle';
import { comparePositions, type EventStore, type Position, type RecordedEvent, type Subscription } from '@trailmark/event-store';
import type { IntegratedLeaf, LedgerIndex } from './ledger-index.js';

/** Leaves keyed per read of the store when an older index is brought up to date. */
const PAGE = 1_000;

/**
 * The sequencer stopped, or failed, before the event was integrated: the event may be stored, but has no leaf yet.
 * A failure is not for good: the sequencer retries (see Sequencer) and integrates the event once it can.
 */
export class SequencerStoppedError extends Error {
  constructor(readonly reason?: Error) {
    super(
      reason === undefined
        ? 'the sequencer stopped before the event was integrated'
        : `the sequencer failed to integrate events and retries until it can (${reason.message})`,
    );
  }
}

/** The first wait before following the store again after a failure, and the longest: it doubles in between. */
export const RETRY_FIRST_DELAY_MS = 100;
export const RETRY_MAX_DELAY_MS = 5_000;

/**
 * Follows the store's global order and appends each identity event's leaf to the tree. The tree is a
 * pure function of that order: any replica replaying the store gets the same leaves and roots.
 *
 * When integrating fails once running (a full disk, an I/O error) or the subscription breaks, the batch is rolled
 * back, every waiting request is told (its event may be stored), and `failure` says why until the sequencer has
 * followed the store again from the last integrated position: it retries with a doubling delay, so a disk that
 * gets space back resumes ingest without a restart.
 */
export class Sequencer {
  private subscription: Subscription | undefined;
  private readonly waiters = new Map<string, { resolve(leaf: IntegratedLeaf): void; reject(error: Error): void }[]>();
  private integratedListeners: ((treeSize: bigint) => void)[] = [];
  private integrated: Position | 'start' = 'start';
  /** Set while failed (until a retry has caught up) and once stopped: no waiter would be resolved meanwhile. */
  private halted: SequencerStoppedError | undefined;
  private stopped = false;
  private retries = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly tree: MerkleTree,
    private readonly index: LedgerIndex,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  /** Catches up with the store; resolves once the tree holds every event stored so far. */
  start(): Promise<void> {
    if (this.tree.size !== this.index.leafCount()) {
      throw new Error(
        `the tree holds ${this.tree.size} leaves but the ledger index ${this.index.leafCount()}: the derived state is damaged; ` +
          'delete the tiles and the index to rebuild them from the store',
      );
    }
    this.integrated = this.index.integratedPosition();
    return this.keyOlderLeaves().then(() => new Promise<void>((resolve, reject) => this.follow(resolve, reject)));
  }

  /**
   * An index written before event ids were per tenant has leaves without their (tenant, id) key: read
   * each of their events once from the store and add it, before anything looks an event up by id.
   */
  private async keyOlderLeaves(): Promise<void> {
    for (let leaves = this.index.leavesWithoutKey(PAGE); leaves.length > 0; leaves = this.index.leavesWithoutKey(PAGE)) {
      const page = await this.store.readAll({ from: leaves[0]!.position, maxCount: leaves.length, streamPrefix: IDENTITY_STREAM_PREFIX });
      const byId = new Map(page.map((event) => [event.id, event]));
      const keys = [];
      for (const leaf of leaves) {
        const event = byId.get(leaf.eventId) ?? (await this.store.readAll({ from: leaf.position, maxCount: 1 }))[0];
        keys.push({ leafIndex: leaf.leafIndex, key: event?.id === leaf.eventId ? eventKeyOf(event.data) : undefined });
      }
      this.index.addKeys(keys);
    }
  }

  /** Subscribes from the last integrated position; `caughtUp` once it has read to the end of the store. */
  private follow(caughtUp: () => void, failedToCatchUp?: (error: Error) => void): void {
    this.integrated = this.index.integratedPosition();
    let reachedEnd = false;
    let failed = false;
    const subscription: Subscription = this.store.subscribeToAll(
      { from: this.integrated, streamPrefix: IDENTITY_STREAM_PREFIX },
      {
        onEvents: (events) => this.integrate(events),
        onCaughtUp: () => {
          reachedEnd = true;
          caughtUp();
        },
        onError: (error) => {
          if (failed) return;
          failed = true;
          this.halt(new SequencerStoppedError(error));
          // On start, the caller hears of it: a store that cannot be followed at all is no service.
          if (!reachedEnd && failedToCatchUp) return failedToCatchUp(error);
          this.onError(error);
          this.retryLater(() => subscription.close());
        },
      },
    );
    this.subscription = subscription;
  }

  private retryLater(closeFailed: () => Promise<void>): void {
    if (this.stopped) return;
    const delay = Math.min(RETRY_MAX_DELAY_MS, RETRY_FIRST_DELAY_MS * 2 ** this.retries);
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void closeFailed().then(() => {
        if (this.stopped) return;
        this.follow(() => {
          if (this.stopped) return;
          this.retries = 0;
          this.halted = undefined;
        });
      });
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.halted = undefined;
    this.halt(new SequencerStoppedError());
    await this.subscription?.close();
    this.subscription = undefined;
  }

  /** Why the sequencer does not integrate events now, if it does not (stopped, or failed and retrying). */
  get failure(): SequencerStoppedError | undefined {
    return this.halted;
  }

  private halt(reason: SequencerStoppedError): void {
    this.halted ??= reason;
    for (const list of this.waiters.values()) for (const waiter of list) waiter.reject(this.halted);
    this.waiters.clear();
  }

  /**
   * Resolves with the event's leaf once it is integrated (at once if it already is). With the event's
   * position, as an append returns it, an event the sequencer has not reached yet needs no index lookup.
   */
  waitForLeaf(eventId: string, position?: Position): Promise<IntegratedLeaf> {
    const reached = this.integrated !== 'start' && (position === undefined || comparePositions(position, this.integrated) <= 0);
    const leaf = reached ? this.index.leafOf(eventId) : undefined;
    if (leaf) return Promise.resolve(leaf);
    if (this.halted) return Promise.reject(this.halted);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(eventId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(eventId, list);
    });
  }

  /** Calls `listener` with the new tree size after each integrated batch. */
  onIntegrated(listener: (treeSize: bigint) => void): void {
    this.integratedListeners.push(listener);
  }

  private integrate(events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    const first = this.tree.size;
    const leaves = events.map((event, i) => ({
      leafIndex: first + BigInt(i),
      eventId: event.id,
      position: event.position,
      key: eventKeyOf(event.data),
    }));
    try {
      this.index.integrate(leaves, events[events.length - 1]!.position, () => {
        this.tree.appendLeafHashes(events.map((event) => hashLeaf(event.data)));
      });
    } catch (error) {
      // The transaction rolled back; the tree must not keep leaves its store no longer has.
      this.tree.reload();
      throw error;
    }
    this.integrated = events[events.length - 1]!.position;
    for (const leaf of leaves) {
      const list = this.waiters.get(leaf.eventId);
      if (!list) continue;
      this.waiters.delete(leaf.eventId);
      for (const waiter of list) waiter.resolve(leaf);
    }
    for (const listener of this.integratedListeners) listener(this.tree.size);
  }
}
