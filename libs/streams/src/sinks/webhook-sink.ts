import { createHmac } from 'node:crypto';
import type { WebhookSinkConfig } from '../stream-definition.js';
import { HTTP_TIMEOUT_MS, postOrThrow, type Sink, type SinkPayload } from './sink.js';

export const SIGNATURE_HEADER = 'Trailmark-Signature';

/**
 * The signature header of a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The
 * timestamp is signed with the body so that a receiver can refuse an old request replayed to it.
 */
export function signatureHeader(key: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', key).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** POSTs each batch as NDJSON (its records, then its trailer), signed with the stream's HMAC key. */
export class WebhookSink implements Sink {
  readonly maxRecords = 1000;

  constructor(
    private readonly config: WebhookSinkConfig,
    private readonly hmacKey: string | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deliver({ batch, records, trailer }: SinkPayload): Promise<void> {
    const body = [...records.map((record) => record.text), JSON.stringify(trailer)].join('\n') + '\n';
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson',
      'trailmark-stream': batch.streamId,
      'trailmark-leaf-range': `${batch.from}-${batch.to}`,
    };
    if (this.hmacKey !== undefined) headers[SIGNATURE_HEADER] = signatureHeader(this.hmacKey, body, Math.floor(this.now().getTime() / 1000));
    await postOrThrow(this.config.url, headers, body, HTTP_TIMEOUT_MS);
  }

  async close(): Promise<void> {}
}
