import { decodeBase64, encodeBase64 } from './base64.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { FormatError, VerificationError } from './errors.js';
import { HASH_SIZE, asHash, hashLeaf, type Hash } from './hash.js';
import { verifyInclusion } from './inclusion.js';
import { parseVerifierKey, type NoteVerifier } from './note.js';
import { utf8Decode } from './utf8.js';

// trailmark-evidence/1: a set of events with an inclusion proof each, all against one signed
// checkpoint, as NDJSON (one JSON object a line, every line ending in "\n", UTF-8):
//
//   {"format":"trailmark-evidence/1","checkpoint":"<signed checkpoint note>"}            header
//   {"leafIndex":<n>,"id":"<event id>","leaf":"<base64 leaf>","proof":["<base64>",...]}   0 or more
//   {"end":true,"events":<count>,"checkpoint":"<the same note>"}                          trailer
//
// leafIndex strictly increases along the file. The trailer makes truncation visible: a bundle
// without it, or whose count differs, fails. Lines hold exactly these fields: anything else
// would be data the verifier did not check. The verifier keeps one line in memory at a time.

export const EVIDENCE_FORMAT = 'trailmark-evidence/1';

/** Longest line accepted (the header holds a note of up to 1 MiB, JSON-escaped). */
export const MAX_EVIDENCE_LINE = 4 * 1024 * 1024;

export interface EvidenceEvent {
  leafIndex: number | bigint;
  id: string;
  /** The leaf bytes exactly as logged (the JCS envelope). */
  leaf: Uint8Array;
  /** RFC 9162 inclusion proof of the leaf at leafIndex in the checkpoint's tree. */
  proof: readonly Uint8Array[];
}

export interface EvidenceProgress {
  /** Lines read so far (the header is line 1). */
  line: number;
  /** Events verified so far. */
  events: number;
  checkpoint: Checkpoint;
}

export interface VerifyEvidenceOptions {
  /** Called after the header and after each verified event. */
  onProgress?: (progress: EvidenceProgress) => void;
  /**
   * Called with the header's signed note once its log signature verified, before any event: a check
   * that throws (e.g. a witness quorum not met) fails the bundle at line 1.
   */
  onCheckpoint?: (note: string) => void;
}

/** The header line, "\n" included. */
export function evidenceHeader(note: string): string {
  return `${JSON.stringify({ format: EVIDENCE_FORMAT, checkpoint: note })}\n`;
}

/** One event line, "\n" included. */
export function evidenceEventLine(event: EvidenceEvent): string {
  const leafIndex = safeCount(event.leafIndex, 'leafIndex');
  const proof = event.proof.map(encodeBase64);
  return `${JSON.stringify({ leafIndex, id: event.id, leaf: encodeBase64(event.leaf), proof })}\n`;
}

/** The trailer line, "\n" included: `events` is the number of event lines written. */
export function evidenceTrailer(note: string, events: number | bigint): string {
  return `${JSON.stringify({ end: true, events: safeCount(events, 'events'), checkpoint: note })}\n`;
}

function safeCount(value: number | bigint, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || BigInt(n) !== BigInt(value)) {
    throw new FormatError(`${what} ${value} is not an integer from 0 to 2^53 - 1`);
  }
  return n;
}

/**
 * Verifies a trailmark-evidence/1 bundle read from `source`: chunks of the file, bytes or
 * strings, split anywhere (a file or HTTP body stream, or the lines the formatters above
 * write, each ending in "\n"). Opens the checkpoint with the key, checks every event's
 * inclusion proof against it, that each leaf's "id" is the line's id, that leaf indexes
 * strictly increase, and that the trailer is there, counts the events and repeats the
 * checkpoint. Returns the checkpoint and the number of events; throws VerificationError
 * or FormatError whose message starts with "line <k>" and, on an event line,
 * "(event <id>)". Errors raised by `source` itself pass through unchanged.
 */
