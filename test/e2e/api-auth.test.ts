// Credentials against the real service: bearer tokens from TRAILMARK_TOKENS_FILE (only their
// SHA-256 on disk), roles and tenant scopes, the public log endpoints, and the dev token
// refused in production.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_TOKEN, makeDataDir, TRAILMARK_BIN } from '../support/ledger-process.js';
import {
  expectError,
  expectNothingStored,
  loginEvent,
  sendPartialBody,
  sharedLedger,
  tokenDigest,
  writeTokensFile,
  type ReceiptBody,
  type TokenEntry,
} from '../support/http-api.js';

const TOKENS = {
  ingestAcme: { name: 'ingest-acme', token: 'tok-ingest-acme', roles: ['ingest'], tenants: ['acme'] },
  readerAcme: { name: 'reader-acme', token: 'tok-reader-acme', roles: ['reader'], tenants: ['acme'] },
  auditorAll: { name: 'auditor-all', token: 'tok-auditor-all', roles: ['auditor'], tenants: ['*'] },
  readerGlobex: { name: 'reader-globex', token: 'tok-reader-globex', roles: ['reader'], tenants: ['globex'] },
  both: { name: 'ingest-reader-acme', token: 'tok-both-acme', roles: ['ingest', 'reader'], tenants: ['acme'] },
  adminAcme: { name: 'admin-acme', token: 'tok-admin-acme', roles: ['admin'], tenants: ['acme'] },
} satisfies Record<string, TokenEntry>;

const ledger = sharedLedger((dataDir) => ({ TRAILMARK_TOKENS_FILE: writeTokensFile(dataDir, Object.values(TOKENS)) }));

const api = (token?: string) => ledger.api().as(token);

let acmeEvent: ReceiptBody;
let globexEvent: ReceiptBody;

beforeAll(async () => {
  acmeEvent = await api(DEV_TOKEN).record(loginEvent({ tenant: 'acme' }));
  globexEvent = await api(DEV_TOKEN).record(loginEvent({ tenant: 'globex' }));
});

describe('authentication', () => {
  test('no token → 401 on every protected endpoint, nothing stored', async () => {
    const anonymous = api(undefined);
    const writes = await expectNothingStored(ledger.api(), async () => [
      await anonymous.post('/v1/events', loginEvent()),
      await anonymous.post('/v1/events/batch', { events: [loginEvent()] }),
    ]);
    const reads = [
      await anonymous.get(`/v1/events/${acmeEvent.id}`),
      await anonymous.get(`/v1/events/${acmeEvent.id}/proof`),
    ];
    for (const reply of [...writes, ...reads]) {
      const error = expectError(reply, 401, 'unauthorized');
      expect(error.message).toContain('Authorization: Bearer');
    }
  });

  test('an unknown token, a malformed header, or another scheme → 401, nothing stored', async () => {
    const headers = ['Bearer not-a-known-token', 'Bearer ', `Basic ${Buffer.from('u:p').toString('base64')}`, DEV_TOKEN, `Bearer ${TOKENS.ingestAcme.token}x`];
    for (const authorization of headers) {
      const write = await expectNothingStored(ledger.api(), () =>
        ledger.api().as(undefined).post('/v1/events', loginEvent(), { authorization }),
      );
      expectError(write, 401, 'unauthorized');
      expectError(await ledger.api().as(undefined).get(`/v1/events/${acmeEvent.id}`, { authorization }), 401, 'unauthorized');
    }
  });

  test('the tokens file holds the tokens’ SHA-256, not the tokens: the digest itself is not a token', async () => {
    expectError(await api(tokenDigest(TOKENS.readerAcme.token)).get(`/v1/events/${acmeEvent.id}`), 401, 'unauthorized');
  });

  test('the scheme is case-insensitive', async () => {
    const reply = await ledger.api().as(undefined).get(`/v1/events/${acmeEvent.id}`, { authorization: `bearer ${TOKENS.readerAcme.token}` });
    expect(reply.status).toBe(200);
  });
});

