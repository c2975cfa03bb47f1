// Alerts over HTTP against the real service: each scenario in a tenant of its own, so "exactly one alert" counts
// that scenario only. Windows are on server time and the events of a scenario are sent at once (a few batches),
// well within every window: the thresholds are reached by counts, never by waiting.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Api, loginEvent, type ReceiptBody } from '../support/http-api.js';
import { makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

interface AlertBody {
  id: string;
  tenant: string;
  rule: string;
  key: string;
  severity: string;
  status: string;
  summary: string;
  leafIndex: number | null;
  evidenceCount: number;
  evidence: { id: string; leafIndex: number; event?: { action: string } | null }[];
  acknowledged: { by: string; note?: string } | null;
  closed: { by: string; note?: string } | null;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const READER = 'brute-reader-token';
const ADMIN = 'brute-admin-token';

const failedLogin = (tenant: string, user: string, ip: string) =>
  loginEvent({ tenant, outcome: 'failure', reason: 'wrong_password', actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }], context: { ip } });
const PARIS = { country: 'FR', latitude: 48.8566, longitude: 2.3522 };
const NEW_YORK = { country: 'US', latitude: 40.7128, longitude: -74.006 };
const VERSAILLES = { country: 'FR', latitude: 48.8049, longitude: 2.1204 };
const successfulLogin = (tenant: string, user: string, geo: object) =>
  loginEvent({ tenant, actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }], context: { ip: '192.0.2.1', geo } });
const grant = (tenant: string, actor: string, user: string, role: string) => ({
  tenant,
  action: 'role.granted',
  outcome: 'success',
  actor: { type: 'user', id: actor },
  targets: [{ type: 'user', id: user }, { type: 'role', id: role }],
});
const policyChange = (tenant: string) => ({
  tenant,
  action: 'security.policy.changed',
  outcome: 'success',
  actor: { type: 'user', id: 'night_owl' },
  targets: [{ type: 'policy', id: 'password-policy' }],
});
const exported = (tenant: string) => ({
  tenant,
  action: 'data.exported',
  outcome: 'success',
  actor: { type: 'user', id: 'analyst' },
  targets: [{ type: 'dataset', id: 'customers' }],
  metadata: { rowCount: 500 },
});

