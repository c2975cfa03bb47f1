import type { ReadRequest, TenantScope } from '@trailmark/domain';

/** Who reads (the token's name and tenant scope) and what they asked, as the audit of the read records it. */
export interface Reader {
  readonly name: string;
  readonly tenants: TenantScope;
  readonly request: ReadRequest;
}
