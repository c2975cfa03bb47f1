// SIGKILL of the ledger while a stream's batch is in flight: after the restart the stream resumes from its cursor.
import { loginEvent, Api, type ReceiptBody } from '../support/http-api.js';
import { makeDataDir, startLedger } from '../support/ledger-process.js';
import { ndjsonLines, startHttpReceiver, until } from '../support/stream-receivers.js';

const env = { TRAILMARK_STREAM_ALLOW_PRIVATE: '1', TRAILMARK_STREAM_RETRY_INITIAL_MS: '10', TRAILMARK_STREAM_RETRY_MAX_MS: '100' };

test('a batch cut off by SIGKILL is sent again after the restart: nothing skipped, first sightings in leaf order', async () => {
  const dir = makeDataDir();
  // The receiver takes the first two batches, then refuses every request until the ledger is killed.
  let holding = true;
  const receiver = await startHttpReceiver({ answer: (_request, n) => (n >= 2 && holding ? 599 : 200) });
  let ledger = await startLedger(dir.dataDir, env);
  try {
    const api = new Api(ledger.url);
    const receipts: ReceiptBody[] = [];
    const created = await api.post<{ id: string }>('/v1/tenants/crashco/streams', {
      name: 'crash',
      sink: { type: 'webhook', url: `${receiver.url}/hook` },
      secret: 'k',
      filter: { actions: ['user.login'] },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 20; i++) receipts.push(await api.record(loginEvent({ tenant: 'crashco', actor: { type: 'user', id: `u_${i}` } })));
    // Failing requests show a batch is in flight (and retried) past the first ones accepted.
    await until(() => receiver.refused.length >= 2);
    await ledger.kill();
    holding = false;
    ledger = await startLedger(dir.dataDir, env);
    const restarted = new Api(ledger.url);
    for (let i = 0; i < 5; i++) receipts.push(await restarted.record(loginEvent({ tenant: 'crashco', actor: { type: 'user', id: `v_${i}` } })));
    const records = () => ndjsonLines(receiver.accepted.map((request) => request.body)).filter((line) => line.trailmark === undefined);
    await until(() => new Set(records().map((line) => line.id)).size >= receipts.length);
    const firstSeen = [...new Map(records().map((line) => [line.leafIndex as number, line.id as string])).entries()];
    expect(firstSeen).toEqual(receipts.map((receipt) => [receipt.leafIndex, receipt.id]));
    const state = await restarted.get<{ cursor: number }>(`/v1/tenants/crashco/streams/${created.json.id}`);
    expect(state.json.cursor).toBeGreaterThan(receipts.at(-1)!.leafIndex);
  } finally {
    expect(await ledger.stop()).toBe(0);
    await receiver.close();
    await dir.cleanup();
  }
});
