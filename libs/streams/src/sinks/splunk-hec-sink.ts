import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { epochMillisOf } from '@trailmark/domain';
import type { SplunkHecSinkConfig } from '../stream-definition.js';
import { HTTP_TIMEOUT_MS, SinkRefusedError, type Sink, type SinkPayload } from './sink.js';

export const SPLUNK_HEC_PATH = '/services/collector/event';
export const SPLUNK_ACK_PATH = '/services/collector/ack';

/** Polls of /services/collector/ack before a batch counts as lost and is sent again (HEC's own default ack timeout is minutes). */
const ACK_POLLS = 600;
const ACK_POLL_MS = 500;

/**
 * Splunk HTTP Event Collector: one POST a batch to /services/collector/event, the events as JSON objects one
 * after another (HEC's batch form, no array), `Authorization: Splunk <token>`. Each event's `time` is the
 * server time in epoch seconds (with milliseconds), `fields` index the leaf index, id and tenant; the trailer
 * goes last with sourcetype `trailmark:batch`. With `ack`, every request names the sink's channel
 * (`X-Splunk-Request-Channel`, a GUID), and a batch is taken only once POST /services/collector/ack reports
 * its `ackId` indexed.
 */
export class SplunkHecSink implements Sink {
  readonly maxRecords = 1000;
  private readonly host = hostname();
  private readonly channel = randomUUID();

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
    const answer = await this.post(SPLUNK_HEC_PATH, body);
    if (!this.config.ack) return;
    const ackId = (answer as { ackId?: unknown }).ackId;
    if (typeof ackId !== 'number') throw new Error('HEC answered without an ackId: is indexer acknowledgement on for this token?');
    for (let poll = 0; poll < ACK_POLLS; poll++) {
      const status = (await this.post(SPLUNK_ACK_PATH, JSON.stringify({ acks: [ackId] }))) as { acks?: Record<string, unknown> };
      if (status.acks?.[String(ackId)] === true) return;
      await sleep(ACK_POLL_MS);
    }
    throw new Error(`HEC did not acknowledge ackId ${ackId} on channel ${this.channel}`);
  }

  /** POSTs to HEC; anything but a 2xx is a failure to retry. Resolves with the JSON answer. */
  private async post(path: string, body: string): Promise<unknown> {
    const headers: Record<string, string> = { authorization: `Splunk ${this.token}`, 'content-type': 'application/json' };
    if (this.config.ack) headers['x-splunk-request-channel'] = this.channel;
    const response = await fetch(new URL(path, this.config.url), { method: 'POST', headers, body, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status < 200 || response.status > 299) throw new SinkRefusedError(response.status, text);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return {};
    }
  }

  async close(): Promise<void> {}
}
