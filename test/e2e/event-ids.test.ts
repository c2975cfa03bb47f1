// Event ids are idempotency keys of one tenant (issue 13, item 9): a tenant cannot claim an id another
// tenant will use, and nothing it gets back (a 409, a receipt, a 404) tells it that another tenant used
// an id. The Nil UUID is no id. A data dir written before ids were per tenant keeps working.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Api, expectError, expectNothingStored, loginEvent, writeTokensFile, type ReceiptBody, type StoredEventBody } from '../support/http-api.js';
import { makeDataDir, startLedger, TEST_STORE, type LedgerProcess } from '../support/ledger-process.js';
import { runTrailmark } from '../support/run-cli.js';

const TOKENS = {
  acmeIngest: { name: 'acme-ingest', token: 'acme-ingest-token', roles: ['ingest'], tenants: ['acme'] },
  globexIngest: { name: 'globex-ingest', token: 'globex-ingest-token', roles: ['ingest'], tenants: ['globex'] },
  globexReader: { name: 'globex-reader', token: 'globex-reader-token', roles: ['reader'], tenants: ['globex'] },
};

let ledger: LedgerProcess;
let cleanup: () => Promise<void>;
let work: string;
let admin: Api;
let acme: Api;
let globex: Api;
const env = () => ({ TRAILMARK_TOKENS_FILE: writeTokensFile(work, Object.values(TOKENS)) });

beforeAll(async () => {
  const dir = makeDataDir();
  cleanup = dir.cleanup;
  work = mkdtempSync(join(tmpdir(), 'trailmark-event-ids-'));
  ledger = await startLedger(dir.dataDir, env());
  admin = new Api(ledger.url);
  acme = admin.as(TOKENS.acmeIngest.token);
  globex = admin.as(TOKENS.globexIngest.token);
});

