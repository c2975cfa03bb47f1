import { ed25519 } from '@noble/curves/ed25519.js';
import { decodeBase64, encodeBase64, FormatError, noteKeyId } from '@trailmark/proofs';
import { assertValidKeyName } from './key-name.js';

// Key strings are those of Go's golang.org/x/mod/sumdb/note (and C2SP signed-note):
//   signer key   "PRIVATE+KEY+<name>+<key id: 8 hex>+<base64(0x01 || 32-byte Ed25519 seed)>"
//   verifier key "<name>+<key id: 8 hex>+<base64(0x01 || 32-byte Ed25519 public key)>"
// key id = first 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key).
const ED25519_ALGORITHM = 0x01;
const ED25519_KEY_SIZE = 32;
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
const KEY_ID_HEX = /^[0-9a-fA-F]{8}$/; // Go parses it with strconv.ParseUint(s, 16, 32): either case

export interface NoteSigner {
  name: string;
  keyId: number;
  /** the raw 32-byte Ed25519 public key (without the 0x01 algorithm byte) */
  publicKey: Uint8Array;
  /** the 64-byte Ed25519 signature of text */
  sign(text: Uint8Array): Uint8Array;
}

export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  assertValidKeyName(name, 'key name');
  const seed = ed25519.utils.randomSecretKey();
  const signer = signerFromSeed(name, seed);
  const signerKey = `${SIGNER_KEY_PREFIX}${name}+${formatKeyId(signer.keyId)}+${encodeBase64(withAlgorithm(seed))}`;
  return { signerKey, verifierKey: verifierKeyFor(signer) };
}

export function parseSignerKey(skey: string): NoteSigner {
  if (!skey.startsWith(SIGNER_KEY_PREFIX)) {
    throw new FormatError(`signer key does not start with "${SIGNER_KEY_PREFIX}"`);
  }
  const [name, keyIdHex, keyBase64] = splitKeyString(skey.slice(SIGNER_KEY_PREFIX.length));
  assertValidKeyName(name, 'signer key name');
  const keyId = parseKeyId(keyIdHex);
  const seed = parseSeed(keyBase64);
  // The key id hashes the public key, so it can only be checked once the seed gives it.
  const signer = signerFromSeed(name, seed);
  if (signer.keyId !== keyId) {
    throw new FormatError(
      `signer key id ${keyIdHex} does not match its key: ${name} with that seed has key id ${formatKeyId(signer.keyId)}`,
    );
  }
  return signer;
}

export function verifierKeyFor(signer: NoteSigner): string {
  return `${signer.name}+${formatKeyId(signer.keyId)}+${encodeBase64(withAlgorithm(signer.publicKey))}`;
}

export function formatKeyId(keyId: number): string {
  return (keyId >>> 0).toString(16).padStart(8, '0');
}

function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  const publicKey = ed25519.getPublicKey(seed);
  return {
    name,
    keyId: noteKeyId(name, withAlgorithm(publicKey)) >>> 0,
    publicKey,
    sign: (text) => ed25519.sign(text, seed),
  };
}

// "<name>+<key id>+<key data>": the name and key id cannot hold '+', the base64 key data can.
function splitKeyString(rest: string): [string, string, string] {
  const firstPlus = rest.indexOf('+');
  const secondPlus = firstPlus < 0 ? -1 : rest.indexOf('+', firstPlus + 1);
  if (secondPlus < 0) throw new FormatError('signer key is not "PRIVATE+KEY+<name>+<key id>+<key data>"');
  return [rest.slice(0, firstPlus), rest.slice(firstPlus + 1, secondPlus), rest.slice(secondPlus + 1)];
}

function parseKeyId(hex: string): number {
  if (!KEY_ID_HEX.test(hex)) throw new FormatError(`signer key id ${JSON.stringify(hex)} is not 8 hex digits`);
  return Number.parseInt(hex, 16);
}

function parseSeed(keyBase64: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(keyBase64);
  } catch (error) {
    throw new FormatError(`signer key data: ${(error as Error).message}`);
  }
  if (bytes.length === 0) throw new FormatError(`signer key data is empty`);
  if (bytes[0] !== ED25519_ALGORITHM) {
    throw new FormatError(`signer key algorithm 0x${bytes[0]!.toString(16).padStart(2, '0')} is not Ed25519 (0x01)`);
  }
  if (bytes.length !== 1 + ED25519_KEY_SIZE) {
    throw new FormatError(`signer key Ed25519 seed is ${bytes.length - 1} bytes, want ${ED25519_KEY_SIZE}`);
  }
  return bytes.subarray(1);
}

function withAlgorithm(key: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(1 + key.length);
  bytes[0] = ED25519_ALGORITHM;
  bytes.set(key, 1);
  return bytes;
}
