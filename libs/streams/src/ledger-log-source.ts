import { IDENTITY_STREAM_PREFIX } from '@trailmark/domain';
import type { LedgerIndex } from '@trailmark/sequencer';
import type { EventStore } from '@trailmark/event-store';
import { batchInclusionSpans, type Hash, type LeafSpan } from '@trailmark/proofs';
import type { LogLeaf, LogSource, StreamCheckpoint } from './log-source.js';

export interface LedgerLogSourceParts {
  readonly store: EventStore;
  readonly index: LedgerIndex;
  readonly tree: { spanHashes(spans: readonly LeafSpan[], size: bigint): Hash[] };
  readonly latestCheckpoint: () => StreamCheckpoint | undefined;
  readonly waitForCheckpoint: (size: bigint) => Promise<StreamCheckpoint>;
}

/**
 * The ledger as streams read it: a leaf's store position comes from the ledger index, and the identity
 * events of the store's global order from there on are the leaves that follow it, exactly as the sequencer
 * counted them. Only leaves the tree holds are read, so each can be proven.
 */
export class LedgerLogSource implements LogSource {
  constructor(private readonly parts: LedgerLogSourceParts) {}

  latestCheckpoint(): StreamCheckpoint | undefined {
    return this.parts.latestCheckpoint();
  }

  async leaves(from: bigint, max: number, below: bigint): Promise<LogLeaf[]> {
    if (from >= below || max <= 0) return [];
    const first = this.parts.index.leafAt(from);
    if (!first) throw new Error(`leaf ${from} is not in the ledger index`);
    const count = Number(below - from < BigInt(max) ? below - from : BigInt(max));
    const events = await this.parts.store.readAll({ from: first.position, maxCount: count, streamPrefix: IDENTITY_STREAM_PREFIX });
    if (events[0]?.id !== first.eventId) throw new Error(`the store's event at leaf ${from} is not ${first.eventId}`);
    return events.map((event, i) => ({ leafIndex: from + BigInt(i), leaf: event.data, metadata: event.metadata }));
  }

  proveBatch(leafIndices: readonly bigint[], treeSize: bigint): Hash[] {
    return this.parts.tree.spanHashes(batchInclusionSpans(leafIndices, treeSize), treeSize);
  }

  waitForCheckpoint(size: bigint): Promise<StreamCheckpoint> {
    return this.parts.waitForCheckpoint(size);
  }
}
