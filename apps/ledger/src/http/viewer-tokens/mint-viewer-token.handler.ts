import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { tenantAllowed } from '@trailmark/domain';
import { LedgerCore } from '../../core/ledger-core.js';
import { ApiError } from '../api-error.js';
import { Credentials } from '../auth/credentials.js';
import { MintViewerToken } from './mint-viewer-token.command.js';
import { parseViewerTokenRequest } from './viewer-token-request.js';

export interface MintedViewerToken {
  readonly token: string;
  readonly tokenId: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  readonly expiresAt: string;
}

/**
 * Mints a viewer token. A credential handed out is data leaving: the minting is recorded in the tenant's log
 * (`audit_log.viewer_token.issued`, the admin as actor, the token's id and expiry in the detail, never the token)
 * before the token exists, so no token is ever live without its event.
 */
@CommandHandler(MintViewerToken)
export class MintViewerTokenHandler implements ICommandHandler<MintViewerToken, MintedViewerToken> {
  constructor(
    private readonly core: LedgerCore,
    private readonly credentials: Credentials,
  ) {}

  async execute({ admin, tenant, body }: MintViewerToken): Promise<MintedViewerToken> {
    if (!tenantAllowed(admin.tenants, tenant)) {
      throw new ApiError(403, 'forbidden', `the token "${admin.name}" may not use tenant "${tenant}"`, { parameter: 'tenant' });
    }
    const { ttlSeconds } = parseViewerTokenRequest(body);
    const issued = this.credentials.viewerTokens.reserve(tenant, ttlSeconds);
    await this.core.recorder.recordForService(
      [
        {
          tenant,
          action: 'audit_log.viewer_token.issued',
          outcome: 'success',
          actor: { type: 'api_key', id: admin.name },
          targets: [{ type: 'audit_log', id: tenant }],
          metadata: { tokenId: issued.tokenId, principal: issued.principal.name, ttlSeconds, expiresAt: issued.expiresAt.toISOString() },
        },
      ],
      () => 'viewerToken',
    );
    this.credentials.viewerTokens.activate(issued);
    return {
      token: issued.token,
      tokenId: issued.tokenId,
      tenant,
      roles: [...issued.principal.roles],
      expiresAt: issued.expiresAt.toISOString(),
    };
  }
}
