import type { EventRecorder } from '@trailmark/domain';

export type ReadAction = 'audit_log.read' | 'audit_log.exported';

/** Who read the log, from the token they presented. */
export interface Reader {
  readonly name: string;
}

/**
 * Reads of the log are events of the log: each search, export and access review is recorded as `audit_log.read`
 * or `audit_log.exported` in every tenant it read, with the token's name as actor and the query in the detail
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
