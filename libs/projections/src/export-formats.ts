import { stringify } from 'csv-stringify/sync';
import { toOcsfEvent } from '@trailmark/domain';
import type { ProjectedEvent } from './projected-event.js';
import { evidenceEventLine, evidenceHeader, evidenceTrailer, type Hash } from '@trailmark/proofs';

export const EXPORT_FORMATS = ['ndjson', 'csv', 'ocsf', 'evidence'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  ocsf: 'application/x-ndjson',
  evidence: 'application/x-ndjson',
};

/** What every export is consistent with: the signed checkpoint chosen when it began, and its tree. */
export interface ExportCheckpoint {
  readonly note: string;
  readonly size: bigint;
  /** The inclusion proof of a leaf in the checkpoint's tree (evidence only). */
  proveInclusion(leafIndex: bigint): Hash[];
}

export interface ExportProduct {
  readonly name: string;
  readonly version: string;
  readonly vendorName: string;
  /** The log's origin, OCSF's `metadata.log_name`. */
  readonly logName: string;
}

const CSV_COLUMNS = ['leafIndex', 'id', 'time', 'tenant', 'action', 'outcome', 'reason', 'actorType', 'actorId', 'targets'];

/**
 * A cell a spreadsheet would run as a formula (OWASP, CSV injection): one starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return. Such a cell is written as text: a single quote before it, and the whole cell quoted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEUTRALISED_FORMULA = /^'[=+\-@\t\r]/;

/** One CSV record, with every cell that could be a formula turned into text. */
function csvRecord(cells: readonly (string | number)[]): string {
  const safe = cells.map((cell) => (typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell));
  return stringify([safe], { quoted_match: NEUTRALISED_FORMULA });
}

/** About this much text a chunk: one stream chunk a line would cost more than most lines. */
const CHUNK_CHARS = 64 * 1024;

/** The lines of an export (exportLines) joined into chunks of about 64 KiB of whole lines, as the service streams them. */
export async function* exportChunks(...args: Parameters<typeof exportLines>): AsyncGenerator<string> {
  let chunk = '';
  for await (const line of exportLines(...args)) {
    chunk += line;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * The lines of an export, one event at a time, so the response streams in constant memory. Every format ends
 * with the checkpoint the export is consistent with: every event listed is a leaf below its size.
 *
 * - ndjson: `{"leafIndex", "event": envelope}` a line, then `{"checkpoint": note, "treeSize", "events": count}`;
 * - csv: a header, a row an event (targets as `type:id` joined by spaces), then the row `#checkpoint,<note>`; a cell
 *   a spreadsheet would run as a formula is written as quoted text, `'` before it;
 * - ocsf: an OCSF 1.8.0 event a line, then the same final line as ndjson;
 * - evidence: the `trailmark-evidence/1` bundle of @trailmark/proofs (leaf bytes and inclusion proofs against
 *   the checkpoint, which heads and ends it), verified offline by `trailmark-verify bundle`.
 */
async function* exportLines(
  format: ExportFormat,
  events: AsyncIterable<ProjectedEvent>,
  checkpoint: ExportCheckpoint,
  product: ExportProduct,
): AsyncGenerator<string> {
  let count = 0;
  if (format === 'csv') yield csvRecord(CSV_COLUMNS);
  if (format === 'evidence') yield evidenceHeader(checkpoint.note);
  for await (const event of events) {
    count++;
    yield lineOf(format, event, checkpoint, product);
  }
  if (format === 'evidence') yield evidenceTrailer(checkpoint.note, count);
  else if (format === 'csv') yield csvRecord(['#checkpoint', checkpoint.note]);
  else yield `${JSON.stringify({ checkpoint: checkpoint.note, treeSize: Number(checkpoint.size), events: count })}\n`;
}

function lineOf(format: ExportFormat, event: ProjectedEvent, checkpoint: ExportCheckpoint, product: ExportProduct): string {
  switch (format) {
    case 'ndjson':
      return `${JSON.stringify({ leafIndex: Number(event.leafIndex), event: event.envelope })}\n`;
    case 'csv': {
      const { envelope } = event;
      const targets = envelope.targets.map((target) => `${target.type}:${target.id}`).join(' ');
      return csvRecord([
        Number(event.leafIndex), event.id, event.time, event.tenant, envelope.action, envelope.outcome, envelope.reason ?? '', envelope.actor.type, envelope.actor.id, targets,
      ]);
    }
    case 'ocsf': {
      const { logName, ...productFields } = product;
      const ocsf = toOcsfEvent({ envelope: event.envelope, detail: event.detail, leafIndex: event.leafIndex }, productFields, { logName });
      return `${JSON.stringify(ocsf)}\n`;
    }
    case 'evidence':
      return evidenceEventLine({ leafIndex: event.leafIndex, id: event.id, leaf: event.leaf, proof: checkpoint.proveInclusion(event.leafIndex) });
  }
}
