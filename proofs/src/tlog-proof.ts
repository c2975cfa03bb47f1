import { decodeBase64, encodeBase64 } from './base64.js';
import { FormatError } from './errors.js';
import { asHash, HASH_SIZE, type Hash } from './hash.js';
import { assertUint64, parseUint64 } from './uint64.js';

// C2SP tlog-proof (c2sp.org/tlog-proof), conventionally stored as *.tlog-proof:
//
//   c2sp.org/tlog-proof@v1\n
//   extra <base64(opaque bytes)>\n        optional; unauthenticated, never trusted
//   index <leaf index, decimal, no leading zeroes>\n
//   <base64(hash)>\n ...                  the inclusion proof, leaf's sibling first,
//                                         zero or more lines
//   \n                                    an empty line
//   <signed checkpoint note, verbatim>    with the log's signature and any cosignatures
//
// Parsing is strict so that a proof has one spelling: format(parse(t)) === t.

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  index: bigint;
  proof: Hash[];
  /** The whole signed checkpoint note. */
  checkpoint: string;
  extra?: Uint8Array;
}

export function formatTlogProof(p: TlogProof): string {
  assertUint64(p.index, 'tlog-proof index');
  for (const hash of p.proof) {
    if (hash.length !== HASH_SIZE) throw new FormatError(`tlog-proof hash is ${hash.length} bytes, expected 32`);
  }
  checkCheckpointNote(p.checkpoint);
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${encodeBase64(p.extra)}`);
  lines.push(`index ${p.index}`, ...p.proof.map(encodeBase64), '');
  return lines.map((line) => `${line}\n`).join('') + p.checkpoint;
}

/** Parses a tlog-proof. Does not verify anything; see verifyReceipt. Throws FormatError. */
export function parseTlogProof(text: string): TlogProof {
  let rest = text;
  let lineNumber = 0;
  const nextLine = (): string => {
    const end = rest.indexOf('\n');
    lineNumber++;
    if (end < 0) throw new FormatError(`tlog-proof ends in line ${lineNumber} before its checkpoint`);
    const line = rest.slice(0, end);
    rest = rest.slice(end + 1);
    return line;
  };

  const header = nextLine();
  if (header !== TLOG_PROOF_HEADER) {
    throw new FormatError(`tlog-proof does not start with ${TLOG_PROOF_HEADER}`);
  }
  let line = nextLine();
  let extra: Uint8Array | undefined;
  if (line.startsWith('extra ')) {
    extra = decodeField(line.slice('extra '.length), 'extra data');
    line = nextLine();
  }
  if (!line.startsWith('index ')) {
    throw new FormatError(`tlog-proof line ${lineNumber} should be "index <N>", got ${JSON.stringify(line)}`);
  }
  const index = parseUint64(line.slice('index '.length), 'tlog-proof index');

  const proof: Hash[] = [];
  for (line = nextLine(); line !== ''; line = nextLine()) {
    const bytes = decodeField(line, `proof hash on line ${lineNumber}`);
    if (bytes.length !== HASH_SIZE) {
      throw new FormatError(`tlog-proof line ${lineNumber}: hash is ${bytes.length} bytes, expected ${HASH_SIZE}`);
    }
    proof.push(asHash(bytes));
  }
  checkCheckpointNote(rest);
  const parsed: TlogProof = { index, proof, checkpoint: rest };
  if (extra !== undefined) parsed.extra = extra;
  return parsed;
}

function decodeField(encoded: string, what: string): Uint8Array {
  try {
    return decodeBase64(encoded);
  } catch (error) {
    throw new FormatError(`tlog-proof ${what}: ${(error as Error).message}`);
  }
}

/** The checkpoint is checked fully when opened; here only that it is there and ends a line. */
function checkCheckpointNote(note: string): void {
  if (note === '') throw new FormatError('tlog-proof has no checkpoint after the empty line');
  if (!note.endsWith('\n')) throw new FormatError('tlog-proof checkpoint does not end with a newline');
}
