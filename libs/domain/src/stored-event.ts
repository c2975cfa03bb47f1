import { decodeBase64, encodeBase64 } from '@trailmark/proofs';
import { DETAIL_SALT_BYTES, type DetailDocument, type PreparedEvent } from './envelope.js';
import { StoredEventFormatError } from './errors.js';

/**
 * The metadata document stored beside each event's leaf (the event store's
 * `metadata` bytes), as canonical JSON:
 *
 *   {"detail":{...detail document...},"salt":"<base64 of 16 bytes>"}
 *
 * or `{}` for an event without detail. The salt opens the envelope's `detail`
 * commitment: SHA-256(salt || JCS(detail)).
 */

export interface StoredEventMetadata {
  readonly detail?: DetailDocument;
  readonly salt?: Uint8Array;
}

// Composed rather than canonicalized again: the detail is JCS already, the salt a plain ASCII
// string, and the keys are written in JCS order (detail < salt).
export function encodeEventMetadata(event: PreparedEvent): Uint8Array {
  if (!event.detail) return utf8.encode('{}');
  const head = utf8.encode('{"detail":');
  const tail = utf8.encode(`,"salt":"${encodeBase64(event.detail.salt)}"}`);
  const bytes = new Uint8Array(head.length + event.detail.canonical.length + tail.length);
  bytes.set(head, 0);
  bytes.set(event.detail.canonical, head.length);
  bytes.set(tail, head.length + event.detail.canonical.length);
  return bytes;
}

const utf8 = new TextEncoder();

/**
 * Reads a stored metadata document: its JSON and its salt, nothing more. The detail was validated
 * when it was recorded, and its commitment in the leaf says whether it changed since; validating it
 * again on every read would cost each read what recording it cost. Throws StoredEventFormatError.
 */
export function decodeEventMetadata(bytes: Uint8Array): StoredEventMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new StoredEventFormatError(`event metadata is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new StoredEventFormatError('event metadata is malformed: the document is not an object');
  const extra = Object.keys(parsed).find((key) => key !== 'detail' && key !== 'salt');
  if (extra !== undefined) throw new StoredEventFormatError(`event metadata is malformed: unknown field ${JSON.stringify(extra)}`);
  const { detail, salt } = parsed;
  if ((detail === undefined) !== (salt === undefined)) {
    throw new StoredEventFormatError('event metadata has a detail without its salt, or a salt without a detail');
  }
  if (detail === undefined || salt === undefined) return {};
  if (!isObject(detail)) throw new StoredEventFormatError('event metadata is malformed at detail: not an object');
  if (typeof salt !== 'string') throw new StoredEventFormatError('event metadata is malformed at salt: not a string');
  let saltBytes: Uint8Array;
  try {
    saltBytes = decodeBase64(salt);
  } catch (error) {
    throw new StoredEventFormatError(`event metadata salt is not base64: ${(error as Error).message}`);
  }
  if (saltBytes.length !== DETAIL_SALT_BYTES) {
    throw new StoredEventFormatError(`event metadata salt is ${saltBytes.length} bytes, not ${DETAIL_SALT_BYTES}`);
  }
  return { detail: detail as DetailDocument, salt: saltBytes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
