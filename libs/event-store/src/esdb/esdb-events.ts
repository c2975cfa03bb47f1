import type { EventData as EsdbEventData, RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import type { EventData, RecordedEvent } from '../event-store.js';

/**
 * The client hands back custom metadata that parses as JSON as a parsed object, and re-serialising it does not
 * always give the bytes back (a JSON object's integer-like keys change order). Stored metadata therefore starts
 * with this line, which no JSON text does, so the client returns it untouched and the port's bytes round-trip.
 */
const METADATA_FRAME = new TextEncoder().encode('trailmark-metadata:1\n');

/** Data and metadata go as `application/octet-stream`: the client would otherwise parse and re-serialise them. */
export function toEsdbEvent(event: EventData): EsdbEventData {
  const metadata = new Uint8Array(METADATA_FRAME.length + event.metadata.length);
  metadata.set(METADATA_FRAME, 0);
  metadata.set(event.metadata, METADATA_FRAME.length);
  return { id: event.id, contentType: 'application/octet-stream', type: event.type, data: Uint8Array.from(event.data), metadata };
}

export function fromEsdbEvent(event: EsdbRecordedEvent): RecordedEvent {
  if (event.position === undefined) throw new Error(`EventStoreDB returned event ${event.id} without its position`);
  if (!(event.data instanceof Uint8Array)) {
    throw new Error(`event ${event.id} in stream "${event.streamId}" is JSON, not written through this adapter`);
  }
  return {
    id: event.id,
    type: event.type,
    data: new Uint8Array(event.data),
    metadata: unframeMetadata(event.id, event.metadata),
    stream: event.streamId,
    revision: event.revision,
    position: { commit: event.position.commit, prepare: event.position.prepare },
  };
}

function unframeMetadata(id: string, metadata: unknown): Uint8Array {
  const framed = metadata instanceof Uint8Array && startsWith(metadata, METADATA_FRAME);
  if (!framed) throw new Error(`event ${id} has metadata not written through this adapter`);
  return metadata.slice(METADATA_FRAME.length);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}
