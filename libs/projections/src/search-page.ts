import type { EventFilter } from './event-filter.js';
import type { ProjectedEvent } from './projected-event.js';
import type { ReadModelStore } from './read-model-store.js';

/** One page of a search over the leaves below `upTo` (the tree size: every event on the page can be proven). */
export interface SearchPageQuery {
  readonly filter: EventFilter;
  readonly limit: number;
  readonly order: 'asc' | 'desc';
  /** The cursor: the leaf index the previous page ended at. */
  readonly after?: bigint;
  readonly upTo: bigint;
}

export interface SearchPage {
  readonly events: ProjectedEvent[];
  /** The cursor of the next page when this one is full; null when the search has nothing more below `upTo`. */
  readonly next: bigint | null;
  /**
   * Where a follower continues, as Okta's System Log hands out a next link on every page of an ascending poll:
   * `next` for a full page; for a short ascending page, the last leaf examined (`upTo - 1`), so the next poll
   * starts past every leaf this one looked at, matched or not, and returns only what arrived since. Undefined
   * when there is nothing to follow: a descending search that reached the first leaf, or an empty log.
   */
  readonly follow: bigint | undefined;
}

export async function searchPage(readModel: ReadModelStore, query: SearchPageQuery): Promise<SearchPage> {
  const { filter, limit, order, after, upTo } = query;
  const events = await readModel.search(filter, { limit, order, upTo, ...(after !== undefined && { after }) });
  const next = events.length === limit ? events[events.length - 1]!.leafIndex : null;
  return { events, next, follow: next ?? (order === 'asc' ? caughtUp(after, upTo) : undefined) };
}

function caughtUp(after: bigint | undefined, upTo: bigint): bigint | undefined {
  const lastExamined = upTo - 1n;
  if (after !== undefined && after > lastExamined) return after;
  return lastExamined >= 0n ? lastExamined : after;
}
