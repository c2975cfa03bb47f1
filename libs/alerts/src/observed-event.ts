import type { RecordedEvent } from '@trailmark/event-store';

/** A party of the envelope (actor or target). */
export interface Party {
  readonly type: string;
  readonly id: string;
}

/** Where a request came from, as the detail's context tells it (absent once the detail is erased). */
export interface Origin {
  readonly ip?: string;
  readonly userAgent?: string;
  readonly country?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

/**
 * One identity event as the rules see it: the envelope's fields, its leaf index, its server time in milliseconds
 * (what every window is measured on: the client's occurredAt is untrusted) and what the detail says of its origin.
 */
export interface ObservedEvent {
  readonly leafIndex: number;
  readonly id: string;
  readonly tenant: string;
  /** Server time as the envelope spells it. */
  readonly time: string;
  /** The same instant in milliseconds since the epoch. */
  readonly at: number;
  readonly action: string;
  readonly outcome: string;
  readonly reason?: string;
  readonly actor: Party;
  readonly targets: readonly Party[];
  readonly origin: Origin;
  /** The detail's metadata (rowCount of an export, a rule change's settings...), when there is a detail. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A stored event the engine cannot read: it stops rather than judge the log without it. */
export class UnreadableEventError extends Error {
  constructor(leafIndex: number, eventId: string, reason: string) {
    super(`leaf ${leafIndex} (event ${eventId}) cannot be read by the alert engine: ${reason}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a stored identity event. Light like the projector's reading: the ledger validated the event before it
 * stored it, so only the fields the rules use are checked for their types.
 */
export function observeEvent(event: RecordedEvent, leafIndex: number): ObservedEvent {
  let envelope: Record<string, unknown>;
  let stored: Record<string, unknown>;
  try {
    envelope = JSON.parse(utf8.decode(event.data)) as Record<string, unknown>;
    stored = JSON.parse(utf8.decode(event.metadata)) as Record<string, unknown>;
  } catch (error) {
    throw new UnreadableEventError(leafIndex, event.id, (error as Error).message);
  }
  const { id, tenant, time, action, outcome, reason, actor, targets } = envelope;
  const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (typeof id !== 'string' || typeof tenant !== 'string' || typeof action !== 'string' || typeof outcome !== 'string') {
    throw new UnreadableEventError(leafIndex, event.id, 'the envelope lacks its id, tenant, action or outcome');
  }
  if (Number.isNaN(at) || !isParty(actor) || !Array.isArray(targets) || !targets.every(isParty)) {
    throw new UnreadableEventError(leafIndex, event.id, 'the envelope has no readable time, actor or targets');
  }
  const detail = object(stored.detail);
  const context = object(detail?.context);
  const geo = object(context?.geo);
  const origin: Origin = {
    ...(typeof context?.ip === 'string' && { ip: context.ip }),
    ...(typeof context?.userAgent === 'string' && { userAgent: context.userAgent }),
    ...(typeof geo?.country === 'string' && { country: geo.country }),
    ...(typeof geo?.latitude === 'number' && { latitude: geo.latitude }),
    ...(typeof geo?.longitude === 'number' && { longitude: geo.longitude }),
  };
  const metadata = object(detail?.metadata);
  return {
    leafIndex,
    id,
    tenant,
    time: time as string,
    at,
    action,
    outcome,
    ...(typeof reason === 'string' && { reason }),
    actor: { type: actor.type, id: actor.id },
    targets: targets.map((target) => ({ type: target.type, id: target.id })),
    origin,
    ...(metadata !== undefined && { metadata }),
  };
}

function isParty(value: unknown): value is Party {
  const party = object(value);
  return typeof party?.type === 'string' && typeof party.id === 'string';
}

function object(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
