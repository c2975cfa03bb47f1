import type { SearchPageQuery } from '@trailmark/projections';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { parseEventFilter, type FilterQuery } from './event-query.js';
import { parseCount, singleValue } from './json.js';

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 1000;

/** The service's records of reads and exports, which every search adds to the log (docs/decisions.md). */
export const READ_RECORDS = 'audit_log.*';

/** The parameters of `GET /v1/events` besides the filters; the recorded query names them too. */
export const PAGE_PARAMETERS = ['cursor', 'limit', 'sort', 'reads'] as const;
export type SearchQuery = FilterQuery & Partial<Record<(typeof PAGE_PARAMETERS)[number], unknown>>;

/**
 * A search request as the read model's page query, without the tree size it is bounded by. The records of reads
 * (`audit_log.*`) are left out unless asked for, by `reads=include` or by an `action` of that family: else a
 * poller's next page would hold the record of its last poll, and it would never catch up.
 */
export function parseSearchQuery(query: SearchQuery, principal: Principal): Omit<SearchPageQuery, 'upTo'> {
  const filter = parseEventFilter(query, principal);
  const limit = Number(parseCount(query.limit, 'limit') ?? BigInt(DEFAULT_SEARCH_LIMIT));
  if (limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new ApiError(400, 'bad_request', `limit must be from 1 to ${MAX_SEARCH_LIMIT}`, { parameter: 'limit' });
  }
  const after = parseCount(query.cursor, 'cursor');
  const order = oneOf(query.sort, 'sort', ['asc', 'desc'] as const) ?? 'asc';
  const reads = oneOf(query.reads, 'reads', ['include', 'exclude'] as const);
  const askedForReads = filter.action?.startsWith(READ_RECORDS.slice(0, -1)) === true;
  const excluded = (reads ?? (askedForReads ? 'include' : 'exclude')) === 'exclude';
  return {
    filter: excluded ? { ...filter, excludeActions: [READ_RECORDS] } : filter,
    limit,
    order,
    ...(after !== undefined && { after }),
  };
}

function oneOf<const T extends string>(raw: unknown, name: string, values: readonly T[]): T | undefined {
  const value = singleValue(raw, name);
  if (value === undefined || (values as readonly string[]).includes(value)) return value as T | undefined;
  throw new ApiError(400, 'bad_request', `${name} must be one of ${values.join(', ')}`, { parameter: name });
}

/**
 * The RFC 8288 `Link` to the next page: this request's path and query with `cursor` set, relative (resolved
 * against the request, so a Host header the client sent is never echoed back as an address).
 */
export function nextLink(requestUrl: string, cursor: bigint): string {
  const url = new URL(requestUrl, 'http://ledger.invalid');
  url.searchParams.set('cursor', cursor.toString());
  return `<${url.pathname}${url.search}>; rel="next"`;
}