describe('authentication comes before the body', () => {
  // The service must answer these from the headers alone: a body it reads or parses first would give 400 or 413.
  const json = { 'content-type': 'application/json' };

  test('no token or an unknown one, with a malformed body → 401, not 400', async () => {
    for (const authorization of [undefined, 'Bearer not-a-known-token']) {
      for (const path of ['/v1/events', '/v1/events/batch']) {
        const headers = authorization === undefined ? json : { ...json, authorization };
        const reply = await ledger.api().as(undefined).request('POST', path, { raw: '{"tenant":', headers });
        expectError(reply, 401, 'unauthorized');
      }
    }
  });

  test('no token, with a body that is not UTF-8 → 401, not 400', async () => {
    const response = await fetch(`${ledger.api().url}/v1/events`, { method: 'POST', headers: json, body: Uint8Array.of(0x7b, 0xc3, 0x28, 0x7d) });
    expect(response.status).toBe(401);
  });

  test('no token, declaring a body of 100 MiB → 401 (not 413) without the body, and the connection closed', async () => {
    const reply = await sendPartialBody(ledger.api().url, '/v1/events', json, 100 * 1024 * 1024, '{"tenant":"acme"');
    expectError(reply, 401, 'unauthorized');
    expect(reply.rawHeaders.connection).toBe('close');
  });

  test('no token, sending a small body slowly → 401 at once, before the rest of the body', async () => {
    const body = JSON.stringify(loginEvent());
    const reply = await sendPartialBody(ledger.api().url, '/v1/events/batch', json, body.length + 100, body.slice(0, 10));
    expectError(reply, 401, 'unauthorized');
  });

  test('a reader token posting an event → 403 before the body is read', async () => {
    const headers = { ...json, authorization: `Bearer ${TOKENS.readerAcme.token}` };
    const malformed = await ledger.api().as(undefined).request('POST', '/v1/events', { raw: '{"tenant":', headers });
    expectError(malformed, 403, 'forbidden');
    const partial = await sendPartialBody(ledger.api().url, '/v1/events', headers, 1000, '{"tenant"');
    expectError(partial, 403, 'forbidden');
  });
});

