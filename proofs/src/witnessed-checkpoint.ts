import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { verifyCosignature, type Cosignature } from './cosignature.js';
import { VerificationError } from './errors.js';
import { openNote, parseVerifierKey, type NoteVerifier } from './note.js';
import { describeQuorum, quorumMet, type WitnessPolicy } from './witness-policy.js';

export interface WitnessedCheckpoint {
  checkpoint: Checkpoint;
  /** the valid cosignatures by the policy's witnesses, keyed by the policy's witness name */
  cosignatures: Map<string, Cosignature>;
}

/**
 * Opens a signed checkpoint with the log's key, then checks the cosignature/v1 lines of the
 * policy's witnesses on it (lines by other keys are ignored) and that they meet the quorum.
 * A line that names a policy witness but does not verify is a VerificationError, as a bad
 * signature by a known key is for a note. Throws VerificationError (with the witnesses that
 * cosigned and the quorum) when the quorum is not met, or when the policy lists logs and the
 * key is not one of them.
 */
export function openWitnessedCheckpoint(
  note: string | Uint8Array,
  logKey: string | NoteVerifier,
  policy: WitnessPolicy,
): WitnessedCheckpoint {
  const verifier = typeof logKey === 'string' ? parseVerifierKey(logKey) : logKey;
  // A policy that lists logs accepts only checkpoints of those logs (an empty list: the key alone decides).
  if (policy.logs.length > 0 && !policy.logs.some((log) => log.verifier.name === verifier.name && log.verifier.keyId === verifier.keyId)) {
    throw new VerificationError(`the log key ${verifier.name} is not one of the policy's logs`);
  }
  const checkpoint = openCheckpoint(note, verifier);
  const cosignatures = verifyPolicyCosignatures(note, verifier, policy);
  if (!quorumMet(policy.quorum, new Set(cosignatures.keys()))) {
    const cosigned = [...cosignatures.keys()];
    throw new VerificationError(
      `checkpoint of size ${checkpoint.size} does not meet the witness quorum ${describeQuorum(policy.quorum)}: ` +
        (cosigned.length === 0 ? 'no witness of the policy cosigned it' : `cosigned only by ${cosigned.join(', ')}`),
    );
  }
  return { checkpoint, cosignatures };
}

/** The valid cosignatures of the policy's witnesses on a signed checkpoint, quorum or not. */
export function verifyPolicyCosignatures(
  note: string | Uint8Array,
  logKey: string | NoteVerifier,
  policy: WitnessPolicy,
): Map<string, Cosignature> {
  const verifier = typeof logKey === 'string' ? parseVerifierKey(logKey) : logKey;
  const { text, unverified } = openNote(note, [verifier]);
  const cosignatures = new Map<string, Cosignature>();
  for (const witness of policy.witnesses) {
    const line = unverified.find((signature) => signature.name === witness.key.name && signature.keyId === witness.key.keyId);
    if (line === undefined) continue;
    try {
      cosignatures.set(witness.name, verifyCosignature(witness.key, text, line));
    } catch (error) {
      throw new VerificationError(`witness ${witness.name}: ${(error as Error).message}`);
    }
  }
  return cosignatures;
}
