import type { Position } from '@trailmark/event-store';

/** Where an event sits in the log: its leaf index, and its position in the store's global order. */
export interface IntegratedLeaf {
  readonly leafIndex: bigint;
  readonly eventId: string;
  readonly position: Position;
}

/**
 * What the sequencer has integrated: which event is which leaf, and how far into the store's
 * global order it got. Derived state, rebuilt by replaying the store.
 */
export interface LedgerIndex {
  integratedPosition(): Position | 'start';
  leafCount(): bigint;
  leafOf(eventId: string): IntegratedLeaf | undefined;
  leafAt(leafIndex: bigint): IntegratedLeaf | undefined;
  /** Records the leaves and the new position, atomically with `appendToTree` (the tree's own write). */
  integrate(leaves: readonly IntegratedLeaf[], position: Position, appendToTree: () => void): void;
}
