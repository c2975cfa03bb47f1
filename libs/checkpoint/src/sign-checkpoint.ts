import { formatCheckpoint, type Checkpoint } from '@trailmark/proofs';
import type { NoteSigner } from './keys.js';
import { signNote } from './signed-note.js';

// C2SP tlog-checkpoint: the log signs the checkpoint body with a key named after its origin,
// so a verifier can tell which log a checkpoint speaks for from the key alone.
// formatCheckpoint refuses (FormatError) a body that openers would refuse or misread.
export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  if (signer.name !== c.origin) {
    throw new Error(
      `checkpoint origin ${JSON.stringify(c.origin)} differs from the signing key name ${JSON.stringify(signer.name)}; a log's key must be named after its origin`,
    );
  }
  return signNote(formatCheckpoint(c), [signer]);
}
