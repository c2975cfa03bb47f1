// A machine reader following the log over HTTP: GET /v1/events with sort=asc and the Link header, as one follows
// Okta's System Log, catches up (its own polls, recorded as audit_log.read, do not feed it), and a token over its
// rate limit is answered 429 with Retry-After.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

interface Page {
  events: { leafIndex: number; event: { tenant: string; action: string } }[];
  next: number | null;
  error?: { code: string; details: Record<string, unknown> };
}

const READER = { name: 'acme-reader', token: 'acme-reader-token-for-polling' };
const OTHER = { name: 'acme-other', token: 'acme-other-token-for-polling' };
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const login = (i: number) => ({ tenant: 'acme', action: 'user.login', outcome: 'success', actor: { type: 'user', id: `u_${i}` }, targets: [{ type: 'user', id: `u_${i}` }] });

async function startWithReaders(env: Record<string, string> = {}) {
  const dir = makeDataDir();
  const tokensFile = `${dir.dataDir}/tokens.json`;
  writeFileSync(
    tokensFile,
    JSON.stringify([READER, OTHER].map(({ name, token }) => ({ name, sha256: sha256(token), roles: ['reader'], tenants: ['acme'] }))),
  );
  const ledger = await startLedger(dir.dataDir, { TRAILMARK_TOKENS_FILE: tokensFile, ...env });
  return { ledger, cleanup: dir.cleanup };
}

async function get(ledger: LedgerProcess, path: string, token = READER.token) {
  const response = await fetch(`${ledger.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Page };
}

async function record(ledger: LedgerProcess, events: unknown[]): Promise<void> {
  const response = await fetch(`${ledger.url}/v1/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(response.status).toBe(201);
}

/** The path of the Link header's rel="next", or undefined. */
function nextPath(headers: Headers): string | undefined {
  return /^<([^>]+)>; rel="next"$/.exec(headers.get('link') ?? '')?.[1];
}

/** Follows Link: next from `path` until a page comes back empty; the events seen and the path to poll next. */
async function follow(ledger: LedgerProcess, path: string, maxPolls: number) {
  const seen: Page['events'] = [];
  for (let polls = 1; polls <= maxPolls; polls++) {
    const { status, headers, body } = await get(ledger, path);
    expect(status).toBe(200);
    seen.push(...body.events);
    path = nextPath(headers)!;
    expect(path).toBeDefined();
    if (body.events.length === 0) return { seen, path, polls, caughtUp: true };
  }
  return { seen, path, polls: maxPolls, caughtUp: false };
}

describe('following GET /v1/events', () => {
  let ledger: LedgerProcess;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ ledger, cleanup } = await startWithReaders());
    await record(ledger, Array.from({ length: 25 }, (_, i) => login(i)));
  });
  afterAll(async () => {
    await ledger.stop();
    await cleanup();
  });

  test('sort=asc, following Link: next, a poller sees every event once, catches up, and then sees only what arrives', async () => {
    const first = await follow(ledger, '/v1/events?tenant=acme&sort=asc&limit=10', 20);
    expect(first).toMatchObject({ caughtUp: true, polls: 4 });
    expect(first.seen.map(({ event }) => event.action)).toEqual(Array(25).fill('user.login'));
    const leaves = first.seen.map(({ leafIndex }) => leafIndex);
    expect(leaves).toEqual([...leaves].sort((a, b) => a - b));

    // Its polls were recorded all the same, in acme, where it reads.
    const reads = await get(ledger, '/v1/events?tenant=acme&action=audit_log.read&actor=acme-reader&limit=1000');
    expect(reads.body.events.length).toBeGreaterThanOrEqual(4);

    // The empty page's link keeps its place: new events, then an empty page again.
    expect(await follow(ledger, first.path, 5)).toMatchObject({ caughtUp: true, seen: [] });
    await record(ledger, [login(100), login(101), login(102)]);
    const second = await follow(ledger, first.path, 20);
    expect(second.caughtUp).toBe(true);
    expect(second.seen).toHaveLength(3);
    expect(second.seen[0]!.leafIndex).toBeGreaterThan(leaves[leaves.length - 1]!);
  });

  test('with reads=include the poller chases the records of its own polls and never gets an empty page', async () => {
    const chasing = await follow(ledger, '/v1/events?tenant=acme&sort=asc&limit=10&reads=include', 12);
    expect(chasing.caughtUp).toBe(false);
    expect(chasing.seen.some(({ event }) => event.action === 'audit_log.read')).toBe(true);
  });

  test('sort=desc: newest first; Link: next while pages are full, none after the first leaf', async () => {
    const { headers, body } = await get(ledger, '/v1/events?tenant=acme&sort=desc&limit=5');
    const leaves = body.events.map(({ leafIndex }) => leafIndex);
    expect(leaves).toEqual([...leaves].sort((a, b) => b - a));
    expect(nextPath(headers)).toBe(`/v1/events?tenant=acme&sort=desc&limit=5&cursor=${leaves[4]}`);
    const rest = await get(ledger, `${nextPath(headers)!.replace('limit=5', 'limit=1000')}`);
    expect(rest.body.events.every(({ leafIndex }) => leafIndex < leaves[4]!)).toBe(true);
    expect(rest.body.next).toBeNull();
    expect(rest.headers.get('link')).toBeNull();
  });

  test('sort and reads take only their values, named in the refusal', async () => {
    for (const [query, parameter] of [['sort=newest', 'sort'], ['reads=all', 'reads'], ['sort=asc&sort=desc', 'sort']] as const) {
      const { status, body } = await get(ledger, `/v1/events?tenant=acme&${query}`);
      expect({ query, status, parameter: body.error?.details.parameter }).toEqual({ query, status: 400, parameter });
    }
  });
});

describe('per-token rate limit', () => {
  let ledger: LedgerProcess;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // A window far longer than the test, so that no request falls into the next one however slow the machine.
    ({ ledger, cleanup } = await startWithReaders({ TRAILMARK_RATE_LIMIT: '3', TRAILMARK_RATE_LIMIT_WINDOW_MS: '3600000' }));
  });
  afterAll(async () => {
    await ledger.stop();
    await cleanup();
  });

  test('past the limit a token gets 429 with Retry-After; another token and unauthenticated probes do not', async () => {
    for (let i = 0; i < 3; i++) expect((await get(ledger, '/v1/events?tenant=acme')).status).toBe(200);
    const refused = await get(ledger, '/v1/events?tenant=acme');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', details: { limit: 3, windowMs: 3_600_000 } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600).toBe(true);

    expect((await get(ledger, '/v1/events?tenant=acme', OTHER.token)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await fetch(`${ledger.url}/health/ready`)).status).toBe(200);
  });
});
