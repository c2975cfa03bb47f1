import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { searchPage } from '@trailmark/projections';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LedgerCore } from '../core/ledger-core.js';
import { recordRead, tenantHasEvents, tenantsToRecord } from '../core/read-audit.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { recordedQuery } from './event-query.js';
import { jsonNumber } from './json.js';
import { PAGE_PARAMETERS, nextLink, parseSearchQuery, type SearchQuery } from './search-query.js';

@Controller('v1/events')
export class SearchController {
  constructor(private readonly core: LedgerCore) {}

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
    const { filter, ...page } = parseSearchQuery(query, principal);
    // What is in the tree is searchable: the projector follows the same order, usually a moment behind.
    const treeSize = this.core.tree.size;
    await this.core.projector.whenProjected(treeSize);
    const { events, next, follow } = await searchPage(this.core.readModel, { filter, ...page, upTo: treeSize });
    const tenants =
      filter.tenants === '*'
        ? [...new Set(events.map((event) => event.tenant))]
        : await tenantsToRecord(filter.tenants, principal.tenants, (tenant) => tenantHasEvents(this.core.readModel, tenant, treeSize));
    await recordRead(this.core.recorder, principal, 'audit_log.read', tenants, {
      endpoint: 'GET /v1/events',
      query: recordedQuery(query, PAGE_PARAMETERS),
    });
    if (follow !== undefined) void reply.header('link', nextLink(request.url, follow));
    return {
      events: events.map(({ leafIndex, envelope }) => ({ leafIndex: jsonNumber(leafIndex), event: envelope })),
      next: next === null ? null : jsonNumber(next),
    };
  }
}
