// A NUL in a query parameter is a 400 whichever database holds the read models: SQLite compares it,
// PostgreSQL refuses it in text, which once surfaced as a 500. (api-bad-input.test.ts shows it on
// SQLite.) Runs when TRAILMARK_TEST_PG_URL names a PostgreSQL server (.ci/run starts one).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expectError, sharedLedger, loginEvent } from '../support/http-api.js';

const url = process.env['TRAILMARK_TEST_PG_URL'];
const database = `trailmark_nul_${randomBytes(6).toString('hex')}`;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

if (url === undefined || url === '') {
  test.skip('NUL in query parameters on PostgreSQL [set TRAILMARK_TEST_PG_URL to run it; .ci/run starts a server and sets it]', () => {});
} else {
  beforeAll(() => admin(`CREATE DATABASE ${database}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  const readDbUrl = new URL(url);
  readDbUrl.pathname = `/${database}`;
  const ledger = sharedLedger(() => ({ TRAILMARK_READ_DB_URL: readDbUrl.toString() }));

  test.each([
    ['/v1/events?actor=u_1%00', 'actor'],
    ['/v1/events?tenant=acme&text=a%00b', 'text'],
    ['/v1/events?target=user:%00', 'target'],
    ['/v1/events?requestId=%00', 'requestId'],
    ['/v1/events/export?format=csv&correlationId=x%00', 'correlationId'],
    ['/v1/tenants/acme/access?at=2026-01-01T00:00:00Z&role=admin%00', 'role'],
  ])('%s → 400 naming %s, on a ledger whose read models are in PostgreSQL', async (path, parameter) => {
    await ledger.api().record(loginEvent(), '?wait=checkpoint');
    const error = expectError(await ledger.api().get(path), 400, 'bad_request');
    expect(error.details.parameter).toBe(parameter);
    // The same search without the NUL is served from PostgreSQL.
    expect((await ledger.api().get(path.replace('%00', ''))).status).toBe(200);
  });
}
