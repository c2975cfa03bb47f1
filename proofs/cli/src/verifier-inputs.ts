// What the commands read and print: keys, checkpoints, proof lines, and errors given their context.
import { asHash, type Checkpoint, decodeBase64, encodeBase64, FormatError, type Hash, HASH_SIZE, type NoteVerifier, openCheckpoint, parseVerifierKey, VerificationError } from '@trailmark/proofs';
import { decodeUtf8, isFile, readFileOrThrow } from './inputs.js';

export function describe(checkpoint: Checkpoint): string {
  return `${checkpoint.origin} size ${checkpoint.size} root ${encodeBase64(checkpoint.root)}`;
}

/**
 * Re-throws a library error with what was being checked in front of its message,
 * keeping its class (and so the exit status).
 */
export function withContext(error: unknown, context: string, hint = ''): unknown {
  if (error instanceof VerificationError) return new VerificationError(`${context}: ${error.message}${hint}`);
  if (error instanceof FormatError) return new FormatError(`${context}: ${error.message}`);
  return error;
}

/** A leaf saved with `echo` or an editor gains a newline, and then hashes differently. */
export function leafHint(leaf: Uint8Array): string {
  return leaf.at(-1) === 0x0a
    ? ' (the leaf file ends in a newline: leaf bytes are hashed exactly as stored, check it belongs there)'
    : '';
}

/**
 * `--key` holds either the verifier key itself or the path of a file holding it.
 * A file that exists wins; otherwise the value must parse as a key.
 */
export function loadVerifier(value: string): NoteVerifier {
  if (isFile(value)) {
    const text = decodeUtf8(readFileOrThrow(value, 'key'), `key file ${value}`).trim();
    try {
      return parseVerifierKey(text);
    } catch (error) {
      throw withContext(error, `key file ${value} does not hold a verifier key "<name>+<8 hex>+<base64>"`);
    }
  }
  try {
    return parseVerifierKey(value.trim());
  } catch (error) {
    throw withContext(error, `--key ${JSON.stringify(value)} is neither a file nor a verifier key "<name>+<8 hex>+<base64>"`);
  }
}

export function openCheckpointFile(note: Uint8Array, source: string, verifier: NoteVerifier): Checkpoint {
  try {
    return openCheckpoint(note, verifier);
  } catch (error) {
    throw withContext(error, `checkpoint ${source === '-' ? 'from stdin' : source}`);
  }
}

/** Proof files hold one base64 hash a line; blank lines and CR before LF are ignored. */
export function parseProofLines(text: string, source: string): Hash[] {
  const hashes: Hash[] = [];
  text.split('\n').forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line !== '') hashes.push(decodeHash(line, `${source} line ${lineIndex + 1}`));
  });
  return hashes;
}

export function decodeHash(text: string, source: string): Hash {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (error) {
    throw withContext(error, `${source} is not a base64 hash`);
  }
  if (bytes.length !== HASH_SIZE) {
    throw new FormatError(`${source} is not a hash: it decodes to ${bytes.length} bytes, a hash has ${HASH_SIZE}`);
  }
  return asHash(bytes);
}
