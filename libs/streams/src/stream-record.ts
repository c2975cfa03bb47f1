import { decodeEventMetadata, parseEnvelope, type DetailDocument, type Envelope } from '@trailmark/domain';
import { encodeBase64, type Hash } from '@trailmark/proofs';
import type { LogLeaf, StreamCheckpoint } from './log-source.js';

/** One event a stream delivers: its place in the log, its envelope and detail, and its leaf bytes (the batch proves them). */
export interface StreamRecord {
  readonly leafIndex: bigint;
  readonly id: string;
  readonly envelope: Envelope;
  readonly detail?: DetailDocument;
  readonly leaf: Uint8Array;
}

/** The version tag of a batch's trailing record, which `trailmark-verify stream` reads. */
export const STREAM_BATCH_FORMAT = 'trailmark-stream-batch/2';

/**
 * What a sink delivers at once: the records of leaves [from, to) that the stream carries, in leaf order, and one
 * batch inclusion proof of all their leaves in the tree of `checkpoint`; `to` never exceeds the checkpoint's size.
 */
export interface StreamBatch {
  readonly streamId: string;
  readonly tenant: string;
  readonly from: bigint;
  readonly to: bigint;
  readonly checkpoint: StreamCheckpoint;
  readonly records: readonly StreamRecord[];
  /** The records' leaves in the checkpoint's tree (proofs/batch-inclusion). */
  readonly proof: readonly Hash[];
  /** The filter's actions resolved (undefined: every action) and outcomes, for the receiver's own check. */
  readonly filter: { readonly actions?: readonly string[]; readonly outcomes?: readonly string[] };
  /** A batch sent by POST .../test: no records, nothing advances. */
  readonly test?: boolean;
}

/** The record of a leaf: its envelope read strictly (parseEnvelope) and its detail while the store has it. */
export function readRecord(leaf: LogLeaf): StreamRecord {
  const envelope = parseEnvelope(leaf.leaf);
  const { detail } = decodeEventMetadata(leaf.metadata);
  return { leafIndex: leaf.leafIndex, id: envelope.id, envelope, ...(detail && { detail }), leaf: leaf.leaf };
}

/**
 * The batch's trailing record: the leaf range it covers, how many records it holds, the filter, the signed
 * checkpoint and the proof that the records' leaves are in its tree. A receiver that keeps these can prove it
 * holds the whole range.
 */
export function batchTrailer(batch: StreamBatch): Record<string, unknown> {
  return {
    trailmark: STREAM_BATCH_FORMAT,
    stream: batch.streamId,
    tenant: batch.tenant,
    from: Number(batch.from),
    to: Number(batch.to),
    records: batch.records.length,
    filter: batch.filter,
    treeSize: Number(batch.checkpoint.size),
    checkpoint: batch.checkpoint.note,
    proof: batch.proof.map((hash) => encodeBase64(hash)),
    ...(batch.test && { test: true }),
  };
}

/** The native record: leafIndex and id first, the event, its detail, and its leaf bytes (the trailer's proof covers them). */
export function nativeRecord(record: StreamRecord): Record<string, unknown> {
  return {
    leafIndex: Number(record.leafIndex),
    id: record.id,
    event: record.envelope,
    ...(record.detail && { detail: record.detail }),
    leaf: encodeBase64(record.leaf),
  };
}
