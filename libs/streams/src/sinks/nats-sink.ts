import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsSinkConfig } from '../stream-definition.js';
import type { Sink, SinkPayload } from './sink.js';

/**
 * NATS JetStream: each record published on the stream's subject with `Nats-Msg-Id` = its event id, so that
 * JetStream drops a record sent again within its duplicate window; the trailer follows with the id
 * `<stream>:<from>-<to>@<treeSize>`. A batch is delivered once JetStream acknowledged every message.
 * Publishes are pipelined on one connection, which keeps their order.
 */
export class NatsSink implements Sink {
  readonly maxRecords = 1000;
  private connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;

  constructor(
    private readonly config: NatsSinkConfig,
    private readonly credentials: { readonly token?: string } = {},
  ) {}

  async deliver({ batch, records, trailer }: SinkPayload): Promise<void> {
    const { js } = await this.connect();
    const acks = batch.records.map((record, i) => js.publish(this.config.subject, records[i]!.text, { msgID: record.id }));
    acks.push(js.publish(this.config.subject, JSON.stringify(trailer), { msgID: `${batch.streamId}:${batch.from}-${batch.to}@${batch.checkpoint.size}` }));
    const settled = await Promise.allSettled(acks);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) {
      await this.close();
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.nc.close();
  }

  private connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.connection ??= (async () => {
      const url = new URL(this.config.url);
      const nc = await connect({
        servers: `${url.hostname}:${url.port || '4222'}`,
        reconnect: false,
        ...(this.credentials.token !== undefined && { token: this.credentials.token }),
      });
      return { nc, js: jetstream(nc) };
    })();
    this.connection.catch(() => (this.connection = undefined));
    return this.connection;
  }
}
