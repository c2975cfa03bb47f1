// Reads are recorded before data leaves (issue 13, item 11): an all-tenant export holds its `audit_log.exported`
// before its first byte, so a client that hangs up early leaves a trace; reading one event or its proof is an
// `audit_log.read` of the event's tenant, one a request; and a read naming a tenant with no events records
// nothing in that made-up tenant.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, loginEvent, writeTokensFile, type StoredEventBody } from '../support/http-api.js';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

const READER = { name: 'bulk-reader', token: 'bulk-reader-token', roles: ['reader'], tenants: ['bulk', 'empty'] };

/** Events whose OCSF lines are about 58 KB each (the detail's changes ride in entity and entity_result). */
const LARGE_EVENTS = 320;
const BATCH = 16;
/**
 * Far more than loopback socket buffers hold (4 MiB send buffer at most here, /proc/sys/net/ipv4/tcp_wmem), so the
 * export cannot have been written to the end when the client hangs up after its first bytes.
 */
const EXPORT_BYTES_AT_LEAST = 16 * 1024 * 1024;

let ledger: LedgerProcess;
let cleanup: () => Promise<void>;
let admin: Api;
let work: string;

beforeAll(async () => {
  const dir = makeDataDir();
  cleanup = dir.cleanup;
  work = mkdtempSync(join(tmpdir(), 'trailmark-read-audit-'));
  ledger = await startLedger(dir.dataDir, { TRAILMARK_TOKENS_FILE: writeTokensFile(work, [READER]) });
  admin = new Api(ledger.url);
  for (let i = 0; i < LARGE_EVENTS; i += BATCH) {
    const events = Array.from({ length: BATCH }, (_, k) => ({
      tenant: 'bulk',
      action: 'org.settings.changed',
      outcome: 'success',
      actor: { type: 'user', id: 'admin_1' },
      targets: [{ type: 'org', id: 'bulk' }],
      changes: { before: { banner: 'a'.repeat(28_000 + k) }, after: { banner: 'b'.repeat(28_000 + i) } },
    }));
    const reply = await admin.post('/v1/events/batch', { events });
    expect(reply.status).toBe(201);
  }
  await admin.record(loginEvent({ tenant: 'bulk' }), '?wait=checkpoint');
});

afterAll(async () => {
  expect(await ledger.stop()).toBe(0);
  await cleanup();
  rmSync(work, { recursive: true, force: true });
});

type Found = { leafIndex: number; event: { id: string; tenant: string; action: string; actor: { id: string } } }[];

async function search(query: string): Promise<Found> {
  const reply = await admin.get<{ events: Found }>(`/v1/events?${query}&limit=1000`);
  expect(reply.status).toBe(200);
  return reply.json.events;
}

/** GET `path` with the dev token, read the first bytes of the body, and hang up. Resolves with how many arrived. */
function readFirstBytesAndHangUp(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${ledger.url}${path}`, { headers: { authorization: `Bearer ${DEV_TOKEN}` } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode}`));
      res.once('data', (chunk: Buffer) => {
        res.destroy();
        req.destroy();
        resolve(chunk.length);
      });
    });
    req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    req.end();
  });
}

describe('exports', () => {
  test('the export is large: it cannot all sit in socket buffers when the client hangs up', async () => {
    const whole = await admin.get('/v1/events/export?tenant=bulk&format=ocsf');
    expect(whole.status).toBe(200);
    expect(whole.text.length).toBeGreaterThan(EXPORT_BYTES_AT_LEAST);
  });

  test('an all-tenant export that the client aborts after its first bytes is recorded in the tenant it read', async () => {
    const before = await search('tenant=bulk&action=audit_log.exported&actor=dev');
    const received = await readFirstBytesAndHangUp('/v1/events/export?format=ocsf');
    expect(received).toBeGreaterThan(0);
    const after = await search('tenant=bulk&action=audit_log.exported&actor=dev');
    expect(after.length).toBe(before.length + 1);
    const recorded = await admin.get<StoredEventBody>(`/v1/events/${after.at(-1)!.event.id}`);
    expect(recorded.json.detail).toMatchObject({ metadata: { endpoint: 'GET /v1/events/export', query: { format: 'ocsf' } } });
  });

  test('an export naming a tenant with no events records nothing', async () => {
    const treeSize = await admin.treeSize();
    const reply = await admin.get('/v1/events/export?tenant=no-such-tenant&format=ndjson');
    expect(reply.status).toBe(200);
    expect(await admin.treeSize()).toBe(treeSize);
  });
});

describe('reads of one event', () => {
  const reader = () => new Api(ledger.url, READER.token);

  test('GET /v1/events/{id} and its proof are each recorded in the event\'s tenant before they answer, one event a request', async () => {
    const event = await admin.record(loginEvent({ tenant: 'bulk', actor: { type: 'user', id: 'u_read' } }), '?wait=checkpoint');
    const before = await search(`tenant=bulk&action=audit_log.read&actor=${READER.name}`);
    const reads = [`/v1/events/${event.id}`, `/v1/events/${event.id}/proof`, `/v1/events/${event.id.toUpperCase()}`];
    for (const path of reads) expect((await reader().get(path)).status).toBe(200);
    const after = await search(`tenant=bulk&action=audit_log.read&actor=${READER.name}`);
    expect(after.length).toBe(before.length + reads.length);
    const details = await Promise.all(after.slice(before.length).map(async ({ event: { id } }) => (await admin.get<StoredEventBody>(`/v1/events/${id}`)).json.detail));
    expect(details).toEqual([
      { metadata: { endpoint: 'GET /v1/events/{id}', query: { id: event.id } } },
      { metadata: { endpoint: 'GET /v1/events/{id}/proof', query: { id: event.id } } },
      { metadata: { endpoint: 'GET /v1/events/{id}', query: { id: event.id } } },
    ]);
    for (const found of after) expect(found.event).toMatchObject({ tenant: 'bulk', actor: { id: READER.name } });
  });

  test('a read that answers 404 records nothing', async () => {
    const treeSize = await admin.treeSize();
    expect((await reader().get('/v1/events/01a20000-0000-7000-8000-000000000000')).status).toBe(404);
    expect(await admin.treeSize()).toBe(treeSize);
  });
});

describe('searches', () => {
  test('a search naming a tenant with no events records nothing, in that tenant or any other', async () => {
    const treeSize = await admin.treeSize();
    const reply = await admin.get<{ events: unknown[] }>('/v1/events?tenant=made-up-tenant');
    expect([reply.status, reply.json.events]).toEqual([200, []]);
    expect(await admin.treeSize()).toBe(treeSize);
  });

  test('a token scoped to a tenant that has no events yet is still recorded there: its scope names the tenant', async () => {
    const reply = await new Api(ledger.url, READER.token).get<{ events: unknown[] }>('/v1/events?tenant=empty');
    expect([reply.status, reply.json.events]).toEqual([200, []]);
    const recorded = await search(`tenant=empty&action=audit_log.read&actor=${READER.name}`);
    expect(recorded).toHaveLength(1);
  });
});
