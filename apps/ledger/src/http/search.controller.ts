import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { SearchEvents, type SearchPage } from '@trailmark/projections';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { eventPageBody } from './event-page-body.js';
import { recordedQuery } from './event-query.js';
import { PAGE_PARAMETERS, nextLink, parseSearchQuery, type SearchQuery } from './search-query.js';

@Controller('v1/events')
export class SearchController {
  constructor(private readonly queryBus: QueryBus) {}

  /**
   * By leaf index (`sort`, oldest first by default) from the search read model, only leaves already in the tree
   * (each can be proven); `cursor` = the leaf index to continue after (the previous page's `next`, or the `Link`
   * header's). Recorded as `audit_log.read`; those records are left out unless asked for (search-query.ts).
   */
  @Get()
  @RequiresRole('reader', 'auditor')
  async search(
    @Query() query: SearchQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    const recorded = { endpoint: 'GET /v1/events', query: recordedQuery(query, PAGE_PARAMETERS) };
    const page: SearchPage = await this.queryBus.execute(
      new SearchEvents(parseSearchQuery(query, principal), { ...principal, request: recorded }),
    );
    if (page.follow !== undefined) void reply.header('link', nextLink(request.url, page.follow));
    return eventPageBody(page);
  }
}
