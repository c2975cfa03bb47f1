// Log streams end to end over HTTP: a ledger, a stream created through the API, a local webhook receiver.
import { expectError, loginEvent, writeTokensFile, type Api, type ReceiptBody } from '../support/http-api.js';
import { DEV_TOKEN, makeDataDir, startLedger } from '../support/ledger-process.js';
import { ndjsonLines, signatureValid, startHttpReceiver, until, type HttpReceiver } from '../support/stream-receivers.js';
import { Api as Client } from '../support/http-api.js';

const HMAC_KEY = 'whsec-test-key';
const READER = 'reader-token-for-streams';
const OTHER_ADMIN = 'globex-admin-token';

interface StreamBody {
  id: string;
  status: string;
  cursor: number;
  lag: number;
  delivered: number;
  failedAttempts: number;
  secret?: unknown;
}

let api: Api;
let stop: () => Promise<void>;

beforeAll(async () => {
  const dir = makeDataDir();
  const tokensFile = writeTokensFile(dir.dataDir, [
    { name: 'acme-reader', token: READER, roles: ['reader'], tenants: ['acme'] },
    { name: 'globex-admin', token: OTHER_ADMIN, roles: ['admin'], tenants: ['globex'] },
  ]);
  const ledger = await startLedger(dir.dataDir, {
    TRAILMARK_TOKENS_FILE: tokensFile,
    TRAILMARK_STREAM_ALLOW_PRIVATE: '1',
    TRAILMARK_STREAM_RETRY_INITIAL_MS: '10',
    TRAILMARK_STREAM_RETRY_MAX_MS: '100',
    TRAILMARK_STREAM_RETRY_ATTEMPTS: '3',
  });
  api = new Client(ledger.url);
  stop = async () => {
    expect(await ledger.stop()).toBe(0);
    await dir.cleanup();
  };
});

afterAll(async () => stop());

function createStream(tenant: string, body: Record<string, unknown>, token = DEV_TOKEN) {
  return api.as(token).post<StreamBody>(`/v1/tenants/${tenant}/streams`, body);
}

function webhook(receiver: HttpReceiver, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'siem', sink: { type: 'webhook', url: `${receiver.url}/hook` }, secret: HMAC_KEY, start: { leaf: 0 }, ...extra };
}

/** Records `count` logins of `tenant` (actor u_<i>) and returns their receipts. */
async function loginsOf(tenant: string, count: number, outcome = 'success') {
  const receipts: ReceiptBody[] = [];
  for (let i = 0; i < count; i++) receipts.push(await api.record(loginEvent({ tenant, outcome, actor: { type: 'user', id: `u_${i}` } })));
  return receipts;
}

type Line = Record<string, unknown> & { leafIndex?: number; id?: string; event?: { tenant: string; action: string; outcome: string } };

function recordsOf(receiver: HttpReceiver): Line[] {
  return ndjsonLines(receiver.accepted.map((request) => request.body)).filter((line) => line.trailmark === undefined) as Line[];
}

