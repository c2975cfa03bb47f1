// A stream whose receiver keeps refusing turns failing once: a stream.failing event in its tenant's log, and the
// alert rule stream-failing raises one operator alert on it. The receiver back, the stream catches up.
import { loginEvent, sharedLedger, type ReceiptBody } from '../support/http-api.js';
import { ndjsonLines, startHttpReceiver, until, type HttpReceiver } from '../support/stream-receivers.js';

const { api } = sharedLedger(() => ({
  TRAILMARK_STREAM_ALLOW_PRIVATE: '1',
  TRAILMARK_STREAM_RETRY_INITIAL_MS: '5',
  TRAILMARK_STREAM_RETRY_MAX_MS: '20',
  TRAILMARK_STREAM_RETRY_ATTEMPTS: '2',
}));

interface AlertBody {
  id: string;
  rule: string;
  key: string;
  severity: string;
  evidenceCount: number;
  evidence: { event?: { action: string; targets: { id: string }[] } | null }[];
}

let receiver: HttpReceiver;
let down = true;

beforeAll(async () => {
  receiver = await startHttpReceiver({ answer: () => (down ? 503 : 200) });
});

afterAll(async () => {
  await receiver.close();
});

const alertsOf = async (tenant: string) => (await api().get<{ alerts: AlertBody[] }>(`/v1/alerts?tenant=${tenant}`)).json.alerts;

test('a stream that keeps failing is marked failing, raises one stream-failing alert, and skips nothing once its receiver is back', async () => {
  const created = await api().post<{ id: string }>('/v1/tenants/failco/streams', {
    name: 'down',
    sink: { type: 'webhook', url: `${receiver.url}/hook` },
    secret: 'k',
    filter: { actions: ['user.login'] },
  });
  expect(created.status).toBe(201);
  const id = created.json.id;
  const receipts: ReceiptBody[] = [];
  for (let i = 0; i < 3; i++) receipts.push(await api().record(loginEvent({ tenant: 'failco', actor: { type: 'user', id: `u_${i}` } })));

  await until(async () => (await alertsOf('failco')).some((alert) => alert.rule === 'stream-failing'));
  const [alert] = (await alertsOf('failco')).filter((candidate) => candidate.rule === 'stream-failing');
  expect(alert).toMatchObject({ key: id, severity: 'high' });
  const detail = await api().get<AlertBody>(`/v1/alerts/${alert!.id}`);
  expect(detail.json.evidence[0]!.event).toMatchObject({ action: 'stream.failing', targets: [{ id }] });
  expect((await api().get<{ status: string }>(`/v1/tenants/failco/streams/${id}`)).json.status).toBe('failing');

  // Many more refused attempts: still one alert with one piece of evidence (the stream turned failing once).
  const refusedSoFar = receiver.refused.length;
  await until(() => receiver.refused.length >= refusedSoFar + 10);
  down = false;
  const delivered = () => ndjsonLines(receiver.accepted.map((request) => request.body)).filter((line) => line.trailmark === undefined);
  await until(() => delivered().length >= receipts.length);
  expect(delivered().map((line) => line.id)).toEqual(receipts.map((receipt) => receipt.id));
  await until(async () => (await api().get<{ status: string }>(`/v1/tenants/failco/streams/${id}`)).json.status === 'active');
  const alerts = (await alertsOf('failco')).filter((candidate) => candidate.rule === 'stream-failing');
  expect(alerts.map((candidate) => candidate.evidenceCount)).toEqual([1]);
});
