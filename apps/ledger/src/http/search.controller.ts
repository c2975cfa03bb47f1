import { Controller, Get, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { tenantHasEvents } from '@trailmark/projections';
import { RecordRead, tenantsToRecord } from '@trailmark/domain';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseEventFilter, recordedQuery, type FilterQuery } from './event-query.js';
import { jsonNumber, parseCount } from './json.js';

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 1000;

type SearchQuery = FilterQuery & { cursor?: unknown; limit?: unknown };

@Controller('v1/events')
export class SearchController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly core: LedgerCore,
  ) {}

  /**
   * Oldest first from the search read model, only leaves already in the tree (each can be proven); `cursor` =
   * the leaf index to continue after (the previous page's `next`). Recorded as `audit_log.read`.
   */
  @Get()
  @RequiresRole('reader', 'auditor')
  async search(@Query() query: SearchQuery, @CurrentPrincipal() principal: Principal): Promise<object> {
    const filter = parseEventFilter(query, principal);
    const limit = Number(parseCount(query.limit, 'limit') ?? BigInt(DEFAULT_SEARCH_LIMIT));
    if (limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new ApiError(400, 'bad_request', `limit must be from 1 to ${MAX_SEARCH_LIMIT}`, { parameter: 'limit' });
    }
    const cursor = parseCount(query.cursor, 'cursor');
    // What is in the tree is searchable: the projector follows the same order, usually a moment behind.
    const treeSize = this.core.tree.size;
    await this.core.projector.whenProjected(treeSize);
    const events = await this.core.readModel.search(filter, { limit, upTo: treeSize, ...(cursor !== undefined && { after: cursor }) });
    const tenants =
      filter.tenants === '*'
        ? [...new Set(events.map((event) => event.tenant))]
        : await tenantsToRecord(filter.tenants, principal.tenants, (tenant) => tenantHasEvents(this.core.readModel, tenant, treeSize));
    await this.commandBus.execute(new RecordRead(principal.name, 'audit_log.read', tenants, {
      endpoint: 'GET /v1/events',
      query: recordedQuery(query, ['cursor', 'limit']),
    }));
    return {
      events: events.map(({ leafIndex, envelope }) => ({ leafIndex: jsonNumber(leafIndex), event: envelope })),
      next: events.length === limit ? jsonNumber(events[events.length - 1]!.leafIndex) : null,
    };
  }
}
