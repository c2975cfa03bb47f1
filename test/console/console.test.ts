// The web console (apps/console) and its viewer tokens, end to end: a real ledger process serving the built
// console at /console, Debian's Chromium driven by playwright-core (never a downloaded browser), axe-core for
// accessibility. The ledger's wall clock is shifted by a preload (test/support/clock-shift.mjs) to expire a
// viewer token without waiting. Screenshots go to test-artifacts/console/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

const CHROMIUM = '/usr/bin/chromium';
const CONSOLE_DIST = fileURLToPath(new URL('../../apps/console/dist/index.html', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
const PRELOAD = pathToFileURL(fileURLToPath(new URL('../support/clock-shift.mjs', import.meta.url))).href;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const LOGINS = 140;
const GRANTS = 10;
const acmeEvents = [
  ...Array.from({ length: LOGINS }, (_, i) => ({
    tenant: 'acme',
    action: i % 2 === 0 ? 'user.login' : 'user.logout',
    outcome: i % 4 === 0 ? 'failure' : 'success',
    actor: { type: 'user', id: `u_${i % 7}` },
    targets: [{ type: 'user', id: `u_${i % 7}` }],
    context: { requestId: `req-${i}` },
  })),
  ...Array.from({ length: GRANTS }, (_, i) => ({
    tenant: 'acme',
    action: 'role.granted',
    outcome: 'success',
    actor: { type: 'user', id: 'u_admin' },
    targets: [
      { type: 'user', id: `u_${i}` },
      { type: 'role', id: i % 2 === 0 ? 'admin' : 'auditor' },
    ],
  })),
];
const globexEvents = Array.from({ length: 20 }, (_, i) => ({
  tenant: 'globex',
  action: 'user.login',
  outcome: 'success',
  actor: { type: 'user', id: `g_${i}` },
  targets: [{ type: 'user', id: `g_${i}` }],
}));

let ledger: LedgerProcess;
let cleanup: () => Promise<void>;
let shiftFile: string;
let browser: Browser;
let viewerToken: string;
let globexEventId: string;

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${ledger.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
const mint = (tenant: string, body: unknown, token = DEV_TOKEN) => api(`/v1/tenants/${tenant}/viewer-tokens`, token, { method: 'POST', body: JSON.stringify(body) });
const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

/** The ids of axe-core's serious or critical violations on the page as it stands. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: readFileSync(AXE, 'utf8') });
  return page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
    return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => violation.id);
  });
}

async function signIn(page: Page, token = viewerToken): Promise<void> {
  await page.goto(`${ledger.url}/console/`);
  await page.getByLabel('Tenant').fill('acme');
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(/^\d+ events shown/).waitFor();
}

/** The histogram's counts per interval, read from its table (the SVG bars carry the same numbers). */
async function histogramCounts(page: Page): Promise<number[]> {
  return (await page.locator('figure.histogram tr.bin td:nth-child(2)').allTextContents()).map(Number);
}

beforeAll(async () => {
  if (!existsSync(CONSOLE_DIST)) throw new Error('apps/console/dist is missing: `npm run build` builds the console (npm test does)');
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = makeDataDir();
  cleanup = dir.cleanup;
  shiftFile = `${dir.dataDir}/clock-shift`;
  writeFileSync(shiftFile, '0');
  ledger = await startLedger(dir.dataDir, {
    NODE_OPTIONS: `--import=${PRELOAD}`,
    TRAILMARK_TEST_CLOCK_SHIFT_FILE: shiftFile,
    // The test's stream points at a closed loopback port: a stream the Streams page shows failing.
    TRAILMARK_STREAM_ALLOW_PRIVATE: '1',
    TRAILMARK_STREAM_RETRY_INITIAL_MS: '10',
    TRAILMARK_STREAM_RETRY_MAX_MS: '100',
  });
  expect((await api('/v1/events/batch', DEV_TOKEN, { method: 'POST', body: JSON.stringify({ events: acmeEvents }) })).status).toBe(201);
  const globex = await api('/v1/events/batch?wait=checkpoint', DEV_TOKEN, { method: 'POST', body: JSON.stringify({ events: globexEvents }) });
  expect(globex.status).toBe(201);
  globexEventId = ((await globex.json()) as { events: { id: string }[] }).events[0]!.id;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await ledger?.stop();
  await cleanup?.();
});

describe('POST /v1/tenants/{tenant}/viewer-tokens', () => {
  test('an admin mints a read-only token for one tenant, 15 minutes by default; the minting is an event of that tenant', async () => {
    const response = await mint('acme', {});
    expect(response.status).toBe(201);
    const minted = (await response.json()) as { token: string; tokenId: string; tenant: string; roles: string[]; expiresAt: string };
    viewerToken = minted.token;
    expect(minted).toEqual(expect.objectContaining({ tenant: 'acme', roles: ['reader', 'auditor'] }));
    const ttl = Date.parse(minted.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const recorded = await api('/v1/events?tenant=acme&action=audit_log.viewer_token.issued', DEV_TOKEN);
    const { events } = (await recorded.json()) as { events: { event: { actor: { id: string } } }[] };
    expect(events).toHaveLength(1);
    expect(events[0]!.event.actor.id).toBe('dev');
    const stored = await api(`/v1/events/${(events[0] as unknown as { event: { id: string } }).event.id}`, DEV_TOKEN);
    const body = JSON.stringify(await stored.json());
    expect(body).toContain(minted.tokenId);
    expect(body).not.toContain(minted.token);
  });

  test('bad ttl is a 400 naming ttlSeconds; a viewer token mints nothing and changes nothing', async () => {
    for (const ttlSeconds of [0, 59, 3601, 1.5, '900']) {
      const response = await mint('acme', { ttlSeconds });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { details: { field: string } } }).error.details.field).toBe('ttlSeconds');
    }
    expect((await mint('acme', {}, viewerToken)).status).toBe(403);
    expect((await api('/v1/events', viewerToken, { method: 'POST', body: JSON.stringify(globexEvents[0]) })).status).toBe(403);
  });

  test("tenant A's viewer token sees nothing of tenant B", async () => {
    expect((await api('/v1/events?tenant=globex', viewerToken)).status).toBe(403);
    expect((await api(`/v1/events/${globexEventId}`, viewerToken)).status).toBe(404);
    expect((await api('/v1/events/export?tenant=globex', viewerToken)).status).toBe(403);
    expect((await api('/v1/tenants/globex/access?at=2100-01-01T00:00:00Z', viewerToken)).status).toBe(403);
    const own = (await (await api('/v1/events?tenant=acme&limit=1000', viewerToken)).json()) as { events: { event: { tenant: string } }[] };
    expect(own.events.length).toBeGreaterThan(LOGINS);
    expect(own.events.every(({ event }) => event.tenant === 'acme')).toBe(true);
  });
});

describe('/console', () => {
  test('index.html is revalidated, hashed assets are immutable, /console redirects to /console/', async () => {
    const redirect = await fetch(`${ledger.url}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    const index = await fetch(`${ledger.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = (await index.text()).match(/src="(\/console\/assets\/[^"]+\.js)"/)![1]!;
    const script = await fetch(`${ledger.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const element = await fetch(`${ledger.url}/console/element/trailmark-log-viewer.js`);
    expect(element.headers.get('cache-control')).toBe('no-cache');
  });

  test('sign in with a viewer token, filter, page, open an event, verify it, see a tampered proof refused, export, review access', async () => {
    // bypassCSP: only so the test can inject axe-core; the console itself runs under the ledger's CSP.
    const page = await browser.newPage({ acceptDownloads: true, bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${ledger.url}/console/`);
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('Token').fill(viewerToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/^100 events shown, more to load$/).waitFor();
    expect(page.url()).not.toContain(viewerToken);
    expect((await histogramCounts(page)).reduce((sum, count) => sum + count, 0)).toBe(100);
    await page.getByText(/^Events over time: the 100 events loaded so far/).waitFor();
    await shot(page, 'events');

    // Filter on an action prefix, then page with the cursor: the list is virtualised, so 140 rows are not 140 nodes.
    await page.getByLabel('Action').fill('user.*');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText(/^100 events shown, more to load$/).waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText(/^140 events shown$/).waitFor();
    // The histogram covers the pages loaded: every loaded event in one bar or another, one bar per interval.
    const counts = await histogramCounts(page);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(LOGINS);
    expect(await page.locator('figure.histogram rect').count()).toBe(counts.length);
    await page.getByText(/^Events over time: the 140 events loaded \(the whole result\)/).waitFor();
    const rendered = await page.locator('.virtual-list li').count();
    expect(rendered).toBeLessThan(40);

    await page.getByRole('button', { name: /^Open event/ }).first().click();
    await page.getByRole('heading', { name: 'Envelope' }).waitFor();
    await page.getByRole('button', { name: "Fetch the server's log key" }).click();
    await page.getByText(/key id [0-9a-f]{8}/).first().waitFor();
    await page.getByRole('button', { name: 'Pin this key' }).click();
    await page.getByRole('button', { name: 'Verify in this browser' }).click();
    await page.getByText('Verified: this event is in the log signed by the pinned key.').waitFor();
    expect(await page.locator('.step.ok').count()).toBe(7);
    await shot(page, 'verified');

    expect(await seriousViolations(page)).toEqual([]);

    // A proof whose first path hash was changed in transit: the path no longer leads to the signed root.
    await page.route('**/v1/events/*/proof', async (route) => {
      const response = await route.fetch();
      const proof = (await response.json()) as { proof: string[] };
      const first = Buffer.from(proof.proof[0]!, 'base64');
      first[0] = first[0]! ^ 0xff;
      proof.proof[0] = first.toString('base64');
      await route.fulfill({ response, json: proof });
    });
    await page.getByRole('button', { name: 'Verify in this browser' }).click();
    await page.getByText('Not verified: the proof fails at “Root”.').waitFor();
    expect(await page.locator('.step.failed').count()).toBe(1);
    await shot(page, 'tampered');
    await page.unroute('**/v1/events/*/proof');

    // The export carries the filter of the events page.
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByText('Events matching action=user.*.').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('trailmark-acme.ndjson');
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { event?: { action: string; tenant: string } });
    const exported = lines.filter((line) => line.event !== undefined);
    expect(exported).toHaveLength(LOGINS);
    expect(exported.every(({ event }) => event!.tenant === 'acme' && event!.action.startsWith('user.'))).toBe(true);

    await page.getByRole('button', { name: 'Access review' }).click();
    await page.getByLabel('Role').fill('admin');
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    await page.getByText(`${GRANTS / 2} holdings`).waitFor();
    await shot(page, 'access-review');

    await page.getByRole('button', { name: 'Log health' }).click();
    await page.getByRole('heading', { name: 'Latest checkpoint' }).waitFor();
    await shot(page, 'log-health');
    expect(failures).toEqual([]);
    await page.close();
  });

  test('the Alerts page lists the alert a self-grant raised; the Streams page the stream an admin created; both hidden when their API is absent', async () => {
    const selfGrant = { tenant: 'acme', action: 'role.granted', outcome: 'success', actor: { type: 'user', id: 'u_self' }, targets: [{ type: 'user', id: 'u_self' }, { type: 'role', id: 'editor' }] };
    expect((await api('/v1/events', DEV_TOKEN, { method: 'POST', body: JSON.stringify(selfGrant) })).status).toBe(201);
    const created = await api('/v1/tenants/acme/streams', DEV_TOKEN, {
      method: 'POST',
      body: JSON.stringify({ name: 'siem-console', sink: { type: 'webhook', url: 'http://127.0.0.1:9/hook' }, secret: 'whsec-console-test', start: { leaf: 0 } }),
    });
    expect(created.status).toBe(201);
    // The alert engine follows the log: poll the API (by count of answers, not time) until it has judged the grant.
    const critical = async () => {
      const listed = (await (await api('/v1/alerts?tenant=acme&severity=critical', viewerToken)).json()) as { alerts: { status: string }[] };
      return listed.alerts;
    };
    while ((await critical()).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));

    const page = await browser.newPage({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await signIn(page);
    await page.getByRole('button', { name: 'Alerts', exact: true }).click();
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByText(/^1 alerts$/).waitFor();
    await page.getByRole('cell', { name: 'user u_self granted themself the role editor' }).waitFor();
    expect(await page.locator('tr.alert td.severity').allTextContents()).toEqual(['critical']);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'alerts');

    await page.getByRole('button', { name: 'Streams', exact: true }).click();
    await page.getByText(/^1 streams$/).waitFor();
    const row = page.locator('tr.stream', { hasText: 'siem-console' });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toContain('webhook');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'streams');
    expect(failures).toEqual([]);
    await page.close();

    // An admin acknowledges the alert with a note; the API keeps who and why.
    const admin = await browser.newPage();
    await signIn(admin, DEV_TOKEN);
    await admin.getByRole('button', { name: 'Alerts', exact: true }).click();
    await admin.getByLabel('Severity').selectOption('critical');
    await admin.getByLabel('Note for acknowledge or close').fill('expected: onboarding');
    await admin.getByRole('button', { name: 'Acknowledge privilege-escalation' }).click();
    await admin.getByText('acknowledged by api_key:dev: expected: onboarding').waitFor();
    const [acknowledged] = await critical();
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledged: { by: 'api_key:dev', note: 'expected: onboarding' } });
    await admin.close();

    // A ledger without these APIs (alerts off: 404; streams unavailable: 503) shows no page for them.
    const bare = await browser.newPage();
    const probed = (pattern: string, status: number) =>
      new Promise<void>((resolve) => void bare.route(pattern, async (route) => (await route.fulfill({ status, json: { error: { message: 'absent' } } }), resolve())));
    const answered = Promise.all([probed('**/v1/alerts?*', 404), probed('**/v1/tenants/acme/streams', 503)]);
    await signIn(bare);
    await answered;
    // One frame after both answers: the console has rendered what it made of them.
    await bare.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    await bare.getByRole('button', { name: 'Log health' }).waitFor();
    expect(await bare.getByRole('button', { name: 'Streams', exact: true }).count()).toBe(0);
    expect(await bare.getByRole('button', { name: 'Alerts', exact: true }).count()).toBe(0);
    await bare.close();
  });

  test('the embeddable <trailmark-log-viewer> shows the tenant its token reads', async () => {
    const page = await browser.newPage();
    // A host page on the ledger's origin, as a SaaS's admin page would embed it.
    await page.route(`${ledger.url}/host-page.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><title>host</title><script type="module" src="/console/element/trailmark-log-viewer.js"></script>
          <trailmark-log-viewer token="${viewerToken}" tenant="acme"></trailmark-log-viewer></html>`,
      }),
    );
    await page.goto(`${ledger.url}/host-page.html`);
    await page.getByText(/^100 events shown, more to load$/).waitFor();
    await page.getByRole('button', { name: /^Open event/ }).first().click();
    await page.getByRole('heading', { name: 'Envelope' }).waitFor();
    await shot(page, 'element');
    await page.close();
  });

  test('a viewer token expires: refused by the API once the ledger clock passes its expiry', async () => {
    expect((await api('/v1/events?tenant=acme&limit=1', viewerToken)).status).toBe(200);
    writeFileSync(shiftFile, String(15 * 60_000 + 1000));
    const response = await api('/v1/events?tenant=acme&limit=1', viewerToken);
    expect(response.status).toBe(401);
    expect((await api('/v1/events?tenant=acme&limit=1', DEV_TOKEN)).status).toBe(200);
  });
});
