import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { tenantAllowed } from '@trailmark/domain';
import { OutboundAddressError, StreamRequestError } from '@trailmark/streams';
import { LedgerCore } from '../core/ledger-core.js';
import { StreamNotFoundError } from '../core/ledger-streams.js';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';

/** Log streams of a tenant (README: Log streams). Admins manage them; readers and auditors may look. */
@Controller('v1/tenants/:tenant/streams')
export class StreamsController {
  constructor(private readonly core: LedgerCore) {}

  @Get()
  @RequiresRole('reader', 'auditor')
  list(@Param('tenant') tenant: string, @CurrentPrincipal() principal: Principal): object {
    allowed(principal, tenant);
    return { streams: this.core.streams.list(tenant) };
  }

  @Post()
  @RequiresRole('admin')
  create(@Param('tenant') tenant: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<object> {
    allowed(principal, tenant);
    return answer(() => this.core.streams.create(principal, tenant, body));
  }

  @Get(':id')
  @RequiresRole('reader', 'auditor')
  get(@Param('tenant') tenant: string, @Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<object> {
    allowed(principal, tenant);
    return answer(async () => this.core.streams.get(tenant, id));
  }

  @Patch(':id')
  @RequiresRole('admin')
  change(@Param('tenant') tenant: string, @Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<object> {
    allowed(principal, tenant);
    return answer(() => this.core.streams.change(principal, tenant, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequiresRole('admin')
  async remove(@Param('tenant') tenant: string, @Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    allowed(principal, tenant);
    await answer(() => this.core.streams.remove(principal, tenant, id));
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequiresRole('admin')
  test(@Param('tenant') tenant: string, @Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<object> {
    allowed(principal, tenant);
    return answer(() => this.core.streams.test(principal, tenant, id));
  }

  @Post(':id/replay')
  @HttpCode(200)
  @RequiresRole('admin')
  replay(
    @Param('tenant') tenant: string,
    @Param('id') id: string,
    @Query('from') from: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<object> {
    allowed(principal, tenant);
    if (typeof from !== 'string' || !/^\d{1,15}$/.test(from)) {
      throw new ApiError(400, 'bad_request', 'from must be a leaf index (a whole number)', { parameter: 'from' });
    }
    return answer(() => this.core.streams.replay(principal, tenant, id, BigInt(from)));
  }
}

function allowed(principal: Principal, tenant: string): void {
  if (!tenantAllowed(principal.tenants, tenant)) {
    throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not use tenant "${tenant}"`, { parameter: 'tenant' });
  }
}

/** The streams' own errors as API errors: bad requests name their field, an unknown stream is a 404. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StreamRequestError || error instanceof OutboundAddressError) {
      throw new ApiError(400, 'bad_request', error.message, { field: error.field });
    }
    if (error instanceof RangeError) throw new ApiError(400, 'bad_request', error.message, { field: error.message.split(' ')[0] });
    if (error instanceof StreamNotFoundError) throw new ApiError(404, 'not_found', error.message);
    throw error;
  }
}
