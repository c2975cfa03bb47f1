import type { EventRecorder, TenantScope } from '@trailmark/domain';
import type { ReadModelStore } from '@trailmark/projections';

export type ReadAction = 'audit_log.read' | 'audit_log.exported';

/** Who read the log, from the token they presented. */
export interface Reader {
  readonly name: string;
}

/**
 * Reads of the log are events of the log: each search, export, access review and read of one event (or its proof)
 * is recorded as `audit_log.read` or `audit_log.exported` in every tenant it read, before the data is sent, with the token's name as actor and the query in the detail
 * (salted, like any detail). One batch, so a read spanning tenants is recorded in all of them or in none.
 */
export async function recordRead(
  recorder: EventRecorder,
  reader: Reader,
  action: ReadAction,
  tenants: readonly string[],
  what: { readonly endpoint: string; readonly query: Record<string, string> },
): Promise<void> {
  if (tenants.length === 0) return;
  const bodies = tenants.map((tenant) => ({
    tenant,
    action,
    outcome: 'success',
    actor: { type: 'api_key', id: reader.name },
    targets: [{ type: 'audit_log', id: tenant }],
    metadata: { endpoint: what.endpoint, query: what.query },
  }));
  await recorder.recordForService(bodies, (i) => `reads[${i}]`);
}

/**
 * The tenants a read that named them is recorded in: those the token's scope names, and those the log holds events
 * of. A tenant named by an all-tenant token that has no event is no tenant, so the read is recorded in no made-up one.
 */
export async function tenantsToRecord(
  named: readonly string[],
  scope: TenantScope,
  hasEvents: (tenant: string) => Promise<boolean>,
): Promise<string[]> {
  const kept = await Promise.all(named.map(async (tenant) => (scope !== '*' && scope.includes(tenant)) || (await hasEvents(tenant))));
  return named.filter((_, i) => kept[i]);
}

/**
 * An all-tenant export learns whom it read as it reads: `toChunks` turns the events into the chunks sent, and each
 * chunk is passed on only once every tenant among its events is recorded (`record` with the tenants not recorded
 * yet). So no event's data leaves before its tenant holds the read, however early the client hangs up.
 */
export async function* recordedBeforeSent<E extends { readonly tenant: string }>(
  events: AsyncIterable<E>,
  toChunks: (events: AsyncIterable<E>) => AsyncIterable<string>,
  record: (tenants: readonly string[]) => Promise<void>,
): AsyncGenerator<string> {
  const seen = new Set<string>();
  const recorded = new Set<string>();
  async function* noting(): AsyncGenerator<E> {
    for await (const event of events) {
      seen.add(event.tenant);
      yield event;
    }
  }
  for await (const chunk of toChunks(noting())) {
    const fresh = [...seen].filter((tenant) => !recorded.has(tenant));
    if (fresh.length > 0) {
      await record(fresh);
      for (const tenant of fresh) recorded.add(tenant);
    }
    yield chunk;
  }
}

/** Whether the read model holds an event of `tenant` below leaf `upTo`: whether the tenant exists for a reader. */
export async function tenantHasEvents(readModel: ReadModelStore, tenant: string, upTo: bigint): Promise<boolean> {
  return (await readModel.search({ tenants: [tenant] }, { limit: 1, upTo })).length > 0;
}
