// Alerts reach people through the log streams: a webhook stream filtered on the `alert` category carries each
// alert.raised event, HMAC-signed, and nothing else (so no alert-specific webhook exists).
import { DEV_TOKEN, makeDataDir, startLedger } from '../support/ledger-process.js';
import { Api } from '../support/http-api.js';
import { ndjsonLines, signatureValid, startHttpReceiver, until } from '../support/stream-receivers.js';

const HMAC_KEY = 'whsec-alerts-key';

type Line = Record<string, unknown> & { event?: { tenant: string; action: string; reason?: string; targets: { id: string }[] } };

test('a self-grant of admin raises an alert that a webhook stream on the alert category delivers, signed', async () => {
  const dir = makeDataDir();
  const ledger = await startLedger(dir.dataDir, { TRAILMARK_STREAM_ALLOW_PRIVATE: '1' });
  const receiver = await startHttpReceiver();
  try {
    const api = new Api(ledger.url).as(DEV_TOKEN);
    const created = await api.post<{ id: string }>('/v1/tenants/acme/streams', {
      name: 'alerts',
      sink: { type: 'webhook', url: `${receiver.url}/hook` },
      secret: HMAC_KEY,
      filter: { categories: ['alert'] },
      start: { leaf: 0 },
    });
    expect(created.status).toBe(201);
    await api.record({
      tenant: 'acme',
      action: 'role.granted',
      outcome: 'success',
      actor: { type: 'user', id: 'u_9' },
      targets: [{ type: 'user', id: 'u_9' }, { type: 'role', id: 'admin' }],
    });
    const records = () => ndjsonLines(receiver.accepted.map((request) => request.body)).filter((line) => line.trailmark === undefined) as Line[];
    const escalation = () => records().find((line) => line.event?.action === 'alert.raised' && line.event.reason === 'privilege-escalation');
    await until(() => escalation() !== undefined);

    const alertId = escalation()!.event!.targets[0]!.id;
    const alert = await api.get<{ severity: string; tenant: string }>(`/v1/alerts/${alertId}`);
    expect(alert.json).toMatchObject({ severity: 'critical', tenant: 'acme' });
    // Only alert.* events: the grant that raised it is not in the stream.
    expect(records().every((line) => line.event?.action.startsWith('alert.'))).toBe(true);
    for (const request of receiver.accepted) expect(signatureValid(request.headers['trailmark-signature'], request.body, HMAC_KEY)).toBe(true);
  } finally {
    await receiver.close();
    expect(await ledger.stop()).toBe(0);
    await dir.cleanup();
  }
});