export async function verifyEvidenceBundle(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  verifierKey: string | NoteVerifier,
  options: VerifyEvidenceOptions = {},
): Promise<{ checkpoint: Checkpoint; events: number }> {
  const verifier = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  const bundle = new BundleVerifier(verifier, options.onProgress, options.onCheckpoint);
  const encoder = new TextEncoder();
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      if (pendingLength + (end - start) > MAX_EVIDENCE_LINE) bundle.lineTooLong();
      if (newline === -1) {
        // Copied: a stream may reuse its buffer for the next chunk.
        pending.push(bytes.slice(start));
        pendingLength += bytes.length - start;
        break;
      }
      const part = bytes.subarray(start, newline);
      bundle.line(pendingLength === 0 ? part : concat([...pending, part], pendingLength + part.length));
      pending = [];
      pendingLength = 0;
      start = newline + 1;
    }
  }
  if (pendingLength > 0) bundle.unterminatedLine(concat(pending, pendingLength));
  return bundle.end();
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

type ErrorClass = typeof VerificationError | typeof FormatError;

class BundleVerifier {
  private lineNumber = 0;
  private note: string | undefined;
  private checkpoint: Checkpoint | undefined;
  private events = 0;
  private lastIndex = -1;
  private lastId: string | undefined;
  private ended = false;

  constructor(
    private readonly verifier: NoteVerifier,
    private readonly onProgress: ((progress: EvidenceProgress) => void) | undefined,
    private readonly onCheckpoint: ((note: string) => void) | undefined = undefined,
  ) {}

