import { FormatError } from './errors.js';

// RFC 4648 §4 standard alphabet, always padded. Every format this package reads
// (signed notes, checkpoints, tlog-proof) uses it, and a byte string must have
// exactly one accepted spelling: otherwise two different texts would carry the
// same hash or signature, and a signed note could be re-spelled without breaking
// its signature. So the decoder refuses missing padding, whitespace, the URL-safe
// alphabet, and non-zero bits left over in the last character.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Character code → 6-bit value, or -1 for characters outside the alphabet. */
const VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Standard, padded base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const remaining = bytes.length - i;
    const b0 = bytes[i]!;
    const b1 = remaining > 1 ? bytes[i + 1]! : 0;
    const b2 = remaining > 2 ? bytes[i + 2]! : 0;
    const group = (b0 << 16) | (b1 << 8) | b2;
    out += ALPHABET[(group >> 18) & 63]! + ALPHABET[(group >> 12) & 63]!;
    out += remaining > 1 ? ALPHABET[(group >> 6) & 63]! : '=';
    out += remaining > 2 ? ALPHABET[group & 63]! : '=';
  }
  return out;
}

/**
 * Decodes canonical standard base64: length a multiple of 4, only the standard
 * alphabet, at most two '=' and only at the end, and zero unused bits before the
 * padding (so that encodeBase64(decodeBase64(s)) === s). Throws FormatError.
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new FormatError(`base64 text has length ${text.length}, which is not a multiple of 4`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const dataChars = text.length - padding;
  let bits = 0;
  let bitCount = 0;
  let written = 0;
  for (let i = 0; i < dataChars; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code]! : -1;
    if (value < 0) {
      throw new FormatError(`base64 text has an invalid character ${JSON.stringify(text[i])} at offset ${i}`);
    }
    bits = ((bits << 6) | value) & 0xfff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[written++] = (bits >> bitCount) & 0xff;
    }
  }
  // What is left are the low bits of the last character, which padding says carry nothing.
  if ((bits & ((1 << bitCount) - 1)) !== 0) {
    throw new FormatError('base64 text is not canonical: unused bits before the padding are not zero');
  }
  return out;
}
