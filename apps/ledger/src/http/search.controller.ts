import { Controller, Get, Query } from '@nestjs/common';
import { ACTION_NAMES, tenantAllowed } from '@trailmark/domain';
import { LedgerCore } from '../core/ledger-core.js';
import { searchEvents, type EventFilter } from '../core/event-search.js';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { jsonNumber, parseCount, singleValue } from './json.js';

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 1000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const OUTCOMES = ['success', 'failure', 'error'];

const FILTERS = ['tenant', 'actor', 'action', 'target', 'outcome', 'from', 'to'] as const;
type SearchQuery = Partial<Record<(typeof FILTERS)[number] | 'cursor' | 'limit', unknown>>;

@Controller('v1/events')
export class SearchController {
  constructor(private readonly core: LedgerCore) {}

  /** Oldest first, `cursor` = the leaf index to continue after (the previous page's `next`). */
  @Get()
  @RequiresRole('reader', 'auditor')
  async search(@Query() query: SearchQuery, @CurrentPrincipal() principal: Principal): Promise<object> {
    const filter = parseFilter(query, principal);
    const limit = Number(parseCount(query.limit, 'limit') ?? BigInt(DEFAULT_SEARCH_LIMIT));
    if (limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new ApiError(400, 'bad_request', `limit must be from 1 to ${MAX_SEARCH_LIMIT}`, { parameter: 'limit' });
    }
    const page = await searchEvents(this.core.store, this.core.index, filter, parseCount(query.cursor, 'cursor'), limit);
    return {
      events: page.events.map(({ leafIndex, event }) => ({ leafIndex: jsonNumber(leafIndex), event })),
      next: page.next === undefined ? null : jsonNumber(page.next),
    };
  }
}

function parseFilter(query: SearchQuery, principal: Principal): EventFilter {
  const [tenant, actor, action, target, outcome, from, to] = FILTERS.map((name) => singleValue(query[name], name));
  if (tenant === undefined && principal.tenants !== '*') {
    throw new ApiError(400, 'bad_request', 'tenant is required for a token scoped to tenants', { parameter: 'tenant' });
  }
  if (tenant !== undefined && !tenantAllowed(principal.tenants, tenant)) {
    throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not read tenant "${tenant}"`, { parameter: 'tenant' });
  }
  if (action !== undefined && !ACTION_NAMES.some((name) => (action.endsWith('.*') ? name.startsWith(action.slice(0, -1)) : name === action))) {
    throw new ApiError(400, 'bad_request', `action "${action}" matches no action of the vocabulary`, { parameter: 'action' });
  }
  if (outcome !== undefined && !OUTCOMES.includes(outcome)) {
    throw new ApiError(400, 'bad_request', `outcome must be one of ${OUTCOMES.join(', ')}`, { parameter: 'outcome' });
  }
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !RFC3339.test(value)) {
      throw new ApiError(400, 'bad_request', `${name} must be an RFC 3339 UTC time such as 2026-01-31T12:00:00Z`, { parameter: name });
    }
  }
  return { tenant, actor, action, target, outcome, from: from && normalizeTime(from), to: to && normalizeTime(to) };
}

/** Envelope times carry exactly six fractional digits; compare like with like. */
function normalizeTime(time: string): string {
  const [whole, fraction = ''] = time.slice(0, -1).split('.');
  return `${whole}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}
