import type { Position } from '@trailmark/event-store';
import type { EventKey } from '@trailmark/domain';

/** Where an event sits in the log: its leaf index, and its position in the store's global order. */
export interface IntegratedLeaf {
  readonly leafIndex: bigint;
  /**
   * The id the store files the event under: storeEventId(tenant, id), or the event id itself for
   * events stored before ids were per tenant.
   */
  readonly eventId: string;
  readonly position: Position;
  /** The tenant and event id its envelope names; undefined when the leaf is no envelope (or not read yet). */
  readonly key?: EventKey;
}

/**
 * What the sequencer has integrated: which event is which leaf, and how far into the store's
 * global order it got. Derived state, rebuilt by replaying the store.
 *
 * Event ids are per tenant (an idempotency key of one tenant): `leafOfEvent` finds an event by
 * tenant and id without ever looking at another tenant's events, so neither its answer nor its
 * cost depends on whether another tenant used the id.
 */
export interface LedgerIndex {
  integratedPosition(): Position | 'start';
  leafCount(): bigint;
  /** By the id the store files the event under (IntegratedLeaf.eventId). */
  leafOf(storeId: string): IntegratedLeaf | undefined;
  /** The first leaf of `tenant`'s event `id`. */
  leafOfEvent(tenant: string, id: string): IntegratedLeaf | undefined;
  /** Every leaf whose envelope has this id, in leaf order, whatever its tenant (a caller filters by tenant). */
  leavesWithId(id: string): IntegratedLeaf[];
  leafAt(leafIndex: bigint): IntegratedLeaf | undefined;
  /** Records the leaves and the new position, atomically with `appendToTree` (the tree's own write). */
  integrate(leaves: readonly IntegratedLeaf[], position: Position, appendToTree: () => void): void;
  /** Up to `limit` leaves, in leaf order, integrated before the index kept keys (an index made by an older version). */
  leavesWithoutKey(limit: number): IntegratedLeaf[];
  /** Gives those leaves their key, read from their stored leaf; undefined marks a leaf that has none. */
  addKeys(keys: readonly { readonly leafIndex: bigint; readonly key: EventKey | undefined }[]): void;
}