describe('roles', () => {
  test('an ingest token records events of its tenant (single and batch)', async () => {
    const ingest = api(TOKENS.ingestAcme.token);
    expect((await ingest.post('/v1/events', loginEvent())).status).toBe(201);
    expect((await ingest.post('/v1/events/batch', { events: [loginEvent(), loginEvent()] })).status).toBe(201);
  });

  test('an ingest token for tenant acme writing tenant globex → 403 naming tenant, nothing stored', async () => {
    const ingest = api(TOKENS.ingestAcme.token);
    const single = await expectNothingStored(ledger.api(), () => ingest.post('/v1/events', loginEvent({ tenant: 'globex' })));
    const error = expectError(single, 403, 'forbidden', 'tenant');
    expect(error.message).toContain('globex');

    const batch = await expectNothingStored(ledger.api(), () =>
      ingest.post('/v1/events/batch', { events: [loginEvent(), loginEvent(), loginEvent({ tenant: 'globex' })] }),
    );
    expect(expectError(batch, 403, 'forbidden').details.field).toBe('events[2].tenant');
  });

  test('an ingest token cannot take over another tenant’s event id: 403, not a receipt for it', async () => {
    const id = randomUUID();
    await api(DEV_TOKEN).record(loginEvent({ id, tenant: 'globex' }));
    const reply = await expectNothingStored(ledger.api(), () =>
      api(TOKENS.ingestAcme.token).post('/v1/events', loginEvent({ id, tenant: 'globex' })),
    );
    expectError(reply, 403, 'forbidden');
  });

  test('a reader token cannot POST (403), nothing stored', async () => {
    for (const token of [TOKENS.readerAcme.token, TOKENS.auditorAll.token]) {
      const replies = await expectNothingStored(ledger.api(), async () => [
        await api(token).post('/v1/events', loginEvent()),
        await api(token).post('/v1/events/batch', { events: [loginEvent()] }),
      ]);
      for (const reply of replies) expect(expectError(reply, 403, 'forbidden').message).toContain('ingest');
    }
  });

  test('an ingest-only token cannot GET events or proofs (403), even of its own tenant', async () => {
    const ingest = api(TOKENS.ingestAcme.token);
    for (const path of [`/v1/events/${acmeEvent.id}`, `/v1/events/${acmeEvent.id}/proof`]) {
      expect(expectError(await ingest.get(path), 403, 'forbidden').message).toContain('reader');
    }
  });

  test('a reader of acme reads acme’s events and proofs', async () => {
    const reader = api(TOKENS.readerAcme.token);
    const event = await reader.get<{ id: string; leafIndex: number }>(`/v1/events/${acmeEvent.id}`);
    expect(event.status).toBe(200);
    expect(event.json.leafIndex).toBe(acmeEvent.leafIndex);
    expect((await reader.get(`/v1/events/${acmeEvent.id}/proof`)).status).toBe(200);
  });

  test('a reader of acme gets 404 (not 403) for globex’s event: the same answer as for no event at all', async () => {
    const reader = api(TOKENS.readerAcme.token);
    const missing = randomUUID();
    for (const suffix of ['', '/proof']) {
      const other = await reader.get(`/v1/events/${globexEvent.id}${suffix}`);
      const none = await reader.get(`/v1/events/${missing}${suffix}`);
      expectError(other, 404, 'not_found');
      expectError(none, 404, 'not_found');
      expect(other.text).not.toContain('globex');
      expect(other.text.replace(globexEvent.id, 'ID')).toBe(none.text.replace(missing, 'ID'));
    }
    // And the other way round.
    expectError(await api(TOKENS.readerGlobex.token).get(`/v1/events/${acmeEvent.id}`), 404, 'not_found');
    expect((await api(TOKENS.readerGlobex.token).get(`/v1/events/${globexEvent.id}`)).status).toBe(200);
  });

  test('an all-tenant auditor reads every tenant', async () => {
    for (const id of [acmeEvent.id, globexEvent.id]) {
      expect((await api(TOKENS.auditorAll.token).get(`/v1/events/${id}`)).status).toBe(200);
    }
  });

  test('a token with ingest and reader does both, within its tenant', async () => {
    const both = api(TOKENS.both.token);
    const receipt = await both.post<ReceiptBody>('/v1/events', loginEvent());
    expect(receipt.status).toBe(201);
    expect((await both.get(`/v1/events/${receipt.json.id}`)).status).toBe(200);
    expectError(await both.get(`/v1/events/${globexEvent.id}`), 404, 'not_found');
  });

  test('an admin scoped to acme may do anything, for acme only', async () => {
    const admin = api(TOKENS.adminAcme.token);
    expect((await admin.post('/v1/events', loginEvent())).status).toBe(201);
    expect((await admin.get(`/v1/events/${acmeEvent.id}`)).status).toBe(200);
    expectError(await admin.get(`/v1/events/${globexEvent.id}`), 404, 'not_found');
    const write = await expectNothingStored(ledger.api(), () => admin.post('/v1/events', loginEvent({ tenant: 'globex' })));
    expectError(write, 403, 'forbidden', 'tenant');
  });
});

describe('public endpoints', () => {
  test('the log and health endpoints need no token, and ignore a bad one', async () => {
    const size = await ledger.api().treeSize();
    const paths = [
      '/v1/log/checkpoint',
      '/v1/log/key',
      `/v1/log/proof/consistency?from=1&to=${size}`,
      `/v1/log/proof/inclusion?index=0&treeSize=${size}`,
      '/health/live',
      '/health/ready',
    ];
    // Wait for a checkpoint covering the current size, so that proofs up to it are served.
    await ledger.api().record(loginEvent(), '?wait=checkpoint');
    for (const path of paths) {
      expect((await api(undefined).get(path)).status).toBe(200);
      expect((await api('not-a-token').get(path)).status).toBe(200);
    }
  });
});

