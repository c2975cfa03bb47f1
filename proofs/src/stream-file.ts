// What a log-stream receiver kept (the NDJSON lines of the batches it was sent) checked offline: every batch's
// records are leaves of the signed log (one batch inclusion proof each), and the batches' ranges hold every
// record they claim, with no gap between them.
import { decodeBase64 } from './base64.js';
import { verifyBatchInclusion } from './batch-inclusion.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { FormatError, VerificationError } from './errors.js';
import { asHash, hashLeaf, type Hash } from './hash.js';
import type { NoteVerifier } from './note.js';

export const STREAM_BATCH_FORMAT = 'trailmark-stream-batch/2';

export interface StreamFileSummary {
  readonly stream: string;
  readonly tenant: string;
  /** Leaves [from, to) are covered by the batches, with no gap. */
  readonly from: bigint;
  readonly to: bigint;
  /** Distinct records verified (a record delivered twice counts once). */
  readonly records: number;
  readonly batches: number;
  /** Records no trailer closed (after the last trailer, or outside the range of the one that follows them): sent again later, or lost with their batch. */
  readonly unconfirmed: number;
  /** The largest checkpoint any batch was proven in. */
  readonly treeSize: bigint;
}

interface Trailer {
  readonly line: number;
  readonly stream: string;
  readonly tenant: string;
  readonly from: bigint;
  readonly to: bigint;
  readonly records: number;
  readonly actions?: readonly string[];
  readonly outcomes?: readonly string[];
  readonly checkpoint: Checkpoint;
  readonly proof: Hash[];
}

interface StreamedRecord {
  readonly line: number;
  readonly leafIndex: bigint;
  readonly id: string;
  readonly leaf: Uint8Array;
}

/**
 * Checks the lines a receiver kept (native or OCSF records, each batch's records followed by its trailer, in
 * any number of deliveries, duplicates allowed) against the log's key:
 * - each trailer's checkpoint is signed by the log and has the trailer's tree size; all name one stream and tenant;
 * - the records since the previous trailer that fall in a trailer's range are, together, leaves of the tree of
 *   its checkpoint at their leaf indices (the trailer's batch inclusion proof), as many as it claims, each
 *   matching its filter, with the record's id and the stream's tenant; a leaf index seen twice has the same leaf;
 * - the trailers' ranges join without a gap, and cover [from, to) when those are given.
 * Throws VerificationError (a check failed) or FormatError (a line is not what a stream writes).
 */
export function verifyStreamLines(lines: readonly string[], verifier: NoteVerifier, range: { from?: bigint; to?: bigint } = {}): StreamFileSummary {
  const trailers: Trailer[] = [];
  const firstCopies = new Map<bigint, StreamedRecord>();
  /** The records since the last trailer, by leaf index: the next trailer closes those in its range. */
  let open = new Map<bigint, StreamedRecord>();
  const verified = new Set<bigint>();
  const opened = new Map<string, Checkpoint>();
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const line = i + 1;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new FormatError(`line ${line} is not JSON`);
    }
    if (value.trailmark === STREAM_BATCH_FORMAT) {
      if (value.test === true) return;
      const trailer = trailerOf(value, line, opened, verifier);
      trailers.push(trailer);
      for (const leafIndex of closeBatch(trailer, open)) verified.add(leafIndex);
      open = new Map();
      return;
    }
    const record = recordOf(value, line);
    const earlier = firstCopies.get(record.leafIndex);
    if (earlier && Buffer.compare(Buffer.from(earlier.leaf), Buffer.from(record.leaf)) !== 0) {
      throw new VerificationError(`line ${line}: leaf ${record.leafIndex} differs from the one on line ${earlier.line}`);
    }
    if (!earlier) firstCopies.set(record.leafIndex, record);
    open.set(record.leafIndex, record);
  });
  if (trailers.length === 0) throw new VerificationError('no batch trailer: nothing shows which leaves the records cover');
  const { stream, tenant } = trailers[0]!;
  for (const trailer of trailers) {
    if (trailer.stream !== stream || trailer.tenant !== tenant) {
      throw new VerificationError(`line ${trailer.line}: a batch of stream ${trailer.stream} (tenant ${trailer.tenant}) among those of ${stream} (${tenant})`);
    }
  }

  const sorted = [...trailers].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const from = sorted[0]!.from;
  let to = sorted[0]!.to;
  for (const trailer of sorted.slice(1)) {
    if (trailer.from > to) throw new VerificationError(`leaves [${to}, ${trailer.from}) are in no batch: the receiver missed at least one batch`);
    if (trailer.to > to) to = trailer.to;
  }
  if (range.from !== undefined && range.from < from) throw new VerificationError(`leaves [${range.from}, ${from}) are in no batch`);
  if (range.to !== undefined && range.to > to) throw new VerificationError(`leaves [${to}, ${range.to}) are in no batch`);
  const treeSize = trailers.reduce((largest, trailer) => (trailer.checkpoint.size > largest ? trailer.checkpoint.size : largest), 0n);
  return { stream, tenant, from, to, records: verified.size, batches: trailers.length, unconfirmed: firstCopies.size - verified.size, treeSize };
}

