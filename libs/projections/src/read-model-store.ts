import type { Position } from '@trailmark/event-store';
import type { AccessHolding } from './access.js';
import type { EventFilter, ScanOptions, SearchOptions } from './event-filter.js';
import type { ProjectedEvent } from './projected-event.js';

/** How far a read model has projected the store: the last position applied and the leaves it holds. */
export interface ProjectionState {
  readonly position: Position | 'start';
  /** Leaves projected so far: the next event applied is leaf `leafCount`. */
  readonly leafCount: bigint;
}

/**
 * The read-model port: derived state, fed in the store's global order by the Projector, rebuildable from
 * scratch. Adapters: SqliteReadModel (embedded) and PostgresReadModel; the shared test suite holds both to the
 * same semantics. One projector writes to a read model at a time; any number of readers may query it.
 */
export interface ReadModelStore {
  /**
   * Stores `batch` (consecutive leaves, starting at the stored leaf count) and `position` (the store position of
   * the batch's last event) in one transaction. A batch whose position is not after the stored one was applied
   * already (a retry after a crash) and changes nothing. A batch that does not start at the stored leaf count is
   * refused with ProjectionConflictError: another writer moved the read model, or the leaves were miscounted.
   */
  apply(batch: readonly ProjectedEvent[], position: Position): Promise<void>;

  /** The stored position and leaf count; `'start'` and 0 when nothing was applied. */
  position(): Promise<ProjectionState>;

  /** The read model's copy of leaf `leafIndex` (its bytes, as the tree hashed them), if it holds that leaf. */
  leaf(leafIndex: bigint): Promise<Uint8Array | undefined>;

  /** Events matching `filter`, by leaf index, strictly beyond the cursor `options.after`, at most `options.limit`. */
  search(filter: EventFilter, options: SearchOptions): Promise<ProjectedEvent[]>;

  /**
   * Every event matching `filter` with `after < leafIndex < upTo`, ascending, fetched a page at a time (keyset
   * pagination on the leaf index), so an export of millions of rows holds one page in memory.
   */
  scan(filter: EventFilter, options: ScanOptions): AsyncIterable<ProjectedEvent>;

  /**
   * Who held which role in `tenant` at the instant `at` (a server time, spelled as envelopes carry it),
   * optionally only `role`: the successful role.granted and role.revoked events whose time is at most `at`,
   * replayed in leaf order. Sorted by role, then subject (see sortHoldings).
   */
  accessAt(tenant: string, at: string, role?: string): Promise<AccessHolding[]>;

  /** Drops every projected row and the position: the next projector starts from the beginning of the store. */
  reset(): Promise<void>;

  /**
   * When nothing is projected yet, drops the search indexes, so that projecting the whole store appends rows
   * only; createIndexes then builds each index once, sorted. Resolves with whether it dropped them. Searches
   * still answer meanwhile, by scanning.
   */
  deferIndexes(): Promise<boolean>;

  /** Creates every search index that is missing. Opening a read model does too, after a bulk load cut short. */
  createIndexes(): Promise<void>;

  close(): Promise<void>;
}

/** An apply that does not continue the stored projection. */
export class ProjectionConflictError extends Error {
  constructor(
    readonly expectedLeaf: bigint,
    readonly firstLeaf: bigint,
  ) {
    super(
      `the read model holds ${expectedLeaf} leaves, but the batch starts at leaf ${firstLeaf}: ` +
        'another projector writes to it, or it must be rebuilt',
    );
  }
}
