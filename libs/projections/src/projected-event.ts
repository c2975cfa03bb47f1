import type { DetailDocument, Envelope } from '@trailmark/domain';
import type { RecordedEvent } from '@trailmark/event-store';
import { z } from 'zod';
import { SERVER_TIME } from './server-time.js';

/**
 * One identity event as the read models hold it: its leaf (the bytes the Merkle tree hashes), the envelope
 * read from that leaf, and its detail while the store still has it. `leafIndex` is the ledger's own leaf index:
 * the projector counts the identity events of the store's global order exactly as the sequencer does.
 */
export interface ProjectedEvent {
  readonly leafIndex: bigint;
  readonly id: string;
  readonly tenant: string;
  /** Server time, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: fixed width, so text order is time order. */
  readonly time: string;
  readonly envelope: Envelope;
  readonly leaf: Uint8Array;
  readonly detail?: DetailDocument;
}

/** A stored event the projection cannot read: it stops rather than leave a leaf out of every search. */
export class UnreadableEventError extends Error {
  constructor(
    readonly leafIndex: bigint,
    readonly eventId: string,
    cause: Error,
  ) {
    super(`leaf ${leafIndex} (event ${eventId}) cannot be projected: ${cause.message}`, { cause });
  }
}

/**
 * Reads a stored identity event as the leaf `leafIndex`: the leaf must be JSON whose indexed fields (id, tenant,
 * time, action, outcome, reason, actor, targets) have their envelope types, and the metadata JSON whose detail,
 * if any, is an object with string request and correlation ids; otherwise UnreadableEventError.
 *
 * Lighter than the ledger's own reading (parseEnvelope, decodeEventMetadata), which also re-canonicalizes the leaf
 * and checks every field: the ledger refused anything else before it stored the event, a leaf changed since is
 * `trailmark verify`'s to find and every result's inclusion proof's to expose, and the strict reading would slow
 * the catch-up by a quarter.
 */
export function projectEvent(event: RecordedEvent, leafIndex: bigint): ProjectedEvent {
  try {
    const envelope = checked(IndexedEnvelope, JSON.parse(utf8.decode(event.data)), 'leaf') as unknown as Envelope;
    const { detail } = checked(IndexedMetadata, JSON.parse(utf8.decode(event.metadata)), 'metadata');
    return projected(leafIndex, envelope, event.data, detail as DetailDocument | undefined);
  } catch (error) {
    throw new UnreadableEventError(leafIndex, event.id, error as Error);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `value` as `schema` reads it, or an error naming the first field that does not fit. */
function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new TypeError(`${what} ${issue.path.length > 0 ? issue.path.join('.') : 'document'}: ${issue.message}`);
}

// Loose objects: the rest of the envelope and of the detail is kept as it is, unchecked.
const Party = z.looseObject({ type: z.string(), id: z.string() });
const IndexedEnvelope = z.looseObject({
  id: z.string(),
  tenant: z.string().min(1),
  time: z.string().regex(SERVER_TIME),
  action: z.string(),
  outcome: z.string(),
  reason: z.string().optional(),
  actor: Party,
  targets: z.array(Party),
});
const IndexedMetadata = z.looseObject({
  detail: z
    .looseObject({ context: z.looseObject({ requestId: z.string().optional(), correlationId: z.string().optional() }).optional() })
    .optional(),
});

/** A projected event from its parts: its id, tenant and time are the envelope's. */
export function projected(leafIndex: bigint, envelope: Envelope, leaf: Uint8Array, detail: DetailDocument | undefined): ProjectedEvent {
  return { leafIndex, id: envelope.id, tenant: envelope.tenant, time: envelope.time, envelope, leaf, ...(detail !== undefined && { detail }) };
}
