import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64 } from './base64.js';
import { FormatError, VerificationError } from './errors.js';
import { utf8Decode, utf8Encode } from './utf8.js';

// C2SP signed-note (c2sp.org/signed-note), read the way Go's
// golang.org/x/mod/sumdb/note Open reads it. A signed note is:
//
//   <text: one or more lines, each ending in "\n">
//   "\n"                                                  (the blank line)
//   "— " <key name> " " base64(key id[4] || signature) "\n"   (one or more)
//
// where "— " is U+2014 EM DASH (bytes E2 80 94) then U+0020. The text is what is
// signed, including its final "\n" but not the blank line. The text may itself hold
// blank lines: the signature block starts after the LAST "\n\n" of the message.
// The whole message must be UTF-8 with no control character below U+0020 other than
// "\n" (so no "\r", no tab; U+007F is allowed, as in Go).

/** Notes larger than this are refused before any parsing. */
export const MAX_NOTE_SIZE = 1024 * 1024;

/** At most this many signature lines are read (Go's limit; C2SP requires at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

/** Signature type byte for Ed25519 in key ids and verifier keys. */
const ED25519_TYPE = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;

export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the 4-byte key id (64 bytes for Ed25519). */
  signature: Uint8Array;
}

export interface OpenedNote {
  text: string;
  verified: NoteSignature[];
  unverified: NoteSignature[];
}

/**
 * Key id of a note key: the first 4 bytes, big-endian, of
 * SHA-256(name || 0x0A || keyBytes), where keyBytes is the signature type byte
 * followed by the public key (0x01 || 32-byte Ed25519 key).
 */
export function noteKeyId(name: string, keyBytes: Uint8Array): number {
  const digest = sha256
    .create()
    .update(utf8Encode(name, 'key name'))
    .update(Uint8Array.of(0x0a))
    .update(keyBytes)
    .digest();
  return new DataView(digest.buffer, digest.byteOffset, KEY_ID_SIZE).getUint32(0, false);
}

/**
 * Key names are non-empty, valid Unicode, and hold no '+' and no Unicode space
 * (the White_Space property, which is exactly what Go's unicode.IsSpace tests;
 * JavaScript's \s differs: it adds U+FEFF and misses U+0085).
 */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\p{White_Space}+]/u.test(name) && !hasLoneSurrogate(name);
}

function hasLoneSurrogate(text: string): boolean {
  try {
    utf8Encode(text, 'key name');
    return false;
  } catch {
    return true;
  }
}

function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/**
 * Parses a verifier key "<name>+<8 hex digits key id>+<base64(0x01 || 32-byte
 * Ed25519 public key)>". The name ends at the first '+', the key id at the second;
 * the rest is base64, which may itself contain '+'. Throws FormatError naming what is off.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const { name, keyId, publicKey } = parseEd25519Vkey(vkey, ED25519_TYPE, 'Ed25519');
  return {
    name,
    keyId,
    verify: (text: Uint8Array, signature: Uint8Array): boolean => verifyEd25519(publicKey, text, signature),
  };
}

/**
 * The parts of a vkey "<name>+<key id>+<base64(type || 32-byte Ed25519 key)>" whose
 * signature type byte is `type` (0x01 for note signatures, 0x04 for cosignature/v1),
 * the key id checked against the name and key bytes. Throws FormatError.
 */
export function parseEd25519Vkey(
  vkey: string,
  type: number,
  typeName: string,
): { name: string; keyId: number; publicKey: Uint8Array } {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) {
    throw new FormatError(`verifier key ${JSON.stringify(vkey)} is not "<name>+<key id>+<key>"`);
  }
  const name = vkey.slice(0, first);
  const keyIdHex = vkey.slice(first + 1, second);
  const keyBase64 = vkey.slice(second + 1);
  if (!isValidKeyName(name)) {
    throw new FormatError(`verifier key name ${JSON.stringify(name)} is empty or holds a space or '+'`);
  }
  // Go parses the id with strconv.ParseUint(s, 16, 32), which takes either case.
  if (!/^[0-9a-fA-F]{8}$/.test(keyIdHex)) {
    throw new FormatError(`verifier key id ${JSON.stringify(keyIdHex)} is not 8 hex digits`);
  }
  const keyId = parseInt(keyIdHex, 16);
  const keyBytes = decodeBase64(keyBase64);
  if (keyBytes.length === 0) throw new FormatError('verifier key has no key bytes');
  const expectedId = noteKeyId(name, keyBytes);
  if (keyId !== expectedId) {
    throw new FormatError(
      `verifier key id ${keyIdHex} does not match its name and key, which give ${formatKeyId(expectedId)}`,
    );
  }
  if (keyBytes[0] !== type) {
    throw new FormatError(`verifier key has signature type ${keyBytes[0]}, only ${type} (${typeName}) is supported`);
  }
  if (keyBytes.length !== 1 + ED25519_PUBLIC_KEY_SIZE) {
    throw new FormatError(
      `Ed25519 verifier key has ${keyBytes.length - 1} key bytes, expected ${ED25519_PUBLIC_KEY_SIZE}`,
    );
  }
  return { name, keyId, publicKey: keyBytes.slice(1) };
}