  line(bytes: Uint8Array): void {
    this.lineNumber++;
    if (this.ended) this.fail(VerificationError, 'there is more after the trailer line');
    const text = utf8Decode(bytes, `line ${this.lineNumber}`);
    if (text.trim() === '') this.fail(FormatError, 'the line is empty');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.fail(FormatError, `not JSON (${(error as Error).message})`);
    }
    if (this.checkpoint === undefined) this.header(value);
    else if (isObject(value) && 'end' in value) this.trailer(value);
    else this.event(value);
  }

  lineTooLong(): never {
    this.lineNumber++;
    return this.fail(FormatError, `the line is longer than ${MAX_EVIDENCE_LINE} bytes`);
  }

  unterminatedLine(bytes: Uint8Array): never {
    if (this.ended) this.line(bytes); // reports what follows the trailer
    this.lineNumber++;
    return this.fail(VerificationError, `truncated: the last line does not end with a newline (${bytes.length} bytes)`);
  }

  end(): { checkpoint: Checkpoint; events: number } {
    if (this.checkpoint === undefined) {
      this.lineNumber++;
      this.fail(VerificationError, 'the bundle is empty');
    }
    if (!this.ended) {
      this.lineNumber++;
      const after = this.lastId === undefined ? 'the header' : `event ${showId(this.lastId)}`;
      this.fail(VerificationError, `truncated: the bundle ends after ${after} without its trailer line`);
    }
    return { checkpoint: this.checkpoint, events: this.events };
  }

  private header(value: unknown): void {
    if (!isObject(value) || value.format !== EVIDENCE_FORMAT) {
      const format = isObject(value) && 'format' in value ? ` (its format is ${JSON.stringify(value.format)})` : '';
      this.fail(FormatError, `not a ${EVIDENCE_FORMAT} header${format}`, 'header');
    }
    this.exactFields(value, ['format', 'checkpoint'], 'header');
    const note = value.checkpoint;
    if (typeof note !== 'string') this.fail(FormatError, '"checkpoint" is not a string', 'header');
    let checkpoint: Checkpoint;
    try {
      checkpoint = openCheckpoint(note, this.verifier);
      this.onCheckpoint?.(note);
    } catch (error) {
      this.rethrow(error, 'header', 'checkpoint: ');
    }
    this.note = note;
    this.checkpoint = checkpoint;
    this.onProgress?.({ line: this.lineNumber, events: 0, checkpoint });
  }

  private event(value: unknown): void {
    const checkpoint = this.checkpoint!;
    if (!isObject(value)) this.fail(FormatError, 'not a JSON object');
    const id = typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
    const context = id === undefined ? undefined : `event ${showId(id)}`;
    if (id === undefined) this.fail(FormatError, '"id" is not a non-empty string');
    this.exactFields(value, ['leafIndex', 'id', 'leaf', 'proof'], context);
    const { leafIndex } = value;
    if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0) {
      this.fail(FormatError, `"leafIndex" ${JSON.stringify(leafIndex)} is not an integer from 0 to 2^53 - 1`, context);
    }
    if (typeof value.leaf !== 'string') this.fail(FormatError, '"leaf" is not a base64 string', context);
    const leaf = this.decode(value.leaf, '"leaf"', context);
    if (!Array.isArray(value.proof)) this.fail(FormatError, '"proof" is not an array', context);
    const proof: Hash[] = value.proof.map((entry: unknown, i: number) => {
      const what = `"proof"[${i}]`;
      if (typeof entry !== 'string') this.fail(FormatError, `${what} is not a base64 string`, context);
      const bytes = this.decode(entry, what, context);
      if (bytes.length !== HASH_SIZE) {
        this.fail(FormatError, `${what} decodes to ${bytes.length} bytes, a hash has ${HASH_SIZE}`, context);
      }
      return asHash(bytes);
    });
    if (leafIndex <= this.lastIndex) {
      this.fail(
        VerificationError,
        `leafIndex ${leafIndex} does not follow the previous event's ${this.lastIndex}: leaf indexes must strictly increase`,
        context,
      );
    }
    try {
      verifyInclusion(BigInt(leafIndex), checkpoint.size, hashLeaf(leaf), proof, checkpoint.root);
    } catch (error) {
      this.rethrow(error, context, `leaf ${leafIndex} is not proven: `);
    }
    const leafId = envelopeId(leaf);
    if (leafId !== id) {
      this.fail(
        VerificationError,
        leafId === undefined
          ? 'the leaf is not a JSON envelope with a string "id"'
          : `the leaf's id is ${JSON.stringify(leafId)}, not the line's`,
        context,
      );
    }
    this.lastIndex = leafIndex;
    this.lastId = id;
    this.events++;
    this.onProgress?.({ line: this.lineNumber, events: this.events, checkpoint });
  }

  private trailer(value: Record<string, unknown>): void {
    if (value.end !== true) this.fail(FormatError, '"end" is not true', 'trailer');
    this.exactFields(value, ['end', 'events', 'checkpoint'], 'trailer');
    const { events } = value;
    if (typeof events !== 'number' || !Number.isSafeInteger(events) || events < 0) {
      this.fail(FormatError, `"events" ${JSON.stringify(events)} is not a count`, 'trailer');
    }
    if (events !== this.events) {
      this.fail(VerificationError, `the trailer counts ${events} events, the bundle holds ${this.events}`, 'trailer');
    }
    if (value.checkpoint !== this.note) {
      this.fail(VerificationError, "the trailer's checkpoint is not the header's", 'trailer');
    }
    this.ended = true;
  }

  private exactFields(value: Record<string, unknown>, fields: readonly string[], context: string | undefined): void {
    for (const name of fields) {
      if (!(name in value)) this.fail(FormatError, `the ${JSON.stringify(name)} field is missing`, context);
    }
    const extra = Object.keys(value).filter((name) => !fields.includes(name));
    if (extra.length > 0) {
      this.fail(FormatError, `unexpected field ${JSON.stringify(extra[0])} (a line holds only ${fields.join(', ')})`, context);
    }
  }

  private decode(text: string, what: string, context: string | undefined): Uint8Array {
    try {
      return decodeBase64(text);
    } catch (error) {
      return this.fail(FormatError, `${what}: ${(error as Error).message}`, context);
    }
  }

  private prefix(context: string | undefined): string {
    return `line ${this.lineNumber}${context === undefined ? '' : ` (${context})`}: `;
  }

  private fail(kind: ErrorClass, message: string, context?: string): never {
    throw new kind(this.prefix(context) + message);
  }

  /** The library's own errors gain the line (and event); anything else passes unchanged. */
  private rethrow(error: unknown, context: string | undefined, what: string): never {
    if (error instanceof VerificationError || error instanceof FormatError) {
      const kind: ErrorClass = error instanceof VerificationError ? VerificationError : FormatError;
      this.fail(kind, what + error.message, context);
    }
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The "id" of a leaf that is a JSON object, or undefined. */
function envelopeId(leaf: Uint8Array): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(leaf, 'leaf'));
  } catch {
    return undefined;
  }
  return isObject(value) && typeof value.id === 'string' ? value.id : undefined;
}

/** Ids go into messages as they are when plain, quoted (and cut) otherwise. */
function showId(id: string): string {
  if (/^[\x21-\x7e]{1,128}$/.test(id)) return id;
  return JSON.stringify(id.length > 128 ? `${id.slice(0, 128)}…` : id);
}
