import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

interface Page {
  events: { leafIndex: number; event: { id: string; tenant: string; action: string; outcome: string; time: string; actor: { id: string } } }[];
  next: number | null;
}

const actions = ['user.login', 'user.mfa.verified', 'user.mfa.enrolled', 'user.logout'];
const outcomes = ['success', 'failure', 'error'];
const event = (i: number, tenant: string) => ({
  tenant,
  action: actions[i % actions.length],
  outcome: outcomes[i % outcomes.length],
  actor: { type: 'user', id: `u_${i % 5}` },
  targets: [{ type: 'user', id: `u_${i % 5}` }],
});

describe('GET /v1/events', () => {
  let ledger: LedgerProcess;
  let cleanup: () => Promise<void>;
  const tokens = { reader: 'acme-reader-token' };

  beforeAll(async () => {
    const dir = makeDataDir();
    cleanup = dir.cleanup;
    const { writeFileSync } = await import('node:fs');
    const { createHash } = await import('node:crypto');
    const tokensFile = `${dir.dataDir}/tokens.json`;
    const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
    writeFileSync(tokensFile, JSON.stringify([{ name: 'acme-reader', sha256: sha256(tokens.reader), roles: ['reader'], tenants: ['acme'] }]));
    ledger = await startLedger(dir.dataDir, { TRAILMARK_TOKENS_FILE: tokensFile });
    const batch = Array.from({ length: 120 }, (_, i) => event(i, i % 3 === 0 ? 'globex' : 'acme'));
    const response = await post('/v1/events/batch', { events: batch });
    expect(response.status).toBe(201);
  });
  afterAll(async () => {
    await ledger.stop();
    await cleanup();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${ledger.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const search = async (query: string, token = DEV_TOKEN): Promise<{ status: number; body: Page & { error?: { code: string } } }> => {
    const response = await fetch(`${ledger.url}/v1/events?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Page & { error?: { code: string } } };
  };
  const all = async (query: string, limit: number): Promise<Page['events']> => {
    const events: Page['events'] = [];
    let cursor = '';
    for (let pages = 0; pages < 100; pages++) {
      const { body } = await search(`${query}&limit=${limit}${cursor}`);
      events.push(...body.events);
      if (body.next === null) return events;
      cursor = `&cursor=${body.next}`;
    }
    throw new Error('search did not end');
  };

  test('a tenant\'s events, oldest first, each with its leaf index', async () => {
    const events = await all('tenant=acme', 1000);
    expect(events).toHaveLength(80);
    expect(events.every(({ event }) => event.tenant === 'acme')).toBe(true);
    const indexes = events.map(({ leafIndex }) => leafIndex);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  });

  // Every search is itself recorded in the tenant (audit_log.read): filtered on user.* the seeded events stay put.
  test('pages of any size add up to the same events, without repeats', async () => {
    const whole = (await all('tenant=acme&action=user.*', 1000)).map(({ leafIndex }) => leafIndex);
    expect(whole).toHaveLength(80);
    for (const limit of [1, 7, 80]) expect((await all('tenant=acme&action=user.*', limit)).map(({ leafIndex }) => leafIndex)).toEqual(whole);
  });

  test('filters: action prefix, exact action, actor, target, outcome', async () => {
    const mfa = await all('tenant=acme&action=user.mfa.*', 1000);
    expect(mfa.length).toBeGreaterThan(0);
    expect(mfa.every(({ event }) => event.action.startsWith('user.mfa.'))).toBe(true);
    const logins = await all('tenant=acme&action=user.login&outcome=failure', 1000);
    expect(logins.every(({ event }) => event.action === 'user.login' && event.outcome === 'failure')).toBe(true);
    const byActor = await all('tenant=acme&actor=u_2', 1000);
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every(({ event }) => event.actor.id === 'u_2')).toBe(true);
    expect((await all('tenant=acme&target=user:u_2', 1000)).map(({ leafIndex }) => leafIndex)).toEqual(byActor.map(({ leafIndex }) => leafIndex));
  });

  test('time range on server time, inclusive', async () => {
    const events = await all('tenant=acme', 1000);
    const [first, middle, last] = [events[0]!.event.time, events[40]!.event.time, events[79]!.event.time];
    // Filtered by time, kept in leaf order (on EventStoreDB neighbouring leaves may be out of time order).
    const within = (from: string, to: string) => events.filter(({ event }) => event.time >= from && event.time <= to);
    const range = await all(`tenant=acme&from=${middle}&to=${last}`, 1000);
    expect(range.length).toBeGreaterThanOrEqual(2);
    expect(range).toEqual(within(middle, last));
    expect(await all(`tenant=acme&to=${first}`, 1000)).toEqual(within('', first));
  });

  test('a cursor stays correct while events are written', async () => {
    const { body } = await search('tenant=acme&action=user.*&limit=10');
    await post('/v1/events', event(1, 'acme'));
    const rest = await all(`tenant=acme&action=user.*&cursor=${body.next}`, 1000);
    const whole = await all('tenant=acme&action=user.*', 1000);
    expect(whole).toHaveLength(81);
    expect([...body.events, ...rest].map(({ leafIndex }) => leafIndex)).toEqual(whole.map(({ leafIndex }) => leafIndex));
  });

  test('a tenant-scoped token must name its tenant and cannot read another', async () => {
    expect((await search('limit=5', tokens.reader)).status).toBe(400);
    expect((await search('tenant=globex', tokens.reader)).status).toBe(403);
    const own = await search('tenant=acme&limit=5', tokens.reader);
    expect(own.status).toBe(200);
    expect(own.body.events).toHaveLength(5);
  });

  test('bad parameters are refused with the parameter named', async () => {
    for (const query of ['tenant=acme&limit=0', 'tenant=acme&limit=1001', 'tenant=acme&action=nope.*', 'tenant=acme&from=yesterday', 'tenant=acme&outcome=maybe', 'tenant=acme&cursor=-1', 'tenant=acme&action=user.login&action=user.logout', 'tenant=acme&tenant=globex', 'tenant=acme&limit=1&limit=2']) {
      const { status, body } = await search(query);
      expect([query, status]).toEqual([query, 400]);
      expect(body.error?.code).toBe('bad_request');
    }
  });

  test('each search is recorded in the tenant it read as audit_log.read, with the token name as actor', async () => {
    await search('tenant=acme&action=user.login&limit=3', tokens.reader);
    const reads = await all('tenant=acme&action=audit_log.read&actor=acme-reader', 1000);
    expect(reads.length).toBeGreaterThan(0);
    const last = reads[reads.length - 1]!.event;
    expect(last).toMatchObject({ tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { id: 'acme-reader' } });
    // A tenant's reads are its own: globex holds no read of acme's.
    expect(await all('tenant=globex&action=audit_log.read&actor=acme-reader', 1000)).toEqual([]);
  });

  test('request id, correlation id and words of the reason narrow the search', async () => {
    const tagged = {
      ...event(3, 'acme'),
      outcome: 'failure',
      reason: 'Wrong_Password after lockout',
      context: { requestId: 'req-search-1', correlationId: 'corr-search-1' },
    };
    expect((await post('/v1/events', tagged)).status).toBe(201);
    for (const query of ['requestId=req-search-1', 'correlationId=corr-search-1', 'text=wrong_password%20AFTER']) {
      const found = await all(`tenant=acme&${query}`, 1000);
      expect([query, found.map(({ event }) => event.actor.id)]).toEqual([query, ['u_3']]);
    }
    expect(await all('tenant=acme&requestId=req-search-2', 1000)).toEqual([]);
  });
});
