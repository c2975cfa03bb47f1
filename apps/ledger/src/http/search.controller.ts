import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { SearchEvents } from '@trailmark/projections';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseEventFilter, parseSearchPage, recordedQuery, type SearchQuery } from './event-query.js';
import { eventPageBody } from './event-page-body.js';

@Controller('v1/events')
export class SearchController {
  constructor(private readonly queryBus: QueryBus) {}

  /**
   * Oldest first from the search read model, only leaves already in the tree (each can be proven); `cursor` =
   * the leaf index to continue after (the previous page's `next`). Recorded as `audit_log.read`.
   */
  @Get()
  @RequiresRole('reader', 'auditor')
  async search(@Query() query: SearchQuery, @CurrentPrincipal() principal: Principal): Promise<object> {
    const request = { endpoint: 'GET /v1/events', query: recordedQuery(query, ['cursor', 'limit']) };
    return eventPageBody(await this.queryBus.execute(new SearchEvents(parseEventFilter(query, principal), parseSearchPage(query), { ...principal, request })));
  }
}
