import { IDENTITY_STREAM_PREFIX, parseEnvelope, tenantStreamPrefix, type Envelope, type LedgerIndex } from '@trailmark/domain';
import type { EventStore, Position } from '@trailmark/event-store';

export interface EventFilter {
  /** undefined: every tenant (only for an all-tenant token). */
  readonly tenant?: string;
  readonly actor?: string;
  /** Exact ("user.login") or a prefix ending in ".*" ("user.mfa.*"). */
  readonly action?: string;
  readonly target?: string;
  readonly outcome?: string;
  /** Server time, inclusive bounds, RFC 3339 UTC as the envelopes carry it. */
  readonly from?: string;
  readonly to?: string;
}

export interface SearchPage {
  readonly events: { leafIndex: bigint; event: Envelope }[];
  /** Pass as `cursor` for the next page; undefined when the search reached the end of the log. */
  readonly next: bigint | undefined;
}

/** How many events one request may read before it answers with what it found and a cursor. */
export const SCAN_LIMIT = 10_000;
const READ_PAGE = 1000;

/**
 * Oldest first, after the leaf `cursor`, by reading the tenant's streams in the store's order.
 * This scan stands until the indexed search projection; a request reads at most SCAN_LIMIT events,
 * so a sparse filter pages through the log instead of holding the request.
 */
export async function searchEvents(
  store: EventStore,
  index: LedgerIndex,
  filter: EventFilter,
  cursor: bigint | undefined,
  limit: number,
): Promise<SearchPage> {
  const after = cursor === undefined ? undefined : index.leafAt(cursor);
  if (cursor !== undefined && !after) return { events: [], next: undefined };
  const matches = matcher(filter);
  const streamPrefix = filter.tenant === undefined ? IDENTITY_STREAM_PREFIX : tenantStreamPrefix(filter.tenant);
  const events: SearchPage['events'] = [];
  let from: Position | 'start' = after?.position ?? 'start';
  // readAll is inclusive of `from`: the event read last comes back first and is skipped.
  let seen = after?.eventId;
  let scanned = 0;
  for (;;) {
    const page = await store.readAll({ from, maxCount: READ_PAGE, streamPrefix });
    const fresh = seen !== undefined && page[0]?.id === seen ? page.slice(1) : page;
    if (fresh.length === 0) return { events, next: undefined };
    for (const stored of fresh) {
      const leaf = index.leafOf(stored.id);
      // Not in the tree yet: newer than anything a proof could cover; the log ends here for now.
      if (!leaf) return { events, next: undefined };
      scanned++;
      const event = parseEnvelope(stored.data);
      if (matches(event)) events.push({ leafIndex: leaf.leafIndex, event });
      if (events.length === limit || scanned === SCAN_LIMIT) return { events, next: leaf.leafIndex };
    }
    from = fresh[fresh.length - 1]!.position;
    seen = fresh[fresh.length - 1]!.id;
  }
}

function matcher(filter: EventFilter): (event: Envelope) => boolean {
  const actionPrefix = filter.action?.endsWith('.*') ? filter.action.slice(0, -1) : undefined;
  // The tenant is checked again here, not left to the stream prefix alone: isolation is not one line deep.
  return (event) =>
    (filter.tenant === undefined || event.tenant === filter.tenant) &&
    (filter.actor === undefined || event.actor.id === filter.actor || `${event.actor.type}:${event.actor.id}` === filter.actor) &&
    (filter.action === undefined || (actionPrefix !== undefined ? event.action.startsWith(actionPrefix) : event.action === filter.action)) &&
    (filter.target === undefined || event.targets.some((t) => t.id === filter.target || `${t.type}:${t.id}` === filter.target)) &&
    (filter.outcome === undefined || event.outcome === filter.outcome) &&
    (filter.from === undefined || event.time >= filter.from) &&
    (filter.to === undefined || event.time <= filter.to);
}
