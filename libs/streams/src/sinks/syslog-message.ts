import type { StreamRecord } from '../stream-record.js';

/** The private enterprise number reserved for documentation (RFC 5612), naming Trailmark's SD-ID. */
const SD_ID = 'trailmark@32473';
const BOM = '\uFEFF';

/** RFC 5424 PARAM-VALUE escapes `"`, `\` and `]`. */
function paramValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** RFC 5424 header fields are printable US-ASCII without spaces, "-" when empty. */
function headerField(value: string, max: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return cleaned === '' ? '-' : cleaned;
}

export interface SyslogHeader {
  readonly facility: number;
  readonly hostname: string;
}

/**
 * An RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME trailmark - MSGID [trailmark@32473 ...] BOM MSG`.
 * The timestamp is the event's server time (microseconds, which RFC 5424 allows), MSGID its action, the
 * structured data its leaf index, id and tenant; severity 6 (informational) for a success, 4 (warning) otherwise.
 */
export function syslogRecordMessage(header: SyslogHeader, record: StreamRecord, text: string): string {
  const severity = record.envelope.outcome === 'success' ? 6 : 4;
  const sd = `[${SD_ID} leafIndex="${record.leafIndex}" id="${paramValue(record.id)}" tenant="${paramValue(record.envelope.tenant)}"]`;
  return message(header, severity, record.envelope.time, record.envelope.action, sd, text);
}

/** The batch's trailer as a message of its own, MSGID `trailmark.batch`, the trailer's JSON as MSG. */
export function syslogTrailerMessage(header: SyslogHeader, trailer: Record<string, unknown>, time: string): string {
  const sd = `[${SD_ID} from="${String(trailer.from)}" to="${String(trailer.to)}" treeSize="${String(trailer.treeSize)}"]`;
  return message(header, 6, time, 'trailmark.batch', sd, JSON.stringify(trailer));
}

function message(header: SyslogHeader, severity: number, time: string, msgId: string, sd: string, text: string): string {
  const pri = header.facility * 8 + severity;
  return `<${pri}>1 ${time} ${headerField(header.hostname, 255)} trailmark - ${headerField(msgId, 32)} ${sd} ${BOM}${text}`;
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}
