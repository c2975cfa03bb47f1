import { FormatError } from './errors.js';

// Strict UTF-8 both ways. The decoder is fatal (no U+FFFD substitution) and keeps a
// leading byte-order mark, because a signed text must come back byte for byte.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A lone UTF-16 surrogate cannot be encoded as UTF-8 (TextEncoder would silently write U+FFFD). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 bytes of `text`; FormatError if it holds a lone surrogate. */
export function utf8Encode(text: string, what: string): Uint8Array {
  if (LONE_SURROGATE.test(text)) throw new FormatError(`${what} is not valid Unicode (lone surrogate)`);
  return encoder.encode(text);
}

/** Text of strict UTF-8 `bytes`; FormatError if they are not valid UTF-8. */
export function utf8Decode(bytes: Uint8Array, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FormatError(`${what} is not valid UTF-8`);
  }
}
