import { DatadogSink } from './sinks/datadog-sink.js';
import { NatsSink } from './sinks/nats-sink.js';
import type { Sink } from './sinks/sink.js';
import { SplunkHecSink } from './sinks/splunk-hec-sink.js';
import { SyslogSink } from './sinks/syslog-sink.js';
import { WebhookSink } from './sinks/webhook-sink.js';
import type { SinkConfig } from './stream-definition.js';

/** Which sinks need a secret, and what it is to them. */
export const SINK_SECRETS: Record<SinkConfig['type'], 'required' | 'optional' | 'none'> = {
  webhook: 'required',
  syslog: 'none',
  nats: 'optional',
  splunk_hec: 'required',
  datadog: 'required',
};

/** The sink a configuration names, with its secret (HMAC key, NATS token, HEC token, Datadog API key). */
export function openSink(config: SinkConfig, secret: string | undefined): Sink {
  switch (config.type) {
    case 'webhook':
      return new WebhookSink(config, secret);
    case 'syslog':
      return new SyslogSink(config);
    case 'nats':
      return new NatsSink(config, secret === undefined ? {} : { token: secret });
    case 'splunk_hec':
      return new SplunkHecSink(config, secret ?? '');
    case 'datadog':
      return new DatadogSink(config, secret ?? '');
  }
}
