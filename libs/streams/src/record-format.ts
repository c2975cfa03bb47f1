import { actionDefinition, epochMillisOf, ocsfSeverityOf, toOcsfEvent, type OcsfProductInfo } from '@trailmark/domain';
import type { StreamFormat } from './stream-definition.js';
import { nativeRecord, type StreamRecord } from './stream-record.js';
import { encodeBase64 } from '@trailmark/proofs';

/** What a stream's product and log are called in its records. */
export interface RecordContext {
  readonly product: OcsfProductInfo;
  /** The log's origin (OCSF metadata.log_name). */
  readonly logName: string;
}

/** A record as a sink sends it: its text (one line, no newline) and, for the JSON formats, the object. */
export interface FormattedRecord {
  readonly text: string;
  readonly json?: Record<string, unknown>;
}

/**
 * A record in the stream's format. Every format names the leaf index and the event id, so a receiver can
 * deduplicate a batch delivered twice:
 * - native: nativeRecord (leafIndex, id, event, detail, leaf);
 * - ocsf: the OCSF 1.8.0 event (metadata.sequence is the leaf index, metadata.uid the id), with the evidence
 *   (leafIndex, id, leaf) under `unmapped.trailmark`, which `trailmark-verify stream` also reads;
 * - cef: an ArcSight CEF line (cn1 the leaf index, externalId the id); carries no evidence.
 */
export function formatRecord(format: StreamFormat, record: StreamRecord, context: RecordContext): FormattedRecord {
  switch (format) {
    case 'native': {
      const json = nativeRecord(record);
      return { text: JSON.stringify(json), json };
    }
    case 'ocsf': {
      const ocsf = toOcsfEvent(record, context.product, { logName: context.logName }) as unknown as Record<string, unknown>;
      const evidence = { leafIndex: Number(record.leafIndex), id: record.id, leaf: encodeBase64(record.leaf) };
      const json = { ...ocsf, unmapped: { ...(ocsf.unmapped as object | undefined), trailmark: evidence } };
      return { text: JSON.stringify(json), json };
    }
    case 'cef':
      return { text: cefLine(record, context) };
  }
}

/** CEF header fields escape backslash and pipe. */
function cefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** CEF extension values escape backslash and equals, and write line breaks as \n. */
function cefValue(value: string): string {
  return value.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, '\\n');
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

function cefLine(record: StreamRecord, context: RecordContext): string {
  const { envelope } = record;
  // OCSF severity ids run 0..6; CEF's 0..10 scale: Informational 1 -> 3, Low 2 -> 4, Medium 3 -> 6, High 4 -> 8.
  const severity = Math.min(10, 1 + 2 * ocsfSeverityOf(envelope).id);
  const header = ['CEF:0', context.product.vendorName, context.product.name, context.product.version, envelope.action, envelope.action]
    .map((field, i) => (i === 0 ? field : cefHeader(field)))
    .join('|');
  const ip = record.detail?.context?.ip;
  const extension: [string, string | undefined][] = [
    ['rt', String(epochMillisOf(envelope.time))],
    ['cat', actionDefinition(envelope.action)?.category],
    ['act', envelope.action],
    ['outcome', envelope.outcome],
    ['reason', envelope.reason],
    ['suid', envelope.actor.id],
    ['cs2Label', 'actorType'],
    ['cs2', envelope.actor.type],
    ['duid', envelope.targets[0]?.id],
    ['src', ip !== undefined && IPV4.test(ip) ? ip : undefined],
    ['externalId', record.id],
    ['cn1Label', 'leafIndex'],
    ['cn1', String(record.leafIndex)],
    ['cs1Label', 'tenant'],
    ['cs1', envelope.tenant],
  ];
  const pairs = extension.filter((pair): pair is [string, string] => pair[1] !== undefined).map(([key, value]) => `${key}=${cefValue(value)}`);
  return `${header}|${severity}|${pairs.join(' ')}`;
}