describe('log streams to a webhook', () => {
  test('a backfill from leaf 0 delivers every event of the tenant and filter, in leaf order, signed, each batch with its trailer', async () => {
    const receiver = await startHttpReceiver();
    try {
      const acme = await loginsOf('acme', 12);
      await loginsOf('globex', 5);
      await loginsOf('acme', 4, 'failure');
      const created = await createStream('acme', webhook(receiver, { filter: { actions: ['user.login'], outcomes: ['success'] } }));
      expect(created.status).toBe(201);
      expect(created.json.secret).toBeUndefined();
      expect(created.text).not.toContain(HMAC_KEY);
      await until(() => recordsOf(receiver).length >= acme.length);
      const records = recordsOf(receiver);
      expect(records.map((record) => record.id)).toEqual(acme.map((receipt) => receipt.id));
      expect(records.map((record) => record.leafIndex)).toEqual(acme.map((receipt) => receipt.leafIndex));
      for (const record of records) expect(record.event).toMatchObject({ tenant: 'acme', action: 'user.login', outcome: 'success' });
      for (const request of receiver.accepted) {
        expect(request.headers['content-type']).toBe('application/x-ndjson');
        expect(signatureValid(request.headers['trailmark-signature'], request.body, HMAC_KEY)).toBe(true);
        const lines = ndjsonLines([request.body]);
        const trailer = lines.at(-1)!;
        expect(trailer).toMatchObject({ trailmark: 'trailmark-stream-batch/2', tenant: 'acme', records: lines.length - 1 });
        expect(String(trailer.checkpoint)).toMatch(/\n\n— /);
      }
    } finally {
      await receiver.close();
    }
  });

  test('a receiver down for a while, then back: nothing missing, nothing out of order, duplicates only with the same ids', async () => {
    // The first six requests fail: more than one batch's attempts, so the stream is marked failing on the way.
    const receiver = await startHttpReceiver({ answer: (_request, n) => (n < 6 ? 503 : 200) });
    try {
      // Only logins: the stream's own stream.created event is an event of the tenant too.
      const created = await createStream('outage', webhook(receiver, { filter: { actions: ['user.login'] } }));
      const receipts = await loginsOf('outage', 30);
      await until(() => new Set(recordsOf(receiver).map((record) => record.id)).size >= receipts.length);
      const records = recordsOf(receiver);
      const firstSeen = [...new Map(records.map((record) => [record.leafIndex, record.id])).entries()];
      expect(firstSeen.map(([leafIndex, id]) => ({ leafIndex, id }))).toEqual(receipts.map((receipt) => ({ leafIndex: receipt.leafIndex, id: receipt.id })));
      // In leaf order within every delivery; a record seen twice has the same id both times.
      for (const request of receiver.accepted) {
        const indexes = ndjsonLines([request.body]).filter((line) => line.trailmark === undefined).map((line) => line.leafIndex as number);
        expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
      }
      expect(receiver.refused.length).toBe(6);
      const state = await api.get<StreamBody>(`/v1/tenants/outage/streams/${created.json.id}`);
      expect(state.json.failedAttempts).toBeGreaterThanOrEqual(6);
      await until(async () => (await api.get<StreamBody>(`/v1/tenants/outage/streams/${created.json.id}`)).json.status === 'active');
      // /metrics shows the stream: nothing behind, its deliveries, its failed attempts, when it last succeeded.
      const metrics = (await api.as(undefined).get('/metrics')).text;
      const labels = `{stream="${created.json.id}",tenant="outage"}`;
      expect(metrics).toContain(`trailmark_stream_failed_attempts${labels} 6`);
      expect(metrics).toMatch(new RegExp(`trailmark_stream_delivered_records${labels.replace(/[{}]/g, '\\$&')} (\\d+)`));
      expect(metrics).toContain(`trailmark_stream_failing${labels} 0`);
      expect(metrics).toMatch(new RegExp(`trailmark_stream_last_success_timestamp_seconds${labels.replace(/[{}]/g, '\\$&')} \\d+`));
      expect(metrics).toMatch(new RegExp(`trailmark_stream_lag_events${labels.replace(/[{}]/g, '\\$&')} \\d+`));
    } finally {
      await receiver.close();
    }
  });

  test('pause holds delivery, resume delivers what was held; replay sends it again with the same ids', async () => {
    const paused = await startHttpReceiver();
    const witness = await startHttpReceiver();
    try {
      const logins = { filter: { categories: ['authentication'] } };
      const stream = await createStream('pausing', webhook(paused, logins));
      await createStream('pausing', webhook(witness, logins));
      const before = await loginsOf('pausing', 3);
      await until(() => recordsOf(paused).length >= 3);
      const patch = await api.request<StreamBody>('PATCH', `/v1/tenants/pausing/streams/${stream.json.id}`, { body: { paused: true } });
      expect(patch.status).toBe(200);
      expect(patch.json.status).toBe('paused');
      const held = await loginsOf('pausing', 4);
      // The witness, an unpaused stream of the same tenant, has been given every held event: the paused one had the same chance.
      await until(() => recordsOf(witness).length >= before.length + held.length);
      expect(recordsOf(paused).map((record) => record.id)).toEqual(before.map((receipt) => receipt.id));
      await api.request('PATCH', `/v1/tenants/pausing/streams/${stream.json.id}`, { body: { paused: false } });
      await until(() => recordsOf(paused).length >= 7);
      expect(recordsOf(paused).map((record) => record.id)).toEqual([...before, ...held].map((receipt) => receipt.id));

      const replay = await api.post<StreamBody>(`/v1/tenants/pausing/streams/${stream.json.id}/replay?from=${before[1]!.leafIndex}`, {});
      expect(replay.status).toBe(200);
      await until(() => recordsOf(paused).length >= 13);
      expect(recordsOf(paused).slice(7).map((record) => record.id)).toEqual([...before.slice(1), ...held].map((receipt) => receipt.id));

      // Each change is an event of the tenant's log, with the token's name as actor.
      const audit = await api.get<{ events: { event: { action: string; actor: { id: string } } }[] }>(
        '/v1/events?tenant=pausing&action=stream.*&order=asc',
      );
      expect(audit.status).toBe(200);
      const actions = audit.json.events.map((item) => item.event.action);
      expect(actions).toEqual(expect.arrayContaining(['stream.created', 'stream.paused', 'stream.resumed', 'stream.replayed']));
      for (const item of audit.json.events) expect(item.event.actor.id).toBe('dev');
    } finally {
      await paused.close();
      await witness.close();
    }
  });

  test('POST …/test sends a batch without records; DELETE stops the stream', async () => {
    const receiver = await startHttpReceiver();
    try {
      const stream = await createStream('testing', webhook(receiver, { start: 'now' }));
      const tested = await api.post<{ delivered: boolean }>(`/v1/tenants/testing/streams/${stream.json.id}/test`, {});
      expect(tested.json).toEqual({ delivered: true });
      const testBatch = receiver.accepted.map((request) => ndjsonLines([request.body])).find((lines) => lines.some((line) => line.test === true));
      expect(testBatch).toEqual([expect.objectContaining({ test: true, records: 0 })]);
      expect(signatureValid(receiver.accepted.find((request) => request.body.includes('"test":true'))!.headers['trailmark-signature'], JSON.stringify(testBatch![0]) + '\n', HMAC_KEY)).toBe(true);
      const removed = await api.request('DELETE', `/v1/tenants/testing/streams/${stream.json.id}`);
      expect(removed.status).toBe(204);
      expectError(await api.get(`/v1/tenants/testing/streams/${stream.json.id}`), 404, 'not_found');
    } finally {
      await receiver.close();
    }
  });

  test('a reader cannot create streams, an admin of another tenant cannot touch this one, bad bodies name their field', async () => {
    const body = { name: 'x', sink: { type: 'webhook', url: 'http://127.0.0.1:9/hook' }, secret: HMAC_KEY };
    expectError(await createStream('acme', body, READER), 403, 'forbidden');
    expectError(await createStream('acme', body, OTHER_ADMIN), 403, 'forbidden');
    expect((await api.as(READER).get('/v1/tenants/acme/streams')).status).toBe(200);
    expectError(await createStream('acme', { ...body, secret: undefined }), 400, 'bad_request', 'secret');
    expectError(await createStream('acme', { ...body, filter: { actions: ['user.flew'] } }), 400, 'bad_request', 'filter.actions[0]');
    expectError(await createStream('acme', { ...body, sink: { type: 'webhook', url: 'ftp://x' } }), 400, 'bad_request', 'sink.url');
    expectError(await createStream('acme', { ...body, format: 'cef' }), 400, 'bad_request', 'format');
  });
});

describe('outbound addresses', () => {
  test('without TRAILMARK_STREAM_ALLOW_PRIVATE, a loopback or private sink is refused with 400 and nothing is stored', async () => {
    const dir = makeDataDir();
    const ledger = await startLedger(dir.dataDir);
    try {
      const strict = new Client(ledger.url);
      for (const url of ['http://127.0.0.1:8080/hook', 'http://10.1.2.3/hook', 'http://169.254.169.254/latest', 'http://[::1]:80/x', 'http://localhost/x']) {
        const reply = await strict.post(`/v1/tenants/acme/streams`, { name: 'x', sink: { type: 'webhook', url }, secret: HMAC_KEY });
        expectError(reply, 400, 'bad_request', 'sink.url');
      }
      expect((await strict.get<{ streams: unknown[] }>('/v1/tenants/acme/streams')).json.streams).toEqual([]);
      expect(await strict.treeSize()).toBe(0);
    } finally {
      expect(await ledger.stop()).toBe(0);
      await dir.cleanup();
    }
  });
});