/** Checks one batch: the open records in its range, against its count, filter, tenant and proof. Returns their leaf indices. */
function closeBatch(trailer: Trailer, open: ReadonlyMap<bigint, StreamedRecord>): bigint[] {
  const records = [...open.values()]
    .filter((record) => record.leafIndex >= trailer.from && record.leafIndex < trailer.to)
    .sort((a, b) => (a.leafIndex < b.leafIndex ? -1 : 1));
  if (records.length !== trailer.records) {
    throw new VerificationError(
      `the batch on line ${trailer.line} covers leaves [${trailer.from}, ${trailer.to}) with ${trailer.records} records; ${records.length} of them are here`,
    );
  }
  const { checkpoint } = trailer;
  try {
    verifyBatchInclusion(checkpoint.size, records.map((record) => ({ index: record.leafIndex, hash: hashLeaf(record.leaf) })), trailer.proof, checkpoint.root);
  } catch (error) {
    throw new VerificationError(`line ${trailer.line}: the records of leaves [${trailer.from}, ${trailer.to}) are not in the log's tree of size ${checkpoint.size}: ${(error as Error).message}`);
  }
  for (const record of records) {
    const envelope = JSON.parse(new TextDecoder().decode(record.leaf)) as Record<string, unknown>;
    if (envelope.id !== record.id) throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} is event ${String(envelope.id)}, not ${record.id}`);
    if (envelope.tenant !== trailer.tenant) throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} is of tenant ${String(envelope.tenant)}, not ${trailer.tenant}`);
    const matches =
      (trailer.actions === undefined || trailer.actions.includes(String(envelope.action))) &&
      (trailer.outcomes === undefined || trailer.outcomes.includes(String(envelope.outcome)));
    if (!matches) throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} (${String(envelope.action)}, ${String(envelope.outcome)}) is outside the filter of the batch on line ${trailer.line}`);
  }
  return records.map((record) => record.leafIndex);
}

function trailerOf(value: Record<string, unknown>, line: number, opened: Map<string, Checkpoint>, verifier: NoteVerifier): Trailer {
  const { stream, tenant, from, to, records, filter, treeSize, checkpoint: note, proof } = value as Record<string, unknown> & { filter?: Record<string, unknown> };
  if (
    typeof stream !== 'string' || typeof tenant !== 'string' || typeof note !== 'string' ||
    !isCount(from) || !isCount(to) || !isCount(records) || !isCount(treeSize) || !Array.isArray(proof)
  ) {
    throw new FormatError(`line ${line}: a batch trailer needs stream, tenant, from, to, records, treeSize, checkpoint and proof`);
  }
  let hashes: Hash[];
  try {
    hashes = proof.map((hash) => asHash(decodeBase64(String(hash))));
  } catch (error) {
    throw new FormatError(`line ${line}: ${(error as Error).message}`);
  }
  let checkpoint = opened.get(note);
  if (!checkpoint) {
    try {
      checkpoint = openCheckpoint(note, verifier);
    } catch (error) {
      throw new VerificationError(`line ${line}: the batch's checkpoint does not verify: ${(error as Error).message}`);
    }
    opened.set(note, checkpoint);
  }
  if (checkpoint.size !== BigInt(treeSize)) throw new VerificationError(`line ${line}: treeSize ${treeSize} is not the checkpoint's size ${checkpoint.size}`);
  if (BigInt(to) > checkpoint.size || from > to) throw new VerificationError(`line ${line}: range [${from}, ${to}) is not inside the checkpoint's ${checkpoint.size} leaves`);
  const actions = stringList(filter?.actions);
  const outcomes = stringList(filter?.outcomes);
  return { line, stream, tenant, from: BigInt(from), to: BigInt(to), records, checkpoint, proof: hashes, ...(actions && { actions }), ...(outcomes && { outcomes }) };
}

function recordOf(value: Record<string, unknown>, line: number): StreamedRecord {
  const evidence = (value.leaf !== undefined ? value : (value.unmapped as Record<string, unknown> | undefined)?.trailmark) as Record<string, unknown> | undefined;
  const { leafIndex, id, leaf } = evidence ?? {};
  if (!isCount(leafIndex) || typeof id !== 'string' || typeof leaf !== 'string') {
    throw new FormatError(`line ${line}: a record needs leafIndex, id and leaf (the native or OCSF format of a stream)`);
  }
  try {
    return { line, leafIndex: BigInt(leafIndex), id, leaf: decodeBase64(leaf) };
  } catch (error) {
    throw new FormatError(`line ${line}: ${(error as Error).message}`);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}
