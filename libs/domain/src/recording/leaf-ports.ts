import type { Position } from '@trailmark/event-store';

// What the recorder needs of the sequencer and its ledger index, declared here so that the model imports
// neither: @trailmark/sequencer's Sequencer and LedgerIndex satisfy these as they are (the arrow points from
// the sequencer down to the model, not back).

/** Where an event sits: its leaf index, and the id and position the store gave it. */
export interface LeafLocation {
  readonly leafIndex: bigint;
  /** The id the store files the event under (storeEventId). */
  readonly eventId: string;
  readonly position: Position;
}

/** The sequencer as the write path waits on it: an append is acknowledged once its event has a leaf. */
export interface LeafWaiter {
  /** Why no event is integrated now (stopped, or failed and retrying), if none is. */
  readonly failure: Error | undefined;
  waitForLeaf(storeId: string, position?: Position): Promise<LeafLocation>;
}

/** The ledger index as the write path reads it: a retry finds its earlier event, server time resumes after the last. */
export interface LeafFinder {
  leafCount(): bigint;
  leafAt(leafIndex: bigint): LeafLocation | undefined;
  /** The first leaf of `tenant`'s event `id`. */
  leafOfEvent(tenant: string, id: string): LeafLocation | undefined;
}
