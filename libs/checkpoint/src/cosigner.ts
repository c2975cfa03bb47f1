import {
  COSIGNATURE_V1_TYPE,
  cosignedMessage,
  encodeBase64,
  encodeTimestampedSignature,
  noteKeyId,
} from '@trailmark/proofs';
import { formatKeyId, type NoteSigner } from './keys.js';

/** A witness's signing side: cosignature/v1 lines over checkpoints. */
export interface Cosigner {
  name: string;
  /** SHA-256(name || "\n" || 0x04 || public key)[:4] */
  keyId: number;
  /** "<name>+<key id>+base64(0x04 || public key)": what a policy's witness line holds */
  vkey: string;
  /** The signature line "— <name> base64(key id || timestamp || signature)\n" for a checkpoint's note text. */
  cosign(checkpointText: string, timestamp: bigint): string;
}

/**
 * A cosigner from a Go note signer key: the same Ed25519 key, under the cosignature/v1 type
 * (0x04), so the key id differs from the note key's and a cosignature can never pass for the
 * witness signing the checkpoint as a log.
 */
export function cosignerFromSigner(signer: NoteSigner): Cosigner {
  const keyBytes = new Uint8Array(1 + signer.publicKey.length);
  keyBytes[0] = COSIGNATURE_V1_TYPE;
  keyBytes.set(signer.publicKey, 1);
  const keyId = noteKeyId(signer.name, keyBytes) >>> 0;
  return {
    name: signer.name,
    keyId,
    vkey: `${signer.name}+${formatKeyId(keyId)}+${encodeBase64(keyBytes)}`,
    cosign(checkpointText, timestamp) {
      const signature = signer.sign(cosignedMessage(checkpointText, timestamp));
      const timestamped = encodeTimestampedSignature(timestamp, signature);
      const bytes = new Uint8Array(4 + timestamped.length);
      new DataView(bytes.buffer).setUint32(0, keyId);
      bytes.set(timestamped, 4);
      return `\u2014 ${signer.name} ${encodeBase64(bytes)}\n`;
    },
  };
}
