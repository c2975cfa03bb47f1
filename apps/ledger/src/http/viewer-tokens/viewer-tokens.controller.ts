import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '../auth/credentials.js';
import { CurrentPrincipal } from '../auth/principal.decorator.js';
import { RequiresRole } from '../auth/requires-role.decorator.js';
import { MintViewerToken } from './mint-viewer-token.command.js';
import type { MintedViewerToken } from './mint-viewer-token.handler.js';

/** Short-lived read-only tokens for the console (README: Console). */
@Controller('v1/tenants/:tenant/viewer-tokens')
export class ViewerTokensController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @RequiresRole('admin')
  mint(@Param('tenant') tenant: string, @Body() body: unknown, @CurrentPrincipal() admin: Principal): Promise<MintedViewerToken> {
    return this.commandBus.execute(new MintViewerToken(admin, tenant, body));
  }
}
