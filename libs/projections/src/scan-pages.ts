import { SCAN_PAGE_SIZE, type EventFilter, type ScanOptions, type SearchOptions } from './event-filter.js';
import type { ProjectedEvent } from './projected-event.js';

/**
 * ReadModelStore.scan on top of search: keyset pagination on the leaf index, one query per page, each resuming
 * after the last leaf of the one before. Rows written meanwhile below `upTo` are met as the pages reach them;
 * none is repeated or skipped, since leaf indexes never move.
 */
export async function* scanPages(
  search: (filter: EventFilter, options: SearchOptions) => Promise<ProjectedEvent[]>,
  filter: EventFilter,
  options: ScanOptions,
): AsyncGenerator<ProjectedEvent> {
  const limit = options.pageSize ?? SCAN_PAGE_SIZE;
  let after = options.after;
  for (;;) {
    const page = await search(filter, { ...(after !== undefined && { after }), upTo: options.upTo, limit });
    yield* page;
    if (page.length < limit) return;
    after = page[page.length - 1]!.leafIndex;
  }
}
