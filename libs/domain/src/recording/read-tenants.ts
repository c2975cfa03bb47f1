import type { TenantScope } from './tenant-access.js';

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
