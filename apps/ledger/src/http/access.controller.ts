import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { tenantAllowed } from '@trailmark/domain';
import { ReviewAccess, type AccessHolding } from '@trailmark/projections';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseTime } from './event-query.js';
import { jsonNumber, singleValue } from './json.js';

@Controller('v1/tenants')
export class AccessController {
  constructor(private readonly queryBus: QueryBus) {}

  /**
   * Point-in-time access review: who held which role in the tenant at `at`, each holding with the event that
   * granted it (its id and leaf index: the inclusion proof of `GET /v1/events/{id}/proof` proves it). Only
   * grants and revocations already in the tree count. Recorded as `audit_log.read`.
   */
  @Get(':tenant/access')
  @RequiresRole('auditor')
  async access(
    @Param('tenant') tenant: string,
    @Query() query: { at?: unknown; role?: unknown },
    @CurrentPrincipal() principal: Principal,
  ): Promise<object> {
    const { at, role } = parseAccessReview(tenant, query, principal);
    const request = { endpoint: 'GET /v1/tenants/{tenant}/access', query: { at, ...(role !== undefined && { role }) } };
    const holdings = await this.queryBus.execute(new ReviewAccess(tenant, at, role, { ...principal, request }));
    return { tenant, at, holdings: holdings.map(holdingBody) };
  }
}

function parseAccessReview(tenant: string, query: { at?: unknown; role?: unknown }, principal: Principal): { at: string; role?: string } {
  if (!tenantAllowed(principal.tenants, tenant)) {
    throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not read tenant "${tenant}"`, { parameter: 'tenant' });
  }
  const at = parseTime(query.at, 'at');
  if (at === undefined) throw new ApiError(400, 'bad_request', 'at is required: the instant to review, in RFC 3339 UTC', { parameter: 'at' });
  const role = singleValue(query.role, 'role');
  return { at, ...(role !== undefined && { role }) };
}

function holdingBody(holding: AccessHolding): object {
  return {
    subject: holding.subject,
    role: holding.role,
    since: holding.since,
    granted: { id: holding.granted.eventId, leafIndex: jsonNumber(holding.granted.leafIndex) },
  };
}
