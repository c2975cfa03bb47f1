import { hostname } from 'node:os';
import type { DatadogSinkConfig } from '../stream-definition.js';
import { HTTP_TIMEOUT_MS, postOrThrow, type Sink, type SinkPayload } from './sink.js';

export const DATADOG_LOGS_PATH = '/api/v2/logs';

/**
 * Datadog logs intake v2: one POST a batch to /api/v2/logs with `DD-API-KEY`, a JSON array of log entries
 * (ddsource, ddtags, hostname, service, message), at most 1,000 entries (the intake's limit) — so at most
 * 999 records and the trailer. `message` is the record's text; a 202 advances the cursor.
 */
export class DatadogSink implements Sink {
  readonly maxRecords = 999;
  private readonly host = hostname();

  constructor(
    private readonly config: DatadogSinkConfig,
    private readonly apiKey: string,
  ) {}

  async deliver({ batch, records, trailer }: SinkPayload): Promise<void> {
    const tags = [`tenant:${batch.tenant}`, `stream:${batch.streamId}`, ...(this.config.tags ? [this.config.tags] : [])].join(',');
    const entry = (message: string) => ({ ddsource: 'trailmark', ddtags: tags, hostname: this.host, service: this.config.service, message });
    const body = JSON.stringify([...records.map((record) => entry(record.text)), entry(JSON.stringify(trailer))]);
    await postOrThrow(
      new URL(DATADOG_LOGS_PATH, this.config.url).toString(),
      { 'dd-api-key': this.apiKey, 'content-type': 'application/json' },
      body,
      HTTP_TIMEOUT_MS,
    );
  }

  async close(): Promise<void> {}
}