describe('alerts', () => {
  let ledger: LedgerProcess;
  let api: Api;
  let dataDir: string;
  let tokensFile: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const dir = makeDataDir();
    dataDir = dir.dataDir;
    cleanup = dir.cleanup;
    tokensFile = join(dataDir, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify([
        { name: 'brute-reader', sha256: sha256(READER), roles: ['reader'], tenants: ['brute'] },
        { name: 'brute-admin', sha256: sha256(ADMIN), roles: ['admin'], tenants: ['brute'] },
      ]),
    );
    ledger = await startLedger(dataDir, { TRAILMARK_TOKENS_FILE: tokensFile });
    api = new Api(ledger.url);
  });
  afterAll(async () => {
    await ledger.stop();
    await cleanup();
  });

  async function send(events: readonly object[]): Promise<ReceiptBody[]> {
    const receipts: ReceiptBody[] = [];
    for (let i = 0; i < events.length; i += 1000) {
      const reply = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch', { events: events.slice(i, i + 1000) });
      expect(reply.status).toBe(201);
      receipts.push(...reply.json.events);
    }
    return receipts;
  }

  async function alertsOf(tenant: string, as = api): Promise<AlertBody[]> {
    const reply = await as.get<{ alerts: AlertBody[]; next: number | null }>(`/v1/alerts?tenant=${tenant}`);
    expect(reply.status).toBe(200);
    return reply.json.alerts;
  }

  async function setRules(tenant: string, rules: object, as = api): Promise<void> {
    const reply = await as.request('PUT', `/v1/tenants/${tenant}/alert-rules`, { body: { rules } });
    expect([reply.status, reply.text]).toEqual([200, expect.any(String)]);
  }

  /** The one alert of the tenant, checked against the receipts of the events it must name. */
  async function oneAlert(tenant: string, rule: string, evidence: readonly ReceiptBody[]): Promise<AlertBody> {
    const alerts = await alertsOf(tenant);
    expect(alerts.map((alert) => alert.rule)).toEqual([rule]);
    const [alert] = alerts;
    expect(alert!.evidence.map(({ id, leafIndex }) => ({ id, leafIndex }))).toEqual(evidence.map(({ id, leafIndex }) => ({ id, leafIndex })));
    // The alert is itself an event of the log, by the engine, provable like any other.
    expect(alert!.leafIndex).not.toBeNull();
    const stored = await api.get<{ leafIndex: number; event: { action: string; actor: object; tenant: string } }>(`/v1/events/${alert!.id}`);
    expect(stored.status).toBe(200);
    expect(stored.json.leafIndex).toBe(alert!.leafIndex);
    expect(stored.json.event).toMatchObject({ action: 'alert.raised', tenant, actor: { type: 'system', id: 'trailmark-alerts' } });
    expect((await api.get(`/v1/events/${alert!.id}/proof`)).status).toBe(200);
    return alert!;
  }

  test('brute force: 10 failed logins for one user from one IP raise one alert naming them', async () => {
    const receipts = await send(Array.from({ length: 10 }, () => failedLogin('brute', 'u_1', '203.0.113.7')));
    const alert = await oneAlert('brute', 'brute-force', receipts);
    expect(alert).toMatchObject({ severity: 'high', status: 'open', key: 'u_1|203.0.113.7', evidenceCount: 10 });
    const detail = await api.get<AlertBody>(`/v1/alerts/${alert.id}`);
    expect(detail.json.evidence.map((e) => e.event?.action)).toEqual(Array(10).fill('user.login'));
  });

  test('under the threshold: 9 failures, and 10 spread over two IPs, raise none', async () => {
    await send([
      ...Array.from({ length: 9 }, () => failedLogin('brute-under', 'u_1', '203.0.113.7')),
      ...Array.from({ length: 10 }, (_, i) => failedLogin('brute-under', 'u_2', i % 2 ? '203.0.113.8' : '203.0.113.9')),
    ]);
    expect(await alertsOf('brute-under')).toEqual([]);
  });

  test('a spray across 30 users from one IP raises one alert counting them all', async () => {
    const receipts = await send(Array.from({ length: 30 }, (_, i) => failedLogin('spray', `u_${i}`, '198.51.100.1')));
    const alert = await oneAlert('spray', 'login-spray', receipts.slice(0, 20));
    expect(alert.evidenceCount).toBe(30);
    await send(Array.from({ length: 19 }, (_, i) => failedLogin('spray-under', `u_${i}`, '198.51.100.1')));
    expect(await alertsOf('spray-under')).toEqual([]);
  });

  test('impossible travel: Paris then New York at once raises one alert; Paris then Versailles none', async () => {
    const receipts = await send([successfulLogin('travel', 'u_1', PARIS), successfulLogin('travel', 'u_1', NEW_YORK)]);
    await oneAlert('travel', 'impossible-travel', receipts);
    await send([successfulLogin('travel-under', 'u_1', PARIS), successfulLogin('travel-under', 'u_1', VERSAILLES)]);
    expect(await alertsOf('travel-under')).toEqual([]);
  });

  test('a self-grant raises one critical alert; a plain grant by another user none', async () => {
    // Business hours all week, all day: whatever the clock says, this test is about the grant.
    const always = { 'off-hours-admin': { days: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 } };
    await setRules('grant', always);
    await setRules('grant-under', always);
    const receipts = await send([grant('grant', 'u_1', 'u_1', 'admin')]);
    expect((await oneAlert('grant', 'privilege-escalation', receipts)).severity).toBe('critical');
    await send([grant('grant-under', 'boss', 'u_1', 'viewer')]);
    expect(await alertsOf('grant-under')).toEqual([]);
  });

  test('off-hours administration: a tenant with no business days gets one alert; one open all week none', async () => {
    await setRules('night', { 'off-hours-admin': { days: [] } });
    await setRules('day', { 'off-hours-admin': { days: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 } });
    const receipts = await send([policyChange('night')]);
    expect((await oneAlert('night', 'off-hours-admin', receipts)).severity).toBe('medium');
    await send([policyChange('day')]);
    expect(await alertsOf('day')).toEqual([]);
  });

  test('bulk export: 11 exports in an hour raise one alert; 10 none', async () => {
    const receipts = await send(Array.from({ length: 11 }, () => exported('export')));
    await oneAlert('export', 'bulk-export', receipts);
    await send(Array.from({ length: 10 }, () => exported('export-under')));
    expect(await alertsOf('export-under')).toEqual([]);
  });

  test('2,000 failed logins are one alert with 2,000 pieces of evidence', async () => {
    const receipts = await send(Array.from({ length: 2000 }, () => failedLogin('flood', 'u_1', '203.0.113.66')));
    const alert = await oneAlert('flood', 'brute-force', receipts.slice(0, 10));
    expect(alert.evidenceCount).toBe(2000);
  });

  test("a tenant's rule settings tune the threshold, and the change is an event", async () => {
    await setRules('tuned', { 'brute-force': { failures: 3 } });
    const rules = await api.get<{ rules: Record<string, Record<string, unknown>>; changed: { by: string; leafIndex: number } }>('/v1/tenants/tuned/alert-rules');
    expect(rules.json.rules['brute-force']).toMatchObject({ enabled: true, failures: 3, windowMinutes: 10 });
    expect(rules.json.changed.by).toBe('api_key:dev');
    const changed = await api.get<{ events: { event: { action: string } }[] }>('/v1/events?tenant=tuned&action=alert.rules.changed');
    expect(changed.json.events).toHaveLength(1);
    const receipts = await send(Array.from({ length: 3 }, () => failedLogin('tuned', 'u_1', '203.0.113.7')));
    await oneAlert('tuned', 'brute-force', receipts);

    const bad = await api.request<{ error: { details: { field: string } } }>('PUT', '/v1/tenants/tuned/alert-rules', {
      body: { rules: { 'brute-force': { failures: 'many' } } },
    });
    expect([bad.status, bad.json.error.details.field]).toEqual([400, 'rules.brute-force.failures']);
    const unknown = await api.request<{ error: { details: { field: string } } }>('PUT', '/v1/tenants/tuned/alert-rules', { body: { rules: { nope: {} } } });
    expect([unknown.status, unknown.json.error.details.field]).toEqual([400, 'rules.nope']);
    expect((await api.get<{ events: unknown[] }>('/v1/events?tenant=tuned&action=alert.rules.changed')).json.events).toHaveLength(1);
  });

  test('acknowledging and closing are events; a closed alert stays closed and new evidence raises a new one', async () => {
    const [alert] = await alertsOf('brute');
    const ack = await api.post<AlertBody>(`/v1/alerts/${alert!.id}/ack`, { note: 'looking' });
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ status: 'acknowledged', acknowledged: { by: 'api_key:dev', note: 'looking' } });
    const closed = await api.post<AlertBody>(`/v1/alerts/${alert!.id}/close`, { note: 'password reset' });
    expect(closed.json).toMatchObject({ status: 'closed', closed: { by: 'api_key:dev', note: 'password reset' } });
    expect((await api.post(`/v1/alerts/${alert!.id}/close`, {})).status).toBe(409);
    const decisions = await api.get<{ events: { event: { action: string } }[] }>('/v1/events?tenant=brute&action=alert.*');
    expect(decisions.json.events.map((e) => e.event.action)).toEqual(['alert.raised', 'alert.acknowledged', 'alert.closed']);
    await send([failedLogin('brute', 'u_1', '203.0.113.7')]);
    const after = await alertsOf('brute');
    expect(after.map((a) => a.status)).toEqual(['closed', 'open']);
  });

  test('/metrics counts the alerts by rule and severity, their latency and the engine lag', async () => {
    const text = (await api.as(undefined).get('/metrics')).text;
    expect(text).toMatch(/^trailmark_alerts_raised_total\{rule="login-spray",severity="high"\} 1$/m);
    expect(text).toMatch(/^trailmark_alerts_raised_total\{rule="privilege-escalation",severity="critical"\} 1$/m);
    expect(text).toMatch(/^trailmark_alert_latency_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^trailmark_alert_engine_lag_events \d+$/m);
  });

  test('tenant isolation: a token of one tenant sees neither the alerts nor the rules of another', async () => {
    const reader = api.as(READER);
    const admin = api.as(ADMIN);
    expect((await alertsOf('brute', reader)).every((alert) => alert.tenant === 'brute')).toBe(true);
    expect((await reader.get('/v1/alerts?tenant=spray')).status).toBe(403);
    expect((await reader.get('/v1/alerts')).status).toBe(400);
    const [spray] = await alertsOf('spray');
    expect((await reader.get(`/v1/alerts/${spray!.id}`)).status).toBe(404);
    expect((await admin.post(`/v1/alerts/${spray!.id}/ack`, {})).status).toBe(404);
    expect((await reader.get('/v1/tenants/spray/alert-rules')).status).toBe(403);
    expect((await admin.request('PUT', '/v1/tenants/spray/alert-rules', { body: { rules: {} } })).status).toBe(403);
    expect((await reader.request('PUT', '/v1/tenants/brute/alert-rules', { body: { rules: {} } })).status).toBe(403);
    expect((await reader.get('/v1/tenants/brute/alert-rules')).status).toBe(200);
  });

  test('restart mid-window: the window survives, and nothing is raised twice', async () => {
    await send(Array.from({ length: 6 }, () => failedLogin('restart', 'u_1', '203.0.113.7')));
    await ledger.stop();
    ledger = await startLedger(dataDir, { TRAILMARK_TOKENS_FILE: tokensFile });
    api = new Api(ledger.url);
    expect(await alertsOf('restart')).toEqual([]);
    await send(Array.from({ length: 4 }, () => failedLogin('restart', 'u_1', '203.0.113.7')));
    const [alert] = await alertsOf('restart');
    expect(alert).toMatchObject({ rule: 'brute-force', evidenceCount: 10 });
    // Killed, the engine judges again what its last saved state did not cover: same alerts, same ids.
    await ledger.kill();
    ledger = await startLedger(dataDir, { TRAILMARK_TOKENS_FILE: tokensFile });
    api = new Api(ledger.url);
    expect((await alertsOf('restart')).map((a) => [a.id, a.evidenceCount])).toEqual([[alert!.id, 10]]);
    const raised = await api.get<{ events: unknown[] }>('/v1/events?tenant=restart&action=alert.raised');
    expect(raised.json.events).toHaveLength(1);
  }, 300_000);

  test('deleting the engine file rebuilds the same alerts from the log', async () => {
    const before = (await alertsOf('spray')).map((a) => [a.id, a.evidenceCount, a.leafIndex]);
    await ledger.stop();
    const { rmSync } = await import('node:fs');
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `alerts.db${suffix}`), { force: true });
    ledger = await startLedger(dataDir, { TRAILMARK_TOKENS_FILE: tokensFile });
    api = new Api(ledger.url);
    expect((await alertsOf('spray')).map((a) => [a.id, a.evidenceCount, a.leafIndex])).toEqual(before);
    expect((await alertsOf('brute')).map((a) => a.status)).toEqual(['closed', 'open']);
    expect((await api.get<{ events: unknown[] }>('/v1/events?tenant=spray&action=alert.raised')).json.events).toHaveLength(1);
  }, 300_000);

  test('TRAILMARK_ALERTS=off: no alert engine, the alert endpoints answer 503, the log holds only what clients sent', async () => {
    const dir = makeDataDir();
    const off = await startLedger(dir.dataDir, { TRAILMARK_ALERTS: 'off' });
    try {
      const plain = new Api(off.url);
      await plain.post('/v1/events/batch', { events: Array.from({ length: 10 }, () => failedLogin('off', 'u_1', '203.0.113.7')) });
      expect((await plain.get('/v1/alerts?tenant=off')).status).toBe(503);
      expect(await plain.treeSize()).toBe(10);
    } finally {
      await off.stop();
      await dir.cleanup();
    }
  }, 300_000);
});
