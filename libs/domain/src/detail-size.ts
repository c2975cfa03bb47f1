import canonicalize from 'canonicalize';
import { DetailTooLargeError } from './errors.js';

/**
 * The detail document's limit, as canonical JSON (RFC 8785): 64 KiB. The detail is stored beside the
 * leaf and read back whole with it, so its size bounds what one read of an event costs.
 */
export const MAX_DETAIL_BYTES = 65_536;

const DETAIL_PARTS = ['context', 'changes', 'metadata', 'occurredAt'] as const;
type DetailParts = Partial<Record<(typeof DETAIL_PARTS)[number], unknown>>;

const utf8 = new TextEncoder();

function canonicalBytes(value: unknown): number {
  return utf8.encode(canonicalize(value) ?? '').length;
}

/**
 * Throws DetailTooLargeError when the detail of a validated input (the document envelope.ts commits to)
 * exceeds MAX_DETAIL_BYTES; the error names the largest part, prefixed by `pathPrefix` ("events[3]").
 */
export function checkDetailSize(input: DetailParts, pathPrefix: string): void {
  const present = DETAIL_PARTS.filter((part) => input[part] !== undefined);
  if (present.length === 0) return;
  const bytes = canonicalBytes(Object.fromEntries(present.map((part) => [part, input[part]])));
  if (bytes <= MAX_DETAIL_BYTES) return;
  const sizes = present.map((part) => ({ part, bytes: canonicalBytes(input[part]) }));
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a)).part;
  throw new DetailTooLargeError(pathPrefix === '' ? largest : `${pathPrefix}.${largest}`, bytes, MAX_DETAIL_BYTES);
}
