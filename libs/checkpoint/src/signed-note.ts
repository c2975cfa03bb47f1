import { decodeBase64, encodeBase64, FormatError, MAX_NOTE_SIGNATURES, MAX_NOTE_SIZE } from '@trailmark/proofs';
import { keyNameProblem, LONE_SURROGATE } from './key-name.js';
import { formatKeyId, type NoteSigner } from './keys.js';

// A C2SP signed note (Go's golang.org/x/mod/sumdb/note format):
//   <text, ending in "\n">
//   "\n"                                                    (a blank line)
//   "— <key name> <base64(4-byte big-endian key id || signature)>\n"   one line per signature
// The dash is U+2014 followed by a space; the signature covers the text, final "\n" included.
// The whole note is UTF-8 with no ASCII control character other than "\n" (note.Open refuses
// anything else), and we keep it within what openers accept: MAX_NOTE_SIGNATURES signatures
// (note.Open's limit, 100) and MAX_NOTE_SIZE bytes.
const SIGNATURE_PREFIX = '\u2014 ';
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const utf8 = new TextEncoder();

export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertSignableText(text);
  return assembleNote(text, [], signers);
}

/**
 * Adds the signers' signatures to an already signed note. The existing signatures are kept as
 * they are (not verified: whoever opens the note checks them), except one by a key among
 * `signers`, which is replaced by the fresh signature, as Go's note.Sign does: a key signs a
 * note at most once.
 */
export function addSignatures(note: string, signers: readonly NoteSigner[]): string {
  const { text, signatureLines } = splitSignedNote(note);
  const replaced = new Set(signers.map(signerKeyLabel));
  const kept = signatureLines.filter((line) => !replaced.has(line.keyLabel)).map((line) => line.line);
  return assembleNote(text, kept, signers);
}

function assembleNote(text: string, keptLines: readonly string[], signers: readonly NoteSigner[]): string {
  if (signers.length === 0) throw new Error('a note needs at least one signer');
  const labels = new Set<string>();
  for (const signer of signers) {
    const problem = keyNameProblem(signer.name);
    if (problem !== undefined) throw new Error(`signer name ${JSON.stringify(signer.name)} ${problem}`);
    if (!Number.isInteger(signer.keyId) || signer.keyId < 0 || signer.keyId > 0xffffffff) {
      throw new Error(`signer ${signer.name} has key id ${signer.keyId}, not a 32-bit unsigned integer`);
    }
    const label = signerKeyLabel(signer);
    if (labels.has(label)) throw new Error(`signer ${label} is listed twice`);
    labels.add(label);
  }
  const signatureCount = keptLines.length + signers.length;
  if (signatureCount > MAX_NOTE_SIGNATURES) {
    throw new Error(`the note would carry ${signatureCount} signatures; openers refuse more than ${MAX_NOTE_SIGNATURES}`);
  }
  const textBytes = utf8.encode(text);
  const newLines = signers.map((signer) => signatureLine(signer, textBytes));
  const note = `${text}\n${keptLines.join('')}${newLines.join('')}`;
  const size = utf8.encode(note).length;
  if (size > MAX_NOTE_SIZE) {
    throw new Error(`the signed note would be ${size} bytes; openers refuse more than ${MAX_NOTE_SIZE}`);
  }
  return note;
}

function signatureLine(signer: NoteSigner, text: Uint8Array): string {
  const signature = signer.sign(text);
  const keyIdAndSignature = new Uint8Array(4 + signature.length);
  new DataView(keyIdAndSignature.buffer).setUint32(0, signer.keyId);
  keyIdAndSignature.set(signature, 4);
  return `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(keyIdAndSignature)}\n`;
}

function assertSignableText(text: string): void {
  if (!text.endsWith('\n')) throw new FormatError('note text does not end in a newline');
  assertNoteCharacters(text, 'note text');
}

function assertNoteCharacters(text: string, what: string): void {
  if (LONE_SURROGATE.test(text)) throw new FormatError(`${what} is not valid Unicode (lone surrogate)`);
  const control = FORBIDDEN_CONTROL.exec(text);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new FormatError(`${what} contains the control character U+${code} at offset ${control.index}`);
  }
}

interface SignatureLine {
  line: string; // with its "\n"
  keyLabel: string; // "<name>+<key id hex>"
}

// The text ends at the last blank line: a text may hold blank lines, a signature block cannot.
function splitSignedNote(note: string): { text: string; signatureLines: SignatureLine[] } {
  assertNoteCharacters(note, 'signed note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new FormatError('signed note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw new FormatError('signed note has no signature lines, or they do not end in a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  const signatureLines = lines.map((line, i) => parseSignatureLine(line, i + 1));
  return { text, signatureLines };
}

function parseSignatureLine(line: string, lineNumber: number): SignatureLine {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new FormatError(`signature line ${lineNumber} does not start with "— " (U+2014, space)`);
  }
  const body = line.slice(SIGNATURE_PREFIX.length);
  const space = body.indexOf(' ');
  const name = space < 0 ? body : body.slice(0, space);
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw new FormatError(`signature line ${lineNumber}: key name ${JSON.stringify(name)} ${problem}`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(space < 0 ? '' : body.slice(space + 1));
  } catch (error) {
    throw new FormatError(`signature line ${lineNumber}: ${(error as Error).message}`);
  }
  if (bytes.length < 5) throw new FormatError(`signature line ${lineNumber}: signature is shorter than a key id and one byte`);
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return { line: `${line}\n`, keyLabel: `${name}+${formatKeyId(keyId)}` };
}

function signerKeyLabel(signer: NoteSigner): string {
  return `${signer.name}+${formatKeyId(signer.keyId)}`;
}