afterAll(async () => {
  try {
    expect(await ledger.stop()).toBe(0);
  } finally {
    await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

const login = (tenant: string, id: string, extra: Record<string, unknown> = {}) => loginEvent({ tenant, id, ...extra });
const NIL = '00000000-0000-0000-0000-000000000000';

describe('ids are per tenant', () => {
  test('globex takes an id first; acme records it afterwards as its own event, and both retries answer their own receipt', async () => {
    const id = crypto.randomUUID();
    const taken = await globex.post<ReceiptBody>('/v1/events', login('globex', id, { reason: 'squatting' }));
    expect(taken.status).toBe(201);
    const mine = await acme.post<ReceiptBody>('/v1/events', login('acme', id));
    expect(mine.status).toBe(201);
    expect(mine.json.id).toBe(id);
    expect(mine.json.leafIndex).not.toBe(taken.json.leafIndex);

    expect(await acme.post('/v1/events', login('acme', id))).toMatchObject({ status: 200, json: mine.json });
    expect(await globex.post('/v1/events', login('globex', id, { reason: 'squatting' }))).toMatchObject({ status: 200, json: taken.json });
    // Within a tenant the id is still a conflict for other content.
    expectError(await acme.post('/v1/events', login('acme', id, { outcome: 'failure' })), 409, 'event_id_conflict');
  });

  test('an id acme used is, for globex, an id like any other: 201, never a 409', async () => {
    const id = crypto.randomUUID();
    await acme.post('/v1/events', login('acme', id));
    for (const body of [login('globex', id), login('globex', id.toUpperCase(), { outcome: 'failure' })]) {
      const reply = await globex.post<ReceiptBody>('/v1/events/batch', { events: [body] });
      // The second is globex's own id again with other content: its conflict is with globex's event, not acme's.
      expect(reply.status).toBe(body.outcome === 'failure' ? 409 : 201);
    }
  });

  test('a batch may hold one id in two tenants', async () => {
    const id = crypto.randomUUID();
    const reply = await admin.post<{ events: ReceiptBody[] }>('/v1/events/batch', { events: [login('acme', id), login('globex', id)] });
    expect(reply.status).toBe(201);
    expect(reply.json.events.map((receipt) => receipt.id)).toEqual([id, id]);
  });

  test('reads by id: a reader of globex gets globex\'s event or a 404, an all-tenant reader names the tenant', async () => {
    const id = crypto.randomUUID();
    const acmeReceipt = (await acme.post<ReceiptBody>('/v1/events', login('acme', id))).json;
    const reader = admin.as(TOKENS.globexReader.token);
    expectError(await reader.get(`/v1/events/${id}`), 404, 'not_found');
    const globexReceipt = (await globex.post<ReceiptBody>('/v1/events', login('globex', id))).json;

    const seen = await reader.get<StoredEventBody>(`/v1/events/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({ id, leafIndex: globexReceipt.leafIndex, event: { tenant: 'globex' } });
    expectError(await reader.get(`/v1/events/${id}?tenant=acme`), 404, 'not_found');

    const ambiguous = expectError(await admin.get(`/v1/events/${id}`), 409, 'ambiguous_event_id');
    expect(ambiguous.details).toMatchObject({ parameter: 'tenant', tenants: ['acme', 'globex'] });
    expect(await admin.get(`/v1/events/${id}?tenant=acme`)).toMatchObject({ status: 200, json: { leafIndex: acmeReceipt.leafIndex } });
    const proof = await admin.get<{ leafIndex: number }>(`/v1/events/${id}/proof?tenant=globex`);
    expect(proof.json.leafIndex).toBe(globexReceipt.leafIndex);
  });

  test.each([NIL, NIL.replaceAll('0', 'f'), NIL.replaceAll('0', 'F')])('the id %s → 400 naming id, nothing stored', async (id) => {
    const reply = await expectNothingStored(admin, () => admin.post('/v1/events', login('acme', id)));
    expectError(reply, 400, 'invalid_event', 'id');
    expectError(await admin.post('/v1/events/batch', { events: [loginEvent(), login('acme', id)] }), 400, 'invalid_event', 'events[1].id');
  });
});

// A ledger.db as versions before per-tenant ids wrote it: events filed in the store under their event id,
// ledger_leaves without the tenant and envelope id of each leaf. Made from this data dir by undoing both.
function downgradeToSharedIds(path: string): void {
  const db = new Database(path);
  db.exec(`DROP INDEX ledger_leaves_by_key; DROP INDEX ledger_leaves_without_key;
           ALTER TABLE ledger_leaves DROP COLUMN tenant; ALTER TABLE ledger_leaves DROP COLUMN envelope_id;
           DROP TRIGGER events_no_update;`);
  const rows = db.prepare<[], { position: number; id: string; data: Buffer }>('SELECT position, id, data FROM events').all();
  db.transaction(() => {
    for (const row of rows) {
      const envelopeId = (JSON.parse(row.data.toString('utf8')) as { id?: string }).id;
      if (envelopeId === undefined) continue;
      db.prepare('UPDATE events SET id = ? WHERE position = ?').run(envelopeId, row.position);
      db.prepare('UPDATE ledger_leaves SET event_id = ? WHERE event_id = ?').run(envelopeId, row.id);
    }
  })();
  db.close();
}

// The embedded store only: on EventStoreDB the events live in the server, which no older version filed otherwise.
(TEST_STORE === 'sqlite' ? test : test.skip)(
  'a data dir from before per-tenant ids: its events keep their retries, conflicts and reads, and new tenants may reuse their ids',
  async () => {
    const own = makeDataDir();
    let service = await startLedger(own.dataDir, env());
    try {
      const id = crypto.randomUUID();
      const other = crypto.randomUUID();
      const api = () => new Api(service.url);
      const old = (await api().post<ReceiptBody>('/v1/events', login('acme', id))).json;
      await api().post('/v1/events', login('globex', other));
      expect(await service.stop()).toBe(0);
      downgradeToSharedIds(join(own.dataDir, 'ledger.db'));

      service = await startLedger(own.dataDir, env());
      expect(await api().post('/v1/events', login('acme', id))).toMatchObject({ status: 200, json: old });
      expectError(await api().post('/v1/events', login('acme', id, { outcome: 'failure' })), 409, 'event_id_conflict');
      expect(await api().get(`/v1/events/${id}`)).toMatchObject({ status: 200, json: { id, leafIndex: old.leafIndex } });
      expect((await api().post('/v1/events', login('globex', id))).status).toBe(201);
      expect((await api().post('/v1/events', login('acme', other))).status).toBe(201);
      expectError(await api().get(`/v1/events/${id}`), 409, 'ambiguous_event_id');

      expect(await service.stop()).toBe(0);
      const verified = await runTrailmark(['verify', '--data-dir', own.dataDir]);
      expect(verified.stderr + verified.stdout).not.toMatch(/files it as/);
      expect(verified.code).toBe(0);
    } finally {
      await service.stop();
      await own.cleanup();
    }
  },
);
