/**
 * The two ways an auditor's check can fail. Callers (the CLI in particular) tell
 * them apart: a VerificationError means the input was well formed but does not
 * check out — a proof that leads to another root, a signature that does not
 * verify, a checkpoint from another log — which is evidence worth reporting.
 * A FormatError means the input could not even be read.
 */

/** The proof, signature or content was readable but does not check out. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** The input is malformed: it cannot be parsed under the format it claims. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}
