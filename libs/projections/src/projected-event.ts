import { decodeEventMetadata, parseEnvelope, type DetailDocument, type Envelope } from '@trailmark/domain';
import type { RecordedEvent } from '@trailmark/event-store';

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
 * Reads a stored identity event as the leaf `leafIndex`. The leaf must be a canonical envelope and the metadata
 * a valid detail document (the same checks the ledger makes when it reads events back); otherwise
 * UnreadableEventError.
 */
export function projectEvent(event: RecordedEvent, leafIndex: bigint): ProjectedEvent {
  try {
    return projected(leafIndex, parseEnvelope(event.data), event.data, decodeEventMetadata(event.metadata).detail);
  } catch (error) {
    throw new UnreadableEventError(leafIndex, event.id, error as Error);
  }
}

/** A projected event from its parts: its id, tenant and time are the envelope's. */
export function projected(leafIndex: bigint, envelope: Envelope, leaf: Uint8Array, detail: DetailDocument | undefined): ProjectedEvent {
  return { leafIndex, id: envelope.id, tenant: envelope.tenant, time: envelope.time, envelope, leaf, ...(detail !== undefined && { detail }) };
}
