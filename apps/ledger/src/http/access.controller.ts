import { Controller, Get, Param, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { tenantHasEvents } from '@trailmark/projections';
import { RecordRead, tenantsToRecord, tenantAllowed } from '@trailmark/domain';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseTime } from './event-query.js';
import { jsonNumber, singleValue } from './json.js';

@Controller('v1/tenants')
export class AccessController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly core: LedgerCore,
  ) {}

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
    if (!tenantAllowed(principal.tenants, tenant)) {
      throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not read tenant "${tenant}"`, { parameter: 'tenant' });
    }
    const at = parseTime(query.at, 'at');
    if (at === undefined) throw new ApiError(400, 'bad_request', 'at is required: the instant to review, in RFC 3339 UTC', { parameter: 'at' });
    const role = singleValue(query.role, 'role');
    const treeSize = this.core.tree.size;
    await this.core.projector.whenProjected(treeSize);
    const holdings = await this.core.readModel.accessAt(tenant, at, role);
    const tenants = await tenantsToRecord([tenant], principal.tenants, (named) => tenantHasEvents(this.core.readModel, named, treeSize));
    await this.commandBus.execute(new RecordRead(principal.name, 'audit_log.read', tenants, {
      endpoint: 'GET /v1/tenants/{tenant}/access',
      query: { at, ...(role !== undefined && { role }) },
    }));
    return {
      tenant,
      at,
      holdings: holdings.map((holding) => ({
        subject: holding.subject,
        role: holding.role,
        since: holding.since,
        granted: { id: holding.granted.eventId, leafIndex: jsonNumber(holding.granted.leafIndex) },
      })),
    };
  }
}
