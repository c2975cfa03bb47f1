// What a log-stream receiver kept (the NDJSON lines of the batches it was sent) checked offline: every record
// is a leaf of the signed log, and the batches' ranges hold every record they claim, with no gap between them.
import { decodeBase64 } from './base64.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { FormatError, VerificationError } from './errors.js';
import { asHash, hashLeaf, type Hash } from './hash.js';
import { verifyInclusion } from './inclusion.js';
import type { NoteVerifier } from './note.js';

export const STREAM_BATCH_FORMAT = 'trailmark-stream-batch/1';

export interface StreamFileSummary {
  readonly stream: string;
  readonly tenant: string;
  /** Leaves [from, to) are covered by the batches, with no gap. */
  readonly from: bigint;
  readonly to: bigint;
  /** Distinct records verified (a record delivered twice counts once). */
  readonly records: number;
  readonly batches: number;
  /** Records whose batch never closed (no trailer with their tree size): sent again later, or lost with their batch. */
  readonly unconfirmed: number;
  /** The largest checkpoint any record was proven in. */
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
}

interface StreamedRecord {
  readonly line: number;
  readonly leafIndex: bigint;
  readonly id: string;
  readonly leaf: Uint8Array;
  readonly treeSize: bigint;
  readonly proof: Hash[];
}

/**
 * Checks the lines a receiver kept (native or OCSF records, each batch ended by its trailer, in any number of
 * deliveries, duplicates allowed) against the log's key:
 * - each trailer's checkpoint is signed by the log and has the trailer's tree size; all name one stream and tenant;
 * - each record's leaf is at its leaf index in the tree of its checkpoint (inclusion proof), and its envelope has
 *   the record's id and the stream's tenant; a leaf index seen twice has the same leaf;
 * - the trailers' ranges join without a gap, and cover [from, to) when those are given;
 * - each range holds exactly the number of records its trailer claims, all of them matching its filter.
 * Throws VerificationError (a check failed) or FormatError (a line is not what a stream writes).
 */
export function verifyStreamLines(lines: readonly string[], verifier: NoteVerifier, range: { from?: bigint; to?: bigint } = {}): StreamFileSummary {
  const trailers: Trailer[] = [];
  /** Every copy of each leaf received: a copy from a batch that never closed may lack a checkpoint that another has. */
  const records = new Map<bigint, StreamedRecord[]>();
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
      trailers.push(trailerOf(value, line, opened, verifier));
      return;
    }
    const record = recordOf(value, line);
    const copies = records.get(record.leafIndex) ?? [];
    const earlier = copies[0];
    if (earlier && Buffer.compare(Buffer.from(earlier.leaf), Buffer.from(record.leaf)) !== 0) {
      throw new VerificationError(`line ${line}: leaf ${record.leafIndex} differs from the one on line ${earlier.line}`);
    }
    copies.push(record);
    records.set(record.leafIndex, copies);
  });
  if (trailers.length === 0) throw new VerificationError('no batch trailer: nothing shows which leaves the records cover');
  const { stream, tenant } = trailers[0]!;
  for (const trailer of trailers) {
    if (trailer.stream !== stream || trailer.tenant !== tenant) {
      throw new VerificationError(`line ${trailer.line}: a batch of stream ${trailer.stream} (tenant ${trailer.tenant}) among those of ${stream} (${tenant})`);
    }
  }

  const checkpoints = new Map(trailers.map((trailer) => [trailer.checkpoint.size, trailer.checkpoint]));
  const verified: { record: StreamedRecord; envelope: Record<string, unknown> }[] = [];
  let unconfirmed = 0;
  let treeSize = 0n;
  for (const copies of [...records.values()].sort((a, b) => (a[0]!.leafIndex < b[0]!.leafIndex ? -1 : 1))) {
    const record = copies.find((copy) => checkpoints.has(copy.treeSize));
    if (!record) {
      unconfirmed++;
      continue;
    }
    const checkpoint = checkpoints.get(record.treeSize)!;
    try {
      verifyInclusion(record.leafIndex, checkpoint.size, hashLeaf(record.leaf), record.proof, checkpoint.root);
    } catch (error) {
      throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} is not in the log's tree of size ${checkpoint.size}: ${(error as Error).message}`);
    }
    const envelope = JSON.parse(new TextDecoder().decode(record.leaf)) as Record<string, unknown>;
    if (envelope.id !== record.id) throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} is event ${String(envelope.id)}, not ${record.id}`);
    if (envelope.tenant !== tenant) throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} is of tenant ${String(envelope.tenant)}, not ${tenant}`);
    if (checkpoint.size > treeSize) treeSize = checkpoint.size;
    verified.push({ record, envelope });
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

  for (const trailer of trailers) {
    const inRange = verified.filter(({ record }) => record.leafIndex >= trailer.from && record.leafIndex < trailer.to);
    for (const { record, envelope } of inRange) {
      const matches =
        (trailer.actions === undefined || trailer.actions.includes(String(envelope.action))) &&
        (trailer.outcomes === undefined || trailer.outcomes.includes(String(envelope.outcome)));
      if (!matches) throw new VerificationError(`line ${record.line}: leaf ${record.leafIndex} (${String(envelope.action)}, ${String(envelope.outcome)}) is outside the filter of the batch on line ${trailer.line}`);
    }
    if (inRange.length !== trailer.records) {
      throw new VerificationError(
        `the batch on line ${trailer.line} covers leaves [${trailer.from}, ${trailer.to}) with ${trailer.records} records; ${inRange.length} of them are here and proven`,
      );
    }
  }
  return { stream, tenant, from, to, records: verified.length, batches: trailers.length, unconfirmed, treeSize };
}

function trailerOf(value: Record<string, unknown>, line: number, opened: Map<string, Checkpoint>, verifier: NoteVerifier): Trailer {
  const { stream, tenant, from, to, records, filter, treeSize, checkpoint: note } = value as Record<string, unknown> & { filter?: Record<string, unknown> };
  if (typeof stream !== 'string' || typeof tenant !== 'string' || typeof note !== 'string' || !isCount(from) || !isCount(to) || !isCount(records) || !isCount(treeSize)) {
    throw new FormatError(`line ${line}: a batch trailer needs stream, tenant, from, to, records, treeSize and checkpoint`);
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
  return { line, stream, tenant, from: BigInt(from), to: BigInt(to), records, checkpoint, ...(actions && { actions }), ...(outcomes && { outcomes }) };
}

function recordOf(value: Record<string, unknown>, line: number): StreamedRecord {
  const evidence = (value.leaf !== undefined ? value : (value.unmapped as Record<string, unknown> | undefined)?.trailmark) as Record<string, unknown> | undefined;
  const { leafIndex, id, leaf, treeSize, proof } = evidence ?? {};
  if (!isCount(leafIndex) || typeof id !== 'string' || typeof leaf !== 'string' || !isCount(treeSize) || !Array.isArray(proof)) {
    throw new FormatError(`line ${line}: a record needs leafIndex, id, leaf, treeSize and proof (the native or OCSF format of a stream)`);
  }
  try {
    return { line, leafIndex: BigInt(leafIndex), id, leaf: decodeBase64(leaf), treeSize: BigInt(treeSize), proof: proof.map((hash) => asHash(decodeBase64(String(hash)))) };
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
