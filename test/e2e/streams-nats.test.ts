// A stream to NATS JetStream (Debian's nats-server -js on loopback), read back with a JetStream consumer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { loginEvent, sharedLedger, type ReceiptBody } from '../support/http-api.js';
import { natsAvailable, NATS_SERVER, startNatsServer } from '../support/nats-server.js';
import { until } from '../support/stream-receivers.js';

if (!natsAvailable) console.warn(`skipping the NATS stream tests: ${NATS_SERVER} is missing (Debian package nats-server)`);
const describeIf = natsAvailable ? describe : describe.skip;

const { api } = sharedLedger(() => ({ TRAILMARK_STREAM_ALLOW_PRIVATE: '1', TRAILMARK_STREAM_RETRY_INITIAL_MS: '20', TRAILMARK_STREAM_RETRY_MAX_MS: '200' }));

describeIf('log streams to NATS JetStream', () => {
  test('each event published with Nats-Msg-Id = its id, in leaf order; a replay is dropped as duplicates by JetStream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trailmark-nats-'));
    const server = await startNatsServer(dir);
    const nc = await connect({ servers: `127.0.0.1:${server.port}` });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'AUDIT', subjects: ['audit.>'] });
      const receipts: ReceiptBody[] = [];
      for (let i = 0; i < 10; i++) receipts.push(await api().record(loginEvent({ tenant: 'natsco' })));
      await api().record(loginEvent({ tenant: 'other' }));
      const created = await api().post<{ id: string }>('/v1/tenants/natsco/streams', {
        name: 'nats',
        sink: { type: 'nats', url: server.url, subject: 'audit.natsco' },
        filter: { actions: ['user.login'] },
        start: { leaf: 0 },
      });
      expect(created.status).toBe(201);
      const messages = async () => (await jsm.streams.info('AUDIT')).state.messages;
      const stored = async () => {
        const items = [];
        for (let seq = 1; seq <= (await messages()); seq++) items.push((await jsm.streams.getMessage('AUDIT', { seq }))!);
        return items;
      };
      // Records and at least one trailer; then every record's id is its message id, in leaf order.
      await until(async () => (await messages()) >= receipts.length + 1);
      const records = (await stored()).filter((message) => !message.string().includes('trailmark-stream-batch/2'));
      expect(records.map((message) => message.header?.get('Nats-Msg-Id'))).toEqual(receipts.map((receipt) => receipt.id));
      expect(records.map((message) => (message.json() as { leafIndex: number }).leafIndex)).toEqual(receipts.map((receipt) => receipt.leafIndex));

      const before = await messages();
      const replay = await api().post(`/v1/tenants/natsco/streams/${created.json.id}/replay?from=0`, {});
      expect(replay.status).toBe(200);
      // The replayed batch's trailer has a new id only if its range differs; records are deduplicated by their ids.
      await until(async () => (await api().get<{ lag: number; cursor: number }>(`/v1/tenants/natsco/streams/${created.json.id}`)).json.cursor > receipts.at(-1)!.leafIndex);
      const after = (await stored()).filter((message) => !message.string().includes('trailmark-stream-batch/2'));
      expect(after).toHaveLength(records.length);
      expect(await messages()).toBeGreaterThanOrEqual(before);
    } finally {
      await nc.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
