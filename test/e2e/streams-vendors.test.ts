// Streams to Splunk HEC and Datadog logs intake v2, each against a local receiver that speaks the documented
// protocol: the request shape asserted from the vendors' docs (Splunk "Format events for HTTP Event Collector",
// Datadog API reference "Send logs").
import { loginEvent, sharedLedger, type ReceiptBody } from '../support/http-api.js';
import { startHttpReceiver, until } from '../support/stream-receivers.js';

const { api } = sharedLedger(() => ({ TRAILMARK_STREAM_ALLOW_PRIVATE: '1', TRAILMARK_STREAM_RETRY_INITIAL_MS: '20', TRAILMARK_STREAM_RETRY_MAX_MS: '200' }));

async function logins(tenant: string, count: number) {
  const receipts: ReceiptBody[] = [];
  for (let i = 0; i < count; i++) receipts.push(await api().record(loginEvent({ tenant })));
  return receipts;
}

describe('vendor sinks', () => {
  test('Splunk HEC: POST /services/collector/event, Authorization: Splunk <token>, concatenated event objects, OCSF events', async () => {
    const token = '12345678-1234-1234-1234-1234567890AB';
    // HEC refuses a wrong token with 403 {"text":"Invalid token","code":4}; it answers {"text":"Success","code":0}.
    const receiver = await startHttpReceiver({
      answer: (request) => (request.path === '/services/collector/event' && request.headers.authorization === `Splunk ${token}` ? 200 : 403),
      reply: () => '{"text":"Success","code":0}',
    });
    try {
      const receipts = await logins('splunkco', 5);
      const created = await api().post('/v1/tenants/splunkco/streams', {
        name: 'splunk',
        sink: { type: 'splunk_hec', url: receiver.url, index: 'audit' },
        secret: token,
        format: 'ocsf',
        filter: { actions: ['user.login'] },
        start: { leaf: 0 },
      });
      expect(created.status).toBe(201);
      expect(created.text).not.toContain(token);
      const events = () =>
        receiver.accepted.flatMap((request) => request.body.split('\n').map((line) => JSON.parse(line) as Record<string, unknown> & { sourcetype?: string; time?: number; index?: string; fields?: unknown; event?: unknown }));
      await until(() => events().filter((event) => event.sourcetype === 'trailmark:event').length >= receipts.length);
      for (const request of receiver.accepted) {
        expect(request.method).toBe('POST');
        expect(request.headers['content-type']).toBe('application/json');
      }
      const records = events().filter((event) => event.sourcetype === 'trailmark:event');
      records.forEach((event, i) => {
        expect(Object.keys(event).sort()).toEqual(['event', 'fields', 'host', 'index', 'source', 'sourcetype', 'time']);
        expect(event.index).toBe('audit');
        expect(typeof event.time).toBe('number');
        expect(event.time).toBeCloseTo(Date.parse(receipts[i]!.time.slice(0, 23) + 'Z') / 1000, 3);
        expect(event.fields).toEqual({ leafIndex: String(receipts[i]!.leafIndex), id: receipts[i]!.id, tenant: 'splunkco' });
        expect(event.event).toMatchObject({ class_uid: 3002, metadata: { uid: receipts[i]!.id, sequence: receipts[i]!.leafIndex, version: '1.8.0' } });
      });
      expect(events().filter((event) => event.sourcetype === 'trailmark:batch').length).toBeGreaterThan(0);
    } finally {
      await receiver.close();
    }
  });

  test('Splunk HEC with indexer acknowledgement: a channel on every request, and the cursor moves only once /services/collector/ack says indexed', async () => {
    const token = '12345678-1234-1234-1234-1234567890AC';
    // HEC with useACK answers an event POST {"text":"Success","code":0,"ackId":n} and POST /services/collector/ack
    // {"acks":[n]} with {"acks":{"n":false|true}}; both need the X-Splunk-Request-Channel GUID.
    let indexed = false;
    let nextAckId = 0;
    const polls: { channel: unknown; body: unknown; answered: boolean }[] = [];
    const receiver = await startHttpReceiver({
      answer: (request) => (request.headers.authorization === `Splunk ${token}` && typeof request.headers['x-splunk-request-channel'] === 'string' ? 200 : 400),
      reply: (request) => {
        if (request.path === '/services/collector/event') return JSON.stringify({ text: 'Success', code: 0, ackId: nextAckId++ });
        const body = JSON.parse(request.body) as { acks: number[] };
        polls.push({ channel: request.headers['x-splunk-request-channel'], body, answered: indexed });
        return JSON.stringify({ acks: Object.fromEntries(body.acks.map((id) => [String(id), indexed])) });
      },
    });
    try {
      const receipts = await logins('ackco', 5);
      const created = await api().post<{ id: string }>('/v1/tenants/ackco/streams', {
        name: 'splunk-ack',
        sink: { type: 'splunk_hec', url: receiver.url, ack: true },
        secret: token,
        filter: { actions: ['user.login'] },
        start: { leaf: 0 },
      });
      expect(created.status).toBe(201);
      const state = async () => (await api().get<{ delivered: number; sink: { ack?: boolean } }>(`/v1/tenants/ackco/streams/${created.json.id}`)).json;
      await until(() => polls.length >= 3);
      expect((await state()).delivered).toBe(0);
      indexed = true;
      await until(async () => (await state()).delivered >= receipts.length);
      expect((await state()).sink.ack).toBe(true);
      const channels = new Set(receiver.accepted.map((request) => request.headers['x-splunk-request-channel']));
      expect(channels.size).toBe(1);
      expect([...channels][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(polls.every((poll) => poll.channel === [...channels][0])).toBe(true);
      expect(polls[0]!.body).toEqual({ acks: [0] });
      expect(polls.at(-1)!.answered).toBe(true);
      expect(receiver.accepted.filter((request) => request.path === '/services/collector/event').length).toBeGreaterThan(0);
    } finally {
      await receiver.close();
    }
  });

  test('Datadog: POST /api/v2/logs, DD-API-KEY, a JSON array of {ddsource, ddtags, hostname, message, service}, 202', async () => {
    const apiKey = 'dd-test-api-key';
    const receiver = await startHttpReceiver({ answer: (request) => (request.path === '/api/v2/logs' && request.headers['dd-api-key'] === apiKey ? 202 : 403) });
    try {
      const receipts = await logins('ddco', 4);
      const created = await api().post('/v1/tenants/ddco/streams', {
        name: 'datadog',
        sink: { type: 'datadog', url: receiver.url, service: 'identity', tags: 'env:test' },
        secret: apiKey,
        filter: { actions: ['user.login'] },
        start: { leaf: 0 },
      });
      expect(created.status).toBe(201);
      const entries = () => receiver.accepted.flatMap((request) => JSON.parse(request.body) as Record<string, string>[]);
      const records = () => entries().filter((entry) => !entry.message!.includes('trailmark-stream-batch/2'));
      await until(() => records().length >= receipts.length);
      for (const request of receiver.accepted) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(JSON.parse(request.body).length).toBeLessThanOrEqual(1000);
      }
      records().forEach((entry, i) => {
        expect(Object.keys(entry).sort()).toEqual(['ddsource', 'ddtags', 'hostname', 'message', 'service']);
        expect(entry.ddsource).toBe('trailmark');
        expect(entry.service).toBe('identity');
        expect(entry.ddtags).toBe(`tenant:ddco,stream:${(created.json as { id: string }).id},env:test`);
        expect(JSON.parse(entry.message!)).toMatchObject({ leafIndex: receipts[i]!.leafIndex, id: receipts[i]!.id });
      });
    } finally {
      await receiver.close();
    }
  });
});
