import type { FormattedRecord } from '../record-format.js';
import type { StreamBatch } from '../stream-record.js';

/** A batch ready to send: its records in the stream's format and its trailing record (see batchTrailer). */
export interface SinkPayload {
  readonly batch: StreamBatch;
  readonly records: readonly FormattedRecord[];
  readonly trailer: Record<string, unknown>;
}

/**
 * Where a stream's batches go. `deliver` resolves only once the receiver has taken the whole batch (a 2xx, a
 * JetStream acknowledgement, the bytes flushed on the syslog connection), and rejects otherwise: the batch is
 * then sent again whole, so a receiver may see a record twice, always with the same leaf index and id.
 */
export interface Sink {
  /** At most this many records per batch (the receiver's own limit). */
  readonly maxRecords: number;
  deliver(payload: SinkPayload): Promise<void>;
  close(): Promise<void>;
}

/** A receiver answered, but not with success: the status and the start of its body. */
export class SinkRefusedError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`the receiver answered ${status}${body === '' ? '' : `: ${body.slice(0, 200)}`}`);
  }
}

/** HTTP receivers: POST, and anything but a 2xx is a failure to retry. */
export async function postOrThrow(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) throw new SinkRefusedError(response.status, text);
}

export const HTTP_TIMEOUT_MS = 30_000;
