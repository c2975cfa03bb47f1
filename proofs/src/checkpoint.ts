import { decodeBase64, encodeBase64 } from './base64.js';
import { FormatError, VerificationError } from './errors.js';
import { asHash, HASH_SIZE, type Hash } from './hash.js';
import { openNote, parseVerifierKey, type NoteVerifier } from './note.js';
import { assertUint64, parseUint64 } from './uint64.js';

// C2SP tlog-checkpoint: the text of a signed note made of at least three lines,
// each ending in "\n":
//
//   <origin>                 the log's identity; any non-empty line
//   <tree size>              ASCII decimal, no leading zeroes ("0" for the empty tree)
//   <base64(root hash)>      the 32-byte RFC 6962 root at that size
//   <extension line>...      optional, opaque, each non-empty, kept in order
//
// The spec only RECOMMENDS that the origin be a schema-less URL without spaces or
// '+'; openCheckpoint effectively enforces that, since the origin must equal the
// signing key's name, and key names cannot hold either.

export interface Checkpoint {
  origin: string;
  size: bigint;
  root: Hash;
  extensions: string[];
}

/** The checkpoint's note text: "origin\nsize\nbase64(root)\n" then each extension and "\n". */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine(c.origin, 'checkpoint origin');
  assertUint64(c.size, 'checkpoint tree size');
  if (c.root.length !== HASH_SIZE) {
    throw new FormatError(`checkpoint root hash is ${c.root.length} bytes, expected ${HASH_SIZE}`);
  }
  c.extensions.forEach((line, i) => checkLine(line, `checkpoint extension line ${i + 1}`));
  return [c.origin, c.size.toString(), encodeBase64(c.root), ...c.extensions].map((line) => `${line}\n`).join('');
}

/** Parses a checkpoint's note text (without the signatures). Throws FormatError. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new FormatError('checkpoint text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new FormatError(`checkpoint text has ${lines.length} lines, needs origin, tree size and root hash`);
  }
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine(origin, 'checkpoint origin');
  const size = parseUint64(sizeLine, 'checkpoint tree size');
  let rootBytes: Uint8Array;
  try {
    rootBytes = decodeBase64(rootLine);
  } catch (error) {
    throw new FormatError(`checkpoint root hash: ${(error as Error).message}`);
  }
  if (rootBytes.length !== HASH_SIZE) {
    throw new FormatError(`checkpoint root hash is ${rootBytes.length} bytes, expected ${HASH_SIZE}`);
  }
  extensions.forEach((line, i) => checkLine(line, `checkpoint extension line ${i + 1}`));
  return { origin, size, root: asHash(rootBytes), extensions };
}

/**
 * Opens a signed checkpoint: the note must carry a valid signature by
 * `verifierKey` (other signatures, such as witness cosignatures, are ignored), and
 * the key's name must equal the checkpoint's origin. Throws VerificationError when
 * the signature or origin does not check out, FormatError when anything is malformed.
 */
export function openCheckpoint(note: string | Uint8Array, verifierKey: string | NoteVerifier): Checkpoint {
  const verifier = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  const { text } = openNote(note, [verifier]);
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== verifier.name) {
    throw new VerificationError(
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} does not match the log key name ` +
        `${JSON.stringify(verifier.name)}`,
    );
  }
  return checkpoint;
}

/** A checkpoint line is non-empty and holds no newline or other control character. */
function checkLine(line: string, what: string): void {
  if (line === '') throw new FormatError(`${what} is empty`);
  if (/[\u0000-\u001f]/.test(line)) throw new FormatError(`${what} holds a newline or control character`);
}
