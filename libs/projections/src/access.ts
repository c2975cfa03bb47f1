import type { Envelope } from '@trailmark/domain';

/** A role someone held at an instant, and the event that granted it (its leaf index gives the inclusion proof). */
export interface AccessHolding {
  /** The user or group that held the role: the grant's first target. */
  readonly subject: { readonly type: string; readonly id: string };
  readonly role: string;
  /** Server time of the grant that began this unbroken holding (a grant of a role already held changes nothing). */
  readonly since: string;
  readonly granted: { readonly eventId: string; readonly leafIndex: bigint };
}

/** What one event does to role holdings; the read models store these rows and replay them. */
export interface RoleChange {
  readonly kind: 'granted' | 'revoked';
  readonly subject: { readonly type: string; readonly id: string };
  readonly role: string;
}

/**
 * The role changes an event makes: for a successful role.granted or role.revoked, the subject is the first
 * target (the user or group, as the vocabulary requires) and each further target of type `role` is a role given
 * or taken (normally one; a role named twice counts once). A failed or errored grant changes nothing, nor does any
 * other action.
 */
export function roleChangesOf(envelope: Envelope): RoleChange[] {
  const kind = envelope.action === 'role.granted' ? 'granted' : envelope.action === 'role.revoked' ? 'revoked' : undefined;
  const [subject, ...others] = envelope.targets;
  if (kind === undefined || envelope.outcome !== 'success' || subject === undefined) return [];
  const roles = new Set(others.filter((target) => target.type === 'role').map((target) => target.id));
  return [...roles].map((role) => ({ kind, subject: { type: subject.type, id: subject.id }, role }));
}

/**
 * The order accessAt answers in: by role, then subject type and id, comparing UTF-16 code units. Sorted in
 * JavaScript, not SQL, so that both adapters agree whatever their collations.
 */
export function sortHoldings(holdings: AccessHolding[]): AccessHolding[] {
  const key = (h: AccessHolding) => [h.role, h.subject.type, h.subject.id];
  return holdings.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
}
