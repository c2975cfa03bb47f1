import { encodeBase64 } from './base64.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { VerificationError } from './errors.js';
import { equalHashes, hashLeaf } from './hash.js';
import { rootFromInclusionProof } from './inclusion.js';
import type { NoteVerifier } from './note.js';
import { parseTlogProof } from './tlog-proof.js';

/**
 * Verifies that `leaf` (the exact leaf bytes) is in the log, given its tlog-proof
 * and the log's verifier key, following c2sp.org/tlog-proof "Verifying a tlog proof":
 * the checkpoint must be signed by that key with origin equal to the key's name,
 * and the inclusion proof must lead from SHA-256(0x00 || leaf) at the proof's index
 * to the checkpoint's root at the checkpoint's size. Witness cosignatures are not
 * required (they are listed as unknown signatures). The `extra` line is ignored.
 * Throws VerificationError or FormatError saying what failed.
 */
export function verifyReceipt(
  leaf: Uint8Array,
  tlogProof: string,
  verifierKey: string | NoteVerifier,
): { checkpoint: Checkpoint; index: bigint } {
  const { index, proof, checkpoint: note } = parseTlogProof(tlogProof);
  const checkpoint = openCheckpoint(note, verifierKey);
  const computed = rootFromInclusionProof(index, checkpoint.size, hashLeaf(leaf), proof);
  if (!equalHashes(computed, checkpoint.root)) {
    throw new VerificationError(
      `computed root ${encodeBase64(computed)} does not match checkpoint root ${encodeBase64(checkpoint.root)} ` +
        `(leaf index ${index}, tree size ${checkpoint.size}): the leaf or the proof is not the one the log holds`,
    );
  }
  return { checkpoint, index };
}
