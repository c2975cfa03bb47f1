import type { ReadModelStore } from './read-model-store.js';

/** Whether the read model holds an event of `tenant` below leaf `upTo`: whether the tenant exists for a reader. */
export async function tenantHasEvents(readModel: ReadModelStore, tenant: string, upTo: bigint): Promise<boolean> {
  return (await readModel.search({ tenants: [tenant] }, { limit: 1, upTo })).length > 0;
}
