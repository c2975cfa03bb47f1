import type { Principal } from '../auth/credentials.js';

/** An admin asks for a read-only token for one tenant (handled by MintViewerTokenHandler). `body` is unvalidated. */
export class MintViewerToken {
  constructor(
    readonly admin: Principal,
    readonly tenant: string,
    readonly body: unknown,
  ) {}
}
