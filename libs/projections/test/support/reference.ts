// The read models' semantics written the plain way, over the events the test appended: what every query must return.
import type { AccessHolding, EventFilter } from '@trailmark/projections';
import type { KnownEvent } from './identity-events.js';

function partMatches(party: { type: string; id: string }, value: string): boolean {
  return party.id === value || `${party.type}:${party.id}` === value;
}

export function referenceMatches(event: KnownEvent, filter: EventFilter): boolean {
  const { envelope } = event;
  const context = event.detail?.context;
  const action = filter.action;
  const actionIs = (name: string) => (name.endsWith('.*') ? envelope.action.startsWith(name.slice(0, -1)) : envelope.action === name);
  return (
    (filter.tenants === '*' || filter.tenants.includes(envelope.tenant)) &&
    (filter.actor === undefined || partMatches(envelope.actor, filter.actor)) &&
    (action === undefined || actionIs(action)) &&
    !(filter.excludeActions ?? []).some(actionIs) &&
    (filter.target === undefined || envelope.targets.some((target) => partMatches(target, filter.target!))) &&
    (filter.outcome === undefined || envelope.outcome === filter.outcome) &&
    (filter.from === undefined || envelope.time >= filter.from) &&
    (filter.to === undefined || envelope.time <= filter.to) &&
    (filter.requestId === undefined || context?.requestId === filter.requestId) &&
    (filter.correlationId === undefined || context?.correlationId === filter.correlationId) &&
    (filter.text === undefined || (envelope.reason !== undefined && envelope.reason.toLowerCase().includes(filter.text.toLowerCase())))
  );
}

/** Leaf indexes of the matching events, in the order asked for, beyond `after`, below `upTo`, at most `limit`. */
export function referenceSearch(
  events: readonly KnownEvent[],
  filter: EventFilter,
  options: { after?: bigint; upTo?: bigint; limit?: number; order?: 'asc' | 'desc' } = {},
): bigint[] {
  const descending = options.order === 'desc';
  const found = events
    .filter((event) => referenceMatches(event, filter))
    .map((event) => event.leafIndex)
    .filter((leaf) => options.after === undefined || (descending ? leaf < options.after : leaf > options.after))
    .filter((leaf) => options.upTo === undefined || leaf < options.upTo);
  if (descending) found.reverse();
  return found.slice(0, options.limit ?? found.length);
}

/**
 * Who held what at `at`: replay, in leaf order, the successful role.granted and role.revoked events of the tenant
 * whose time is at most `at`. A grant of a held role keeps the first grant; a revoke of a role not held does nothing.
 */
export function referenceAccess(events: readonly KnownEvent[], tenant: string, at: string, role?: string): AccessHolding[] {
  const held = new Map<string, AccessHolding>();
  for (const { envelope, leafIndex } of events) {
    if (envelope.tenant !== tenant || envelope.time > at || envelope.outcome !== 'success') continue;
    if (envelope.action !== 'role.granted' && envelope.action !== 'role.revoked') continue;
    const [subject, ...rest] = envelope.targets;
    for (const target of rest) {
      if (target.type !== 'role' || (role !== undefined && target.id !== role)) continue;
      const key = JSON.stringify([subject!.type, subject!.id, target.id]);
      if (envelope.action === 'role.revoked') held.delete(key);
      else if (!held.has(key)) {
        held.set(key, {
          subject: { type: subject!.type, id: subject!.id },
          role: target.id,
          since: envelope.time,
          granted: { eventId: envelope.id, leafIndex },
        });
      }
    }
  }
  const key = (h: AccessHolding) => [h.role, h.subject.type, h.subject.id].join('\u0000');
  return [...held.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
