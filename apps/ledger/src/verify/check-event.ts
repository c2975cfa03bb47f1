import {
  decodeEventMetadata,
  detailCommitment,
  parseEnvelope,
  storeEventId,
  streamFor,
  subjectOf,
  type Envelope,
  type StoredEventMetadata,
} from '@trailmark/domain';
import type { StoredEventRow } from './ledger-db-reader.js';

/**
 * What is wrong with one stored identity event on its own, or undefined: its leaf bytes must be the
 * canonical envelope of an event with the store's id, in the stream the envelope belongs in, and the
 * detail stored beside it must open the envelope's detail commitment.
 */
export function checkStoredEvent(event: StoredEventRow): string | undefined {
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(event.data);
  } catch (error) {
    return `its leaf bytes are not a canonical envelope (${messageOf(error)})`;
  }
  // Filed under storeEventId(tenant, id); events stored before ids were per tenant, under the id itself.
  if (event.id !== storeEventId(envelope.tenant, envelope.id) && event.id !== envelope.id) {
    return `its envelope has id ${envelope.id} in tenant ${envelope.tenant}, but the store files it as event ${event.id}`;
  }
  const stream = streamFor(envelope.tenant, subjectOf({ actor: envelope.actor, targets: [...envelope.targets] }));
  if (event.stream !== stream) return `it is stored in stream "${event.stream}", but its envelope belongs in "${stream}"`;

  let metadata: StoredEventMetadata;
  try {
    metadata = decodeEventMetadata(event.metadata);
  } catch (error) {
    return `its stored metadata cannot be read (${messageOf(error)})`;
  }
  if (envelope.detail === undefined) {
    return metadata.detail === undefined ? undefined : 'its stored metadata holds a detail that the envelope does not commit to';
  }
  if (metadata.detail === undefined || metadata.salt === undefined) {
    return 'its envelope commits to a detail, but the stored metadata has no detail';
  }
  const recomputed = detailCommitment(metadata.salt, metadata.detail);
  if (recomputed !== envelope.detail) {
    return `its stored detail does not open the envelope's detail commitment (envelope ${envelope.detail}, recomputed from the stored detail and salt ${recomputed})`;
  }
  return undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
