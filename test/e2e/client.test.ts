// @trailmark/client against a real ledger over HTTP: every route it calls is in the served /openapi.json with
// its method; a batch with client-chosen ids sent twice records once; a 429 with Retry-After is waited out.
import { TrailmarkApiError, TrailmarkClient, CLIENT_ROUTES, type IdentityEvent } from '@trailmark/client';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

const login = (i: number): IdentityEvent => ({
  tenant: 'acme',
  action: 'user.login',
  outcome: 'success',
  actor: { type: 'user', id: `u_${i}` },
  targets: [{ type: 'user', id: `u_${i}` }],
});

describe('@trailmark/client', () => {
  let ledger: LedgerProcess;
  let cleanup: () => Promise<void>;
  const waits: number[] = [];
  // The waits are recorded, not slept: with Retry-After of up to an hour the test would otherwise depend on time.
  const sleep = async (ms: number) => {
    waits.push(ms);
  };

  beforeAll(async () => {
    const dir = makeDataDir();
    cleanup = dir.cleanup;
    ledger = await startLedger(dir.dataDir, { TRAILMARK_RATE_LIMIT: '4', TRAILMARK_RATE_LIMIT_WINDOW_MS: '3600000' });
  });
  afterAll(async () => {
    await ledger.stop();
    await cleanup();
  });

  test('every route the client calls is in the served OpenAPI document, with the method it uses', async () => {
    const doc = (await (await fetch(`${ledger.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const missing = Object.values(CLIENT_ROUTES).filter(({ method, path }) => doc.paths[path]?.[method] === undefined);
    expect(missing).toEqual([]);
  });

  test('a batch gets ids before its first try, so sending it again records nothing twice; then 429 is retried after Retry-After', async () => {
    const client = new TrailmarkClient({ url: ledger.url, token: DEV_TOKEN, sleep });
    const events = [login(1), login(2)].map((event) => ({ ...event, id: globalThis.crypto.randomUUID() }));
    const first = await client.recordBatch(events);
    const again = await client.recordBatch(events);
    expect(again).toEqual(first);
    expect(first.map((receipt) => receipt.id)).toEqual(events.map((event) => event.id));
    const single = await client.record(login(3));
    expect(single.leafIndex).toBeGreaterThan(first[1]!.leafIndex);
    expect(waits).toEqual([]);

    // The limit (4 in an hour) is reached: the client waits what Retry-After says (capped), tries again, and gives up
    // after its attempts with the API's error.
    const limited = new TrailmarkClient({ url: ledger.url, token: DEV_TOKEN, sleep, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 7_200_000 } });
    await limited.record(login(4));
    const refused = await limited.record(login(5)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TrailmarkApiError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms > 0 && ms <= 3_600_000 && ms % 1000 === 0).toBe(true);
  });
});
