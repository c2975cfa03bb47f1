/**
 * A log stream: one tenant's events, filtered, formatted and pushed to one sink, from its own cursor.
 * Everything here is public configuration (it is returned by the API and recorded in the ledger when it
 * changes); the sink's secret (HMAC key, HEC token, API key) is kept apart and never returned.
 */

export const SINK_TYPES = ['webhook', 'syslog', 'nats', 'splunk_hec', 'datadog'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

export const STREAM_FORMATS = ['native', 'ocsf', 'cef'] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];

export const OUTCOMES = ['success', 'failure', 'error'] as const;

export interface WebhookSinkConfig {
  readonly type: 'webhook';
  readonly url: string;
}

export interface SyslogSinkConfig {
  readonly type: 'syslog';
  readonly host: string;
  readonly port: number;
  /** RFC 5425 (syslog over TLS) when true, plain TCP (RFC 6587 octet counting) when false. */
  readonly tls: boolean;
  /** PEM of the CA that signed the receiver's certificate, when it is not a public one. */
  readonly caPem?: string;
  /** RFC 5424 facility (default 13, "log audit"). */
  readonly facility: number;
}

export interface NatsSinkConfig {
  readonly type: 'nats';
  /** nats://host:port */
  readonly url: string;
  /** The subject to publish on; a JetStream stream must capture it. */
  readonly subject: string;
}

export interface SplunkHecSinkConfig {
  readonly type: 'splunk_hec';
  /** The HEC base URL, e.g. https://splunk.example.com:8088 (the path /services/collector/event is added). */
  readonly url: string;
  readonly index?: string;
  readonly sourcetype?: string;
  /** Indexer acknowledgement: a batch counts as taken only once HEC's /services/collector/ack says it is indexed. */
  readonly ack?: boolean;
}

export interface DatadogSinkConfig {
  readonly type: 'datadog';
  /** The logs intake site URL, e.g. https://http-intake.logs.datadoghq.eu (the path /api/v2/logs is added). */
  readonly url: string;
  readonly service: string;
  readonly tags?: string;
}

export type SinkConfig = WebhookSinkConfig | SyslogSinkConfig | NatsSinkConfig | SplunkHecSinkConfig | DatadogSinkConfig;

/** Which events of the tenant a stream carries; every list absent or empty means "all". */
export interface StreamFilter {
  readonly actions?: readonly string[];
  readonly categories?: readonly string[];
  readonly outcomes?: readonly string[];
}

export type StreamStatus = 'active' | 'paused' | 'failing';

export interface StreamDefinition {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly sink: SinkConfig;
  readonly format: StreamFormat;
  readonly filter: StreamFilter;
  readonly paused: boolean;
  readonly createdAt: string;
}

/**
 * Where a stream stands: `cursor` is the next leaf it will read; `rangeStart` the first leaf no delivered batch
 * covers yet (below the cursor when the leaves read since held nothing for it): the next batch starts there.
 */
export interface StreamProgress {
  readonly cursor: bigint;
  readonly rangeStart: bigint;
  readonly delivered: bigint;
  readonly failedAttempts: bigint;
  readonly lastSuccessAt?: string;
  readonly lastError?: string;
  readonly failing: boolean;
}