describe('the dev token in production', () => {
  test('NODE_ENV=production with TRAILMARK_DEV_TOKEN: the service refuses to start, exit status non-zero, saying why', async () => {
    const { dataDir, cleanup } = makeDataDir();
    try {
      const child = spawn(process.execPath, [TRAILMARK_BIN, 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          HOST: '127.0.0.1',
          PORT: '0',
          NODE_ENV: 'production',
          TRAILMARK_DATA_DIR: dataDir,
          TRAILMARK_DEV_TOKEN: DEV_TOKEN,
          TRAILMARK_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      expect(status).not.toBe(0);
      expect(status).not.toBeNull();
      expect(output).toContain('TRAILMARK_DEV_TOKEN');
      expect(output).toContain('NODE_ENV=production');
      expect(output).not.toContain('listening');
      expect(output).not.toContain(DEV_TOKEN);
    } finally {
      await cleanup();
    }
  });
});

describe('the tokens file is checked at start', () => {
  /** Starts `trailmark serve` with `entries` as its tokens file; resolves with its exit status and output, or 'listening' if it started. */
  async function start(entries: unknown[], env: Record<string, string> = {}): Promise<{ status: number | null | 'listening'; output: string }> {
    const { dataDir, cleanup } = makeDataDir();
    try {
      const tokensFile = join(dataDir, 'tokens.json');
      writeFileSync(tokensFile, JSON.stringify(entries));
      const child = spawn(process.execPath, [TRAILMARK_BIN, 'serve'], {
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TRAILMARK_DATA_DIR: dataDir, TRAILMARK_TOKENS_FILE: tokensFile, TRAILMARK_LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const status = await new Promise<number | null | 'listening'>((resolve) => {
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (/listening on/.test(output)) {
            child.kill('SIGKILL');
            resolve('listening');
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => resolve(code));
      });
      return { status, output };
    } finally {
      await cleanup();
    }
  }
  const entry = (name: string, token: string, roles: unknown = ['reader'], tenants: unknown = ['acme']) => ({ name, sha256: tokenDigest(token), roles, tenants });

  test('two entries with one digest: refused, naming both', async () => {
    const { status, output } = await start([entry('first', 'tok-a'), entry('other', 'tok-b'), entry('second', 'tok-a', ['admin'], ['*'])]);
    expect(status).not.toBe('listening');
    expect(status).not.toBe(0);
    expect(output).toMatch(/entry 2 \(second\)/);
    expect(output).toMatch(/entry 0 \(first\)/);
  });

  test('an unknown role: refused, naming the entry and the role', async () => {
    const { status, output } = await start([entry('ok', 'tok-a'), entry('typo', 'tok-b', ['reader', 'superuser'])]);
    expect(status).not.toBe('listening');
    expect(status).not.toBe(0);
    expect(output).toMatch(/entry 1 \(typo\)/);
    expect(output).toContain('"superuser"');
  });

  test('an empty tenant list: refused, naming the entry', async () => {
    const { status, output } = await start([entry('nobody', 'tok-a', ['reader'], [])]);
    expect(status).not.toBe('listening');
    expect(status).not.toBe(0);
    expect(output).toMatch(/entry 0 \(nobody\).*tenants/);
  });

  test('the dev token equal to a token of the file: refused, naming the entry', async () => {
    const { status, output } = await start([entry('ops', DEV_TOKEN, ['reader'], ['acme'])], { TRAILMARK_DEV_TOKEN: DEV_TOKEN });
    expect(status).not.toBe('listening');
    expect(status).not.toBe(0);
    expect(output).toContain('"ops"');
    expect(output).not.toContain(DEV_TOKEN);
  });
});
