// Log-integrity alerts over HTTP against the real service. The condition: a witness policy whose only witness
// is down, so no checkpoint is served while the log grows; ten intervals of 20 ms later the sampler raises
// checkpoint-overdue. Polled by count: the bounds only keep a broken run finite.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosignerFromSigner, generateNoteKey, parseSignerKey } from '@trailmark/checkpoint';
import { closedPort } from '../support/closed-port.js';
import { Api } from '../support/http-api.js';
import { makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

interface AlertBody {
  id: string;
  tenant: string;
  rule: string;
  severity: string;
  status: string;
  leafIndex: number | null;
}

const OPERATOR = 'trailmark-operator';
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const ACME = 'integrity-acme-token';
const OPERATOR_NAMED = 'integrity-operator-named-token';
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('log-integrity alerts', () => {
  let ledger: LedgerProcess;
  let api: Api;
  let work: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const dir = makeDataDir();
    cleanup = dir.cleanup;
    work = mkdtempSync(join(tmpdir(), 'trailmark-integrity-e2e-'));
    const tokensFile = join(work, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify([
        { name: 'integrity-acme', sha256: sha256(ACME), roles: ['reader'], tenants: ['acme'] },
        // A token naming the operator's channel as its tenant still does not see it.
        { name: 'integrity-operator-named', sha256: sha256(OPERATOR_NAMED), roles: ['reader'], tenants: [OPERATOR] },
      ]),
    );
    const witness = cosignerFromSigner(parseSignerKey(generateNoteKey('dead.test/witness').signerKey)).vkey;
    const policy = join(work, 'dead-policy');
    writeFileSync(policy, `witness W ${witness} http://127.0.0.1:${await closedPort()}\nquorum W\n`);
    ledger = await startLedger(dir.dataDir, {
      TRAILMARK_TOKENS_FILE: tokensFile,
      TRAILMARK_WITNESS_POLICY: policy,
      TRAILMARK_CHECKPOINT_INTERVAL_MS: '20',
    });
    api = new Api(ledger.url);
  }, 600_000);
  afterAll(async () => {
    await ledger?.stop();
    await cleanup();
    rmSync(work, { recursive: true, force: true });
  }, 600_000);

  async function operatorAlerts(): Promise<AlertBody[]> {
    const reply = await api.get<{ alerts: AlertBody[] }>(`/v1/alerts?tenant=${OPERATOR}`);
    expect(reply.status).toBe(200);
    return reply.json.alerts;
  }

  test('no checkpoint served while the log grows: one critical alert, for every-tenant tokens only, recorded as alert.raised', async () => {
    await api.record();
    let alerts: AlertBody[] = [];
    for (let poll = 0; poll < 2000 && alerts.length === 0; poll++) {
      await pause();
      alerts = await operatorAlerts();
    }
    expect(alerts).toMatchObject([{ tenant: OPERATOR, rule: 'checkpoint-overdue', severity: 'critical', status: 'open' }]);
    const [alert] = alerts;

    // Its alert.raised event is in the log, read back by the engine.
    let leafIndex: number | null = null;
    for (let poll = 0; poll < 2000 && leafIndex === null; poll++) {
      await pause();
      leafIndex = (await api.get<AlertBody>(`/v1/alerts/${alert!.id}`)).json.leafIndex;
    }
    const stored = await api.get<{ leafIndex: number; event: { action: string; tenant: string; actor: object } }>(`/v1/events/${alert!.id}`);
    expect(stored.status).toBe(200);
    expect(stored.json.leafIndex).toBe(leafIndex);
    expect(stored.json.event).toMatchObject({ action: 'alert.raised', tenant: OPERATOR, actor: { type: 'system', id: 'trailmark-alerts' } });

    // The condition lasts (many more ticks, each a sample): still that one alert, in the whole list too.
    for (let poll = 0; poll < 20; poll++) await pause();
    const all = await api.get<{ alerts: AlertBody[] }>('/v1/alerts');
    expect(all.json.alerts.filter((a) => a.tenant === OPERATOR).map((a) => a.id)).toEqual([alert!.id]);

    // Tenant tokens never see it, not even one scoped to the channel's name.
    expect((await api.as(ACME).get<{ alerts: AlertBody[] }>('/v1/alerts?tenant=acme')).json.alerts).toEqual([]);
    expect((await api.as(ACME).get(`/v1/alerts/${alert!.id}`)).status).toBe(404);
    expect((await api.as(OPERATOR_NAMED).get(`/v1/alerts?tenant=${OPERATOR}`)).status).toBe(403);
    expect((await api.as(OPERATOR_NAMED).get(`/v1/alerts/${alert!.id}`)).status).toBe(404);
  }, 600_000);
});
