/** The tenants a caller may write or read: a list, or every tenant. */
export type TenantScope = readonly string[] | '*';

export function tenantAllowed(scope: TenantScope, tenant: string): boolean {
  return scope === '*' || scope.includes(tenant);
}

export class TenantNotAllowedError extends Error {
  constructor(
    readonly tenant: string,
    readonly field: string,
  ) {
    super(`the credentials may not write events for tenant "${tenant}"`);
  }
}
