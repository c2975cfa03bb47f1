import { hostname } from 'node:os';
import { epochMillisOf } from '@trailmark/domain';
import type { SplunkHecSinkConfig } from '../stream-definition.js';
import { HTTP_TIMEOUT_MS, postOrThrow, type Sink, type SinkPayload } from './sink.js';

export const SPLUNK_HEC_PATH = '/services/collector/event';

/**
 * Splunk HTTP Event Collector: one POST a batch to /services/collector/event, the events as JSON objects one
 * after another (HEC's batch form, no array), `Authorization: Splunk <token>`. Each event's `time` is the
 * server time in epoch seconds (with milliseconds), `fields` index the leaf index, id and tenant; the trailer
 * goes last with sourcetype `trailmark:batch`.
 */
export class SplunkHecSink implements Sink {
  readonly maxRecords = 1000;
  private readonly host = hostname();

  constructor(
    private readonly config: SplunkHecSinkConfig,
    private readonly token: string,
  ) {}

  async deliver({ batch, records, trailer }: SinkPayload): Promise<void> {
    const common = { host: this.host, source: 'trailmark', ...(this.config.index !== undefined && { index: this.config.index }) };
    const events = batch.records.map((record, i) => ({
      time: epochMillisOf(record.envelope.time) / 1000,
      ...common,
      sourcetype: this.config.sourcetype ?? 'trailmark:event',
      event: records[i]!.json ?? records[i]!.text,
      fields: { leafIndex: String(record.leafIndex), id: record.id, tenant: record.envelope.tenant },
    }));
    events.push({ ...common, sourcetype: 'trailmark:batch', event: trailer } as (typeof events)[number]);
    const body = events.map((event) => JSON.stringify(event)).join('\n');
    await postOrThrow(
      new URL(SPLUNK_HEC_PATH, this.config.url).toString(),
      { authorization: `Splunk ${this.token}`, 'content-type': 'application/json' },
      body,
      HTTP_TIMEOUT_MS,
    );
  }

  async close(): Promise<void> {}
}
