// trailmark-verify --policy FILE: the witness quorum a checkpoint must meet, besides the log's key.
import { readFileSync } from 'node:fs';
import { FormatError, VerificationError, describeQuorum, openWitnessedCheckpoint, parseWitnessPolicy, type NoteVerifier, type WitnessPolicy } from '@trailmark/proofs';

export const POLICY_HELP =
  'a C2SP tlog-policy file ("witness <name> <vkey> [<url>]", "group ...", "quorum ..." lines): ' +
  "the checkpoint must also carry cosignatures meeting its quorum";

/** Reads and parses a policy file; FormatError (exit 2) when it cannot be read or parsed. */
export function loadPolicy(path: string): WitnessPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FormatError(`cannot read policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return parseWitnessPolicy(text);
  } catch (error) {
    throw new FormatError(`policy file ${path}: ${(error as Error).message}`);
  }
}

/**
 * Checks the cosignatures of a signed checkpoint against the policy (VerificationError, exit 1, when
 * the quorum is not met or a witness's line does not verify) and says, for the summary line, who
 * witnessed it. Without a policy, says nothing.
 */
export function checkWitnessed(
  note: string | Uint8Array,
  verifier: NoteVerifier,
  policy: WitnessPolicy | undefined,
  source: string,
): string {
  if (policy === undefined) return '';
  try {
    const { cosignatures } = openWitnessedCheckpoint(note, verifier, policy);
    const names = [...cosignatures.keys()];
    return names.length === 0 ? ', quorum none' : `, witnessed by ${names.join(', ')} (quorum ${describeQuorum(policy.quorum)})`;
  } catch (error) {
    if (error instanceof VerificationError) throw new VerificationError(`${source}: ${error.message}`);
    throw error;
  }
}