/** Ed25519 verification as Go's crypto/ed25519 does it; false for anything that does not verify. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
  try {
    // noble's ed25519 defaults to ZIP-215 rules; RFC 8032 strict decoding is what
    // Go's crypto/ed25519 is closest to (canonical S, canonical encodings).
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

const NEWLINE = 0x0a;
/** "— " in UTF-8. */
const SIGNATURE_PREFIX = Uint8Array.of(0xe2, 0x80, 0x94, 0x20);

/**
 * Parses `message` as a signed note and checks its signatures against `verifiers`.
 * - a signature whose (name, key id) matches no verifier goes to `unverified`
 *   (identical unknown lines are listed once);
 * - a signature from a known key that fails → VerificationError, the whole note is
 *   rejected; later signatures from a key that already signed are skipped (as Go);
 * - no signature from a known key → VerificationError;
 * - anything malformed, over MAX_NOTE_SIZE bytes or over MAX_NOTE_SIGNATURES
 *   signature lines → FormatError.
 */
export function openNote(message: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  if (typeof message === 'string' && message.length > MAX_NOTE_SIZE) {
    // Cheap early exit: UTF-8 is never shorter than the UTF-16 code unit count.
    throw new FormatError(`note is larger than ${MAX_NOTE_SIZE} bytes`);
  }
  const bytes = typeof message === 'string' ? utf8Encode(message, 'note') : message;
  if (bytes.length > MAX_NOTE_SIZE) {
    throw new FormatError(`note is ${bytes.length} bytes, larger than the ${MAX_NOTE_SIZE} byte limit`);
  }
  const decoded = utf8Decode(bytes, 'note');
  const control = /[\u0000-\u0009\u000b-\u001f]/.exec(decoded);
  if (control) {
    throw new FormatError(
      `note holds control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')} ` +
        `at character ${control.index}`,
    );
  }

  const split = lastBlankLine(bytes);
  if (split < 0) throw new FormatError('note has no blank line before its signatures');
  const text = bytes.subarray(0, split + 1);
  let block = bytes.subarray(split + 2);
  if (block.length === 0) throw new FormatError('note has no signature lines after the blank line');
  if (block[block.length - 1] !== NEWLINE) throw new FormatError('note does not end with a newline');

  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknownLines = new Set<string>();
  let count = 0;
  while (block.length > 0) {
    const end = block.indexOf(NEWLINE);
    const lineBytes = block.subarray(0, end);
    block = block.subarray(end + 1);
    count++;
    const line = parseSignatureLine(lineBytes, count);
    if (count > MAX_NOTE_SIGNATURES) {
      throw new FormatError(`note has more than ${MAX_NOTE_SIGNATURES} signatures`);
    }

    const matching = verifiers.filter((v) => v.name === line.name && v.keyId === line.keyId);
    const label = `${line.name}+${formatKeyId(line.keyId)}`;
    if (matching.length === 0) {
      if (!seenUnknownLines.has(line.raw)) {
        seenUnknownLines.add(line.raw);
        unverified.push(line.signature);
      }
      continue;
    }
    if (matching.length > 1) {
      throw new VerificationError(`more than one verifier key is named ${label}`);
    }
    if (seenKnown.has(label)) continue;
    seenKnown.add(label);
    if (!matching[0]!.verify(text, line.signature.signature)) {
      throw new VerificationError(`invalid signature by key ${label}`);
    }
    verified.push(line.signature);
  }

  if (verified.length === 0) {
    const signers = unverified.map((s) => `${s.name}+${formatKeyId(s.keyId)}`).join(', ');
    throw new VerificationError(
      `note is not signed by any known key (signed by ${signers}; known: ` +
        `${verifiers.map((v) => `${v.name}+${formatKeyId(v.keyId)}`).join(', ') || 'none'})`,
    );
  }
  return { text: utf8Decode(text, 'note text'), verified, unverified };
}

/** Byte offset of the last "\n\n" in `bytes`, or -1. */
function lastBlankLine(bytes: Uint8Array): number {
  for (let i = bytes.length - 2; i >= 0; i--) {
    if (bytes[i] === NEWLINE && bytes[i + 1] === NEWLINE) return i;
  }
  return -1;
}

interface SignatureLine {
  raw: string;
  name: string;
  keyId: number;
  signature: NoteSignature;
}

/** Parses "— <name> <base64(key id || signature)>" (without its "\n"). */
function parseSignatureLine(lineBytes: Uint8Array, lineNumber: number): SignatureLine {
  const where = `note signature line ${lineNumber}`;
  if (!startsWith(lineBytes, SIGNATURE_PREFIX)) {
    throw new FormatError(`${where} does not start with "— " (U+2014, space)`);
  }
  const raw = utf8Decode(lineBytes.subarray(SIGNATURE_PREFIX.length), where);
  const space = raw.indexOf(' ');
  const name = space < 0 ? raw : raw.slice(0, space);
  const encoded = space < 0 ? '' : raw.slice(space + 1);
  if (!isValidKeyName(name)) {
    throw new FormatError(`${where} has an invalid key name ${JSON.stringify(name)}`);
  }
  if (encoded === '') throw new FormatError(`${where} has no signature`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(encoded);
  } catch (error) {
    throw new FormatError(`${where}: ${(error as Error).message}`);
  }
  if (bytes.length <= KEY_ID_SIZE) {
    throw new FormatError(`${where} has ${bytes.length} signature bytes, need a 4-byte key id and a signature`);
  }
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, KEY_ID_SIZE).getUint32(0, false);
  return { raw, name, keyId, signature: { name, keyId, signature: bytes.slice(KEY_ID_SIZE) } };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}
