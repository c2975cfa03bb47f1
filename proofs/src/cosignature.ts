import { FormatError, VerificationError } from './errors.js';
import { parseEd25519Vkey, verifyEd25519, type NoteSignature } from './note.js';
import { utf8Encode } from './utf8.js';

// C2SP tlog-cosignature, the Ed25519 type (cosignature/v1): a witness's note signature on a
// checkpoint. Its key id is SHA-256(name || "\n" || 0x04 || public key)[:4], its vkey
// "<name>+<key id>+base64(0x04 || public key)", and the bytes after the key id are
//
//   u64 timestamp (big-endian, POSIX seconds, at most 2^63 - 1) || 64-byte Ed25519 signature
//
// over "cosignature/v1\n" || "time <timestamp>\n" || the checkpoint's note text (the whole body,
// extension lines included, final "\n" included, no signature lines).

/** The signature type byte of Ed25519 cosignature/v1 keys. */
export const COSIGNATURE_V1_TYPE = 0x04;
const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export interface CosignerKey {
  name: string;
  keyId: number;
  /** the raw 32-byte Ed25519 public key */
  publicKey: Uint8Array;
  /** the vkey as given */
  vkey: string;
}

export interface Cosignature {
  name: string;
  keyId: number;
  /** POSIX seconds at which the witness cosigned */
  timestamp: bigint;
  /** the 64-byte Ed25519 signature */
  signature: Uint8Array;
}

/** Parses a cosigner vkey "<name>+<8 hex>+<base64(0x04 || 32-byte key)>". Throws FormatError. */
export function parseCosignerKey(vkey: string): CosignerKey {
  const { name, keyId, publicKey } = parseEd25519Vkey(vkey, COSIGNATURE_V1_TYPE, 'Ed25519 cosignature/v1');
  return { name, keyId, publicKey, vkey };
}

/** The bytes a cosignature/v1 signs for a checkpoint's note text at `timestamp`. */
export function cosignedMessage(checkpointText: string, timestamp: bigint): Uint8Array {
  assertTimestamp(timestamp);
  return utf8Encode(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, 'checkpoint text');
}

/** Splits the bytes after a cosignature line's key id into timestamp and signature. Throws FormatError. */
export function decodeCosignature(signature: NoteSignature): Cosignature {
  const bytes = signature.signature;
  if (bytes.length !== TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE) {
    throw new FormatError(
      `cosignature by ${signature.name} has ${bytes.length} bytes after its key id, want ` +
        `${TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE} (8-byte timestamp, 64-byte Ed25519 signature)`,
    );
  }
  const timestamp = new DataView(bytes.buffer, bytes.byteOffset, TIMESTAMP_SIZE).getBigUint64(0, false);
  if (timestamp > MAX_TIMESTAMP) throw new FormatError(`cosignature by ${signature.name} has a timestamp above 2^63 - 1`);
  return { name: signature.name, keyId: signature.keyId, timestamp, signature: bytes.slice(TIMESTAMP_SIZE) };
}

/** The bytes after the key id of a cosignature line: timestamp || signature. */
export function encodeTimestampedSignature(timestamp: bigint, signature: Uint8Array): Uint8Array {
  assertTimestamp(timestamp);
  const bytes = new Uint8Array(TIMESTAMP_SIZE + signature.length);
  new DataView(bytes.buffer).setBigUint64(0, timestamp, false);
  bytes.set(signature, TIMESTAMP_SIZE);
  return bytes;
}

/**
 * Checks a note signature that names `cosigner` (same name and key id) as a cosignature/v1 of
 * `checkpointText`. Returns it decoded; throws VerificationError when it does not verify.
 */
export function verifyCosignature(cosigner: CosignerKey, checkpointText: string, signature: NoteSignature): Cosignature {
  if (signature.name !== cosigner.name || signature.keyId !== cosigner.keyId) {
    throw new VerificationError(`the signature is by ${signature.name}, not by the cosigner ${cosigner.name}`);
  }
  const cosignature = decodeCosignature(signature);
  const message = cosignedMessage(checkpointText, cosignature.timestamp);
  if (!verifyEd25519(cosigner.publicKey, message, cosignature.signature)) {
    throw new VerificationError(`invalid cosignature by witness ${cosigner.name} (time ${cosignature.timestamp})`);
  }
  return cosignature;
}

function assertTimestamp(timestamp: bigint): void {
  if (timestamp < 0n || timestamp > MAX_TIMESTAMP) {
    throw new FormatError(`cosignature timestamp ${timestamp} is not from 0 to 2^63 - 1`);
  }
}
