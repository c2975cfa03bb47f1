// Bad input to POST /v1/events and POST /v1/events/batch: each gets the right 4xx, a
// {"error":{"code","message","details"}} naming the field, and nothing is stored (the tree
// size does not move, and the next valid event lands at the size read before).
import { request as httpRequest } from 'node:http';
import { DEV_TOKEN } from '../support/ledger-process.js';
import { expectError, expectNothingStored, loginEvent, roleGrantedEvent, sharedLedger, type Reply } from '../support/http-api.js';

const ledger = sharedLedger();

/** POSTs with a Content-Length of `declared` bytes but writes only `start`; resolves with the answer. */
function postDeclaringLength(path: string, declared: number, start: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${ledger.api().url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json', 'content-length': String(declared) },
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
        resolve({ status: response.statusCode!, headers, text, json: JSON.parse(text) as unknown });
      });
    });
    request.on('error', (error) => {
      if (!request.destroyed || !('code' in error && error.code === 'ECONNRESET')) reject(error);
    });
    request.write(start);
  });
}

function postRaw(path: string, raw: string, contentType?: string): Promise<Reply> {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  return ledger.api().request('POST', path, { raw, headers });
}

/** Posts `body` as one event and as item 2 of a batch; both must be refused naming the field, nothing stored. */
async function expectRefused(body: unknown, status: number, code: string, field: string): Promise<void> {
  const api = ledger.api();
  const single = await expectNothingStored(api, () => api.post('/v1/events', body));
  expectError(single, status, code, field);
  const batch = await expectNothingStored(api, () =>
    api.post('/v1/events/batch', { events: [loginEvent(), roleGrantedEvent(), body, loginEvent()] }),
  );
  const error = expectError(batch, status, code);
  expect(error.details.field).toBe(field === '' ? 'events[2]' : `events[2].${field}`);
  expect(error.message).toContain(`events[2]${field === '' ? '' : '.'}${field}`);
}

describe('the body is not a JSON event', () => {
  test.each([
    ['truncated JSON', '{"tenant":"acme",'],
    ['not JSON at all', 'tenant=acme'],
    ['an empty body', ''],
    ['two documents', '{}{}'],
    ['a trailing comma', '{"tenant":"acme",}'],
  ])('malformed JSON (%s) → 400 invalid_json', async (_name, raw) => {
    for (const path of ['/v1/events', '/v1/events/batch']) {
      const reply = await expectNothingStored(ledger.api(), () => postRaw(path, raw, 'application/json'));
      expectError(reply, 400, 'invalid_json');
    }
  });

  test.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['XML', 'application/xml'],
    ['no content type', undefined],
  ])('a valid event sent as %s → 415 unsupported_media_type', async (_name, contentType) => {
    const body = JSON.stringify(loginEvent());
    for (const path of ['/v1/events', '/v1/events/batch']) {
      const raw = path.endsWith('batch') ? JSON.stringify({ events: [loginEvent()] }) : body;
      const reply = await expectNothingStored(ledger.api(), () => postRaw(path, raw, contentType));
      const error = expectError(reply, 415, 'unsupported_media_type');
      expect(error.message).toContain('application/json');
    }
  });

  test('application/json with a charset is JSON', async () => {
    const reply = await postRaw('/v1/events', JSON.stringify(loginEvent()), 'application/json; charset=utf-8');
    expect(reply.status).toBe(201);
  });

  test.each([
    ['null', null],
    ['an array', [loginEvent()]],
    ['a string', 'user.login'],
    ['a number', 42],
  ])('an event that is %s → 400 naming the event', async (_name, body) => {
    const api = ledger.api();
    const reply = await expectNothingStored(api, () => api.request('POST', '/v1/events', { raw: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
    const error = expectError(reply, 400, 'invalid_event');
    expect(error.details.field).toBe('');
    expect(error.message).toMatch(/must be a JSON object/);
    await expectRefused(body, 400, 'invalid_event', '');
  });

  test('a body with __proto__ is refused (prototype poisoning), nothing stored', async () => {
    const raw = JSON.stringify(loginEvent()).replace('{', '{"__proto__":{"admin":true},');
    const reply = await expectNothingStored(ledger.api(), () => postRaw('/v1/events', raw, 'application/json'));
    expect(reply.status).toBe(400);
    expectError(reply, 400);
  });
});

describe('fields', () => {
  test('an unknown action → 400 naming action', async () => {
    await expectRefused(loginEvent({ action: 'user.teleported' }), 400, 'invalid_event', 'action');
  });

  test.each(['tenant', 'action', 'outcome', 'actor'])('missing %s → 400 naming it', async (field) => {
    const body = loginEvent();
    delete body[field];
    await expectRefused(body, 400, 'invalid_event', field);
  });

  test('a missing free-text field says it is required', async () => {
    for (const field of ['tenant', 'actor']) {
      const reply = await ledger.api().post('/v1/events', { ...loginEvent(), [field]: undefined });
      expect(expectError(reply, 400, 'invalid_event', field).message).toBe(`${field} is required`);
    }
  });

  test('missing nested fields → 400 naming the path', async () => {
    await expectRefused(loginEvent({ actor: { type: 'user' } }), 400, 'invalid_event', 'actor.id');
    await expectRefused(loginEvent({ targets: [{ id: 'u_1' }] }), 400, 'invalid_event', 'targets[0].type');
    await expectRefused(loginEvent({ targets: [] }), 400, 'invalid_event', 'targets');
  });

  test.each([
    ['tenant', 7, 'tenant'],
    ['outcome', true, 'outcome'],
    ['actor', 'u_1', 'actor'],
    ['actor', { type: 'user', id: 12 }, 'actor.id'],
    ['targets', { type: 'user', id: 'u_1' }, 'targets'],
    ['targets', [{ type: 'user', id: 'u_1' }, 'role:admin'], 'targets[1]'],
    ['reason', ['x'], 'reason'],
    ['occurredAt', 1700000000, 'occurredAt'],
    ['context', 'ip=1.2.3.4', 'context'],
    ['metadata', ['a'], 'metadata'],
    ['changes', { after: 'admin' }, 'changes.after'],
    ['id', 12345, 'id'],
  ])('%s of the wrong type (%j) → 400 naming %s', async (name, value, field) => {
    await expectRefused(loginEvent({ [name]: value }), 400, 'invalid_event', field);
  });

  test.each([
    ['actor.type', loginEvent({ actor: { type: 'robot', id: 'r' } })],
    ['outcome', loginEvent({ outcome: 'maybe' })],
    ['tenant', loginEvent({ tenant: 'ACME Corp' })],
    ['id', loginEvent({ id: 'not-a-uuid' })],
    ['occurredAt', loginEvent({ occurredAt: 'yesterday' })],
    ['context.ip', loginEvent({ context: { ip: '999.1.1.1' } })],
    ['context.geo.country', loginEvent({ context: { geo: { country: 'France' } } })],
    ['actor.id', loginEvent({ actor: { type: 'user', id: 'u_1\nforged log line' } })],
    ['targets', loginEvent({ action: 'role.granted', targets: [{ type: 'user', id: 'u_1' }] })],
  ])('an invalid value → 400 naming %s', async (field, body) => {
    await expectRefused(body, 400, 'invalid_event', field);
  });

  test.each([
    ['tenant', 64, (s: string) => loginEvent({ tenant: s })],
    ['reason', 256, (s: string) => loginEvent({ reason: s })],
    ['actor.id', 256, (s: string) => loginEvent({ actor: { type: 'user', id: s } })],
    ['actor.authMethod', 64, (s: string) => loginEvent({ actor: { type: 'user', id: 'u', authMethod: s } })],
    ['targets[0].id', 256, (s: string) => loginEvent({ targets: [{ type: 'user', id: s }] })],
    ['targets[0].type', 64, (s: string) => loginEvent({ action: 'data.exported', targets: [{ type: s, id: 'x' }] })],
    ['context.userAgent', 1024, (s: string) => loginEvent({ context: { userAgent: s } })],
    ['context.requestId', 128, (s: string) => loginEvent({ context: { requestId: s } })],
  ])('%s longer than %i characters → 400; at the limit → 201', async (field, max, make) => {
    await expectRefused(make('a'.repeat(max + 1)), 400, 'invalid_event', field);
    const reply = await ledger.api().post('/v1/events', make('a'.repeat(max)));
    expect(reply.status).toBe(201);
  });

  test('more than 10 targets → 400 naming targets; 10 → 201', async () => {
    const targets = (n: number) => [{ type: 'user', id: 'u_1' }, ...Array.from({ length: n - 1 }, (_, i) => ({ type: 'group', id: `g_${i}` }))];
    await expectRefused(loginEvent({ targets: targets(11) }), 400, 'invalid_event', 'targets');
    const reply = await ledger.api().post('/v1/events', loginEvent({ targets: targets(10) }));
    expect(reply.status).toBe(201);
    expect((await ledger.api().post('/v1/events', loginEvent({ targets: targets(11) }))).text).toContain('at most 10');
  });

  test('an unknown top-level field → 400 naming it', async () => {
    await expectRefused(loginEvent({ password_hint: 'x' }), 400, 'invalid_event', 'password_hint');
    await expectRefused(loginEvent({ time: '2026-01-01T00:00:00.000000Z' }), 400, 'invalid_event', 'time');
    await expectRefused(loginEvent({ leafIndex: 0 }), 400, 'invalid_event', 'leafIndex');
  });

  test('an unknown nested field of a fixed shape → 400 naming its path', async () => {
    await expectRefused(loginEvent({ actor: { type: 'user', id: 'u', role: 'admin' } }), 400, 'invalid_event', 'actor.role');
    await expectRefused(loginEvent({ context: { headers: {} } }), 400, 'invalid_event', 'context.headers');
  });

  test('metadata nested deeper than 32 levels → 400', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const api = ledger.api();
    const reply = await expectNothingStored(api, () => api.post('/v1/events', loginEvent({ metadata: deep })));
    const error = expectError(reply, 400, 'invalid_event');
    expect(String(error.details.field)).toMatch(/^metadata(\.d)+$/);
  });
});

describe('secrets are never recorded', () => {
  test.each([
    ['metadata.auth.password', { metadata: { auth: { password: 'hunter2' } } }],
    ['metadata.password', { metadata: { password: 'hunter2' } }],
    ['changes.after.apiKey', { changes: { after: { apiKey: 'sk_live_123' } } }],
    ['changes.before.credentials[0].secret', { changes: { before: { credentials: [{ secret: 's' }] } } }],
    ['metadata.request.headers.Authorization', { metadata: { request: { headers: { Authorization: 'Bearer abc' } } } }],
    ['metadata.x-api-key', { metadata: { 'x-api-key': 'k' } }],
    ['metadata["auth.password"]', { metadata: { 'auth.password': 'k' } }],
    ['metadata.a.b.c.d.e.refresh_token', { metadata: { a: { b: { c: { d: { e: { refresh_token: 'r' } } } } } } }],
    ['metadata.cookies.sid', { metadata: { cookies: { sid: 'abc' } } }],
    ['metadata.pin', { metadata: { pin: 1234 } }],
  ])('a secret at %s → 400 secret_field naming the path', async (path, overrides) => {
    const body = loginEvent(overrides);
    const api = ledger.api();
    const single = await expectNothingStored(api, () => api.post('/v1/events', body));
    const error = expectError(single, 400, 'secret_field', path);
    expect(error.details.fields).toEqual([path]);
    // The secret itself is not echoed back.
    expect(single.text).not.toMatch(/hunter2|sk_live_123|Bearer abc/);

    const batch = await expectNothingStored(api, () => api.post('/v1/events/batch', { events: [loginEvent(), body] }));
    expectError(batch, 400, 'secret_field', `events[1].${path}`);
  });

  test('every secret of the event is named, in document order', async () => {
    const api = ledger.api();
    const body = loginEvent({ context: { sessionId: 's_1' }, changes: { after: { token: 't' } }, metadata: { password: 'p', okay: 1 } });
    const reply = await expectNothingStored(api, () => api.post('/v1/events', body));
    const error = expectError(reply, 400, 'secret_field', 'changes.after.token');
    expect(error.details.fields).toEqual(['changes.after.token', 'metadata.password']);
  });

  test('names that describe a secret without carrying one are recorded', async () => {
    const reply = await ledger.api().post(
      '/v1/events',
      loginEvent({ metadata: { passwordMinLength: 12, tokenType: 'bearer', promptTokens: 321, apiKeyId: 'key_1', passwordResetRequired: true } }),
    );
    expect(reply.status).toBe(201);
  });
});

describe('sizes', () => {
  test('the largest valid envelope is far below the 65,535-byte leaf limit and is recorded', async () => {
    // Every fixed field at its limit, in 3-byte UTF-8 characters: the schema's limits keep a leaf under 12 KB,
    // so the leaf limit (LeafTooLargeError → 413) cannot be reached through HTTP.
    const wide = (n: number) => '€'.repeat(n);
    const body = {
      tenant: 'a'.repeat(64),
      action: 'data.exported',
      outcome: 'success',
      reason: wide(256),
      actor: { type: 'user', id: wide(256), authMethod: wide(64) },
      targets: Array.from({ length: 10 }, (_, i) => ({ type: `${i}`.padEnd(64, 't'), id: wide(256) })),
    };
    const api = ledger.api();
    const receipt = await api.record(body);
    const stored = await api.get<{ leaf: string }>(`/v1/events/${receipt.id}`);
    const bytes = Buffer.from(stored.json.leaf, 'base64').length;
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(65_535);
  });

  test('one event above its body limit (256 KiB) → 413 payload_too_large from the Content-Length alone, nothing stored', async () => {
    // Declares one byte too many and sends only the start: the service must answer without reading the body.
    // (Sending it all races the service closing the connection after its 413: EPIPE on our side.)
    const reply = await expectNothingStored(ledger.api(), () =>
      postDeclaringLength('/v1/events', 256 * 1024 + 1, JSON.stringify(loginEvent()).slice(0, -1) + ',"metadata":{"blob":"xxxx'),
    );
    expectError(reply, 413, 'payload_too_large');
  });

  test('a batch above its body limit (8 MiB) → 413 payload_too_large, nothing stored; a 3 MiB batch is recorded', async () => {
    const reply = await expectNothingStored(ledger.api(), () =>
      postDeclaringLength('/v1/events/batch', 8 * 1024 * 1024 + 1, '{"events":[' + JSON.stringify(loginEvent())),
    );
    expectError(reply, 413, 'payload_too_large');
    // 1,000 events of 3 KiB each: far above one event's limit, within the batch's.
    const events = Array.from({ length: 1000 }, (_, i) => loginEvent({ metadata: { note: `${i}`.padEnd(3000, '.') } }));
    expect(JSON.stringify({ events }).length).toBeGreaterThan(3 * 1024 * 1024);
    const batch = await ledger.api().post<{ events: unknown[] }>('/v1/events/batch', { events });
    expect(batch.status).toBe(201);
    expect(batch.json.events).toHaveLength(1000);
  });

  test('a batch of 1,001 events → 413 batch_too_large naming events, nothing stored', async () => {
    const api = ledger.api();
    const events = Array.from({ length: 1001 }, () => loginEvent());
    const reply = await expectNothingStored(api, () => api.post('/v1/events/batch', { events }));
    const error = expectError(reply, 413, 'batch_too_large');
    expect(error.details.field).toBe('events');
    expect(error.details.limit).toBe(1000);
    expect(error.message).toContain('1001');
  });
});

describe('batches', () => {
  test('one bad event among valid ones → 400 naming events[i].field, none stored', async () => {
    const api = ledger.api();
    const events = Array.from({ length: 50 }, (_, i) => loginEvent({ actor: { type: 'user', id: `u_${i}` } }));
    events[37] = loginEvent({ actor: { type: 'user', id: 'a'.repeat(257) } });
    const reply = await expectNothingStored(api, () => api.post('/v1/events/batch', { events }));
    expectError(reply, 400, 'invalid_event', 'events[37].actor.id');
  });

  test('the same new id twice in one batch → 400 naming the second, none stored', async () => {
    const api = ledger.api();
    const id = crypto.randomUUID();
    const reply = await expectNothingStored(api, () =>
      api.post('/v1/events/batch', { events: [loginEvent({ id }), loginEvent(), loginEvent({ id })] }),
    );
    expectError(reply, 400, 'invalid_event', 'events[2].id');
    expect((await api.get(`/v1/events/${id}`)).status).toBe(404);
  });

  test.each([
    ['no events field', {}, 'events'],
    ['events not an array', { events: loginEvent() }, 'events'],
    ['an empty batch', { events: [] }, 'events'],
    ['an unknown field beside events', { events: [loginEvent()], tenant: 'acme' }, 'tenant'],
  ])('%s → 400 naming %s', async (_name, body, field) => {
    const api = ledger.api();
    const reply = await expectNothingStored(api, () => api.post('/v1/events/batch', body));
    const error = expectError(reply, 400, 'invalid_event');
    expect(error.details.field).toBe(field);
  });

  test('a batch that is not an object → 400', async () => {
    for (const raw of ['null', '[]', '"events"']) {
      const reply = await expectNothingStored(ledger.api(), () => postRaw('/v1/events/batch', raw, 'application/json'));
      expectError(reply, 400, 'invalid_event');
    }
  });
});

describe('bounded detail', () => {
  // {"metadata":{"blob":"<n characters>"}} is 24 + n bytes as canonical JSON.
  const blob = (n: number) => loginEvent({ metadata: { blob: 'x'.repeat(n) } });

  test('a detail above 64 KiB as canonical JSON → 413 detail_too_large naming its largest part; at the limit → 201', async () => {
    await expectRefused(blob(65_536 - 24 + 1), 413, 'detail_too_large', 'metadata');
    const reply = await ledger.api().post<{ error: { details: Record<string, unknown> } }>('/v1/events', blob(65_536 - 24 + 1));
    expect(reply.json.error.details).toMatchObject({ bytes: 65_537, limit: 65_536 });
    expect((await ledger.api().post('/v1/events', blob(65_536 - 24))).status).toBe(201);
  });

  test('the detail counts all its parts: changes large enough with the rest → 413 naming changes', async () => {
    const body = loginEvent({
      context: { userAgent: 'a'.repeat(1000) },
      changes: { before: { v: 'b'.repeat(33_000) }, after: { v: 'a'.repeat(33_000) } },
      metadata: { m: 'm'.repeat(1000) },
    });
    await expectRefused(body, 413, 'detail_too_large', 'changes');
  });

  test('an object of more than 1,000 keys → 400 naming it; 1,000 → 201', async () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0]));
    await expectRefused(loginEvent({ metadata: { attributes: keys(1001) } }), 400, 'invalid_event', 'metadata.attributes');
    expect((await ledger.api().post('/v1/events', loginEvent({ metadata: { attributes: keys(1000) } }))).status).toBe(201);
  });

  test('an array of more than 1,000 items → 400 naming it; 1,000 → 201', async () => {
    const items = (n: number) => Array.from({ length: n }, () => 0);
    await expectRefused(loginEvent({ changes: { after: { groups: items(1001) } } }), 400, 'invalid_event', 'changes.after.groups');
    expect((await ledger.api().post('/v1/events', loginEvent({ changes: { after: { groups: items(1000) } } }))).status).toBe(201);
  });
});

describe('numbers and text', () => {
  const json = { 'content-type': 'application/json' };
  /** The login event as raw JSON text, with `metadata` spliced in verbatim. */
  const withRawMetadata = (metadata: string) => JSON.stringify(loginEvent()).slice(0, -1) + `,"metadata":${metadata}}`;

  test.each([
    ['2^53 + 1', '9007199254740993'],
    ['2^53', '9007199254740992'],
    ['-(2^53 + 1)', '-9007199254740993'],
    ['a twenty-digit integer', '12345678901234567890'],
    ['an exponent beyond 2^53', '1e16'],
  ])('a number beyond ±(2^53 − 1) (%s) → 400 naming it, not rounded and stored', async (_name, number) => {
    const api = ledger.api();
    const single = await expectNothingStored(api, () => api.request('POST', '/v1/events', { raw: withRawMetadata(`{"ok":1,"n":${number}}`), headers: json }));
    expectError(single, 400, 'invalid_event', 'metadata.n');
    const batch = await expectNothingStored(api, () =>
      api.request('POST', '/v1/events/batch', { raw: `{"events":[${JSON.stringify(loginEvent())},${withRawMetadata(`{"list":[1,${number}]}`)}]}`, headers: json }),
    );
    expectError(batch, 400, 'invalid_event', 'events[1].metadata.list[1]');
  });

  test('2^53 − 1, and large or small numbers that are not integers, are recorded as sent', async () => {
    const api = ledger.api();
    const reply = await api.request<{ id: string }>('POST', '/v1/events', { raw: withRawMetadata('{"max":9007199254740991,"min":-9007199254740991,"f":0.5,"tiny":1e-300}'), headers: json });
    expect(reply.status).toBe(201);
    const stored = await api.get<{ detail: { metadata: Record<string, number> } }>(`/v1/events/${reply.json.id}`);
    expect(stored.text).toContain('"max":9007199254740991');
    expect(stored.json.detail.metadata).toEqual({ max: 9007199254740991, min: -9007199254740991, f: 0.5, tiny: 1e-300 });
  });

  test('digits inside strings are not numbers', async () => {
    const reply = await ledger.api().post('/v1/events', loginEvent({ metadata: { accountNumber: '123456789012345678901234', version: '1e99' } }));
    expect(reply.status).toBe(201);
  });

  test('a body that is not valid UTF-8 → 400 invalid_utf8, nothing stored (not U+FFFD in its place)', async () => {
    const api = ledger.api();
    const text = JSON.stringify(loginEvent({ reason: 'caf@' }));
    const at = Buffer.from(text).indexOf('@');
    for (const bad of [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const body = Buffer.concat([Buffer.from(text).subarray(0, at), Buffer.from(bad), Buffer.from(text).subarray(at + 1)]);
      for (const path of ['/v1/events', '/v1/events/batch']) {
        const payload = path.endsWith('batch') ? Buffer.concat([Buffer.from('{"events":['), body, Buffer.from(']}')]) : body;
        const response = await expectNothingStored(api, () =>
          fetch(`${api.url}${path}`, { method: 'POST', headers: { ...json, authorization: `Bearer ${DEV_TOKEN}` }, body: payload }),
        );
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_utf8');
      }
    }
  });

  const INVISIBLE: [string, string][] = [
    ['a right-to-left override', '\u202e'],
    ['a left-to-right embedding', '\u202a'],
    ['a first-strong isolate', '\u2068'],
    ['a right-to-left mark', '\u200f'],
    ['a line separator', '\u2028'],
    ['a paragraph separator', '\u2029'],
    ['a zero-width space', '\u200b'],
    ['a zero-width joiner', '\u200d'],
    ['a word joiner', '\u2060'],
    ['a byte order mark', '\ufeff'],
  ];
  test.each(INVISIBLE)('%s in a fixed field → 400 naming the field', async (_name, character) => {
    await expectRefused(loginEvent({ actor: { type: 'user', id: `u_${character}1` } }), 400, 'invalid_event', 'actor.id');
    await expectRefused(loginEvent({ targets: [{ type: 'user', id: `u_1${character}` }] }), 400, 'invalid_event', 'targets[0].id');
    await expectRefused(loginEvent({ reason: `wrong${character}password` }), 400, 'invalid_event', 'reason');
    await expectRefused(loginEvent({ actor: { type: 'user', id: 'u_1', authMethod: `pass${character}word` } }), 400, 'invalid_event', 'actor.authMethod');
    await expectRefused(loginEvent({ context: { requestId: `req${character}` } }), 400, 'invalid_event', 'context.requestId');
  });

  test('the same characters in free-form metadata are recorded', async () => {
    const reply = await ledger.api().post('/v1/events', loginEvent({ metadata: { note: INVISIBLE.map(([, character]) => character).join('') } }));
    expect(reply.status).toBe(201);
  });

  test.each(['2030-99-99T99:99:99Z', '2030-02-30T00:00:00Z', '2030-04-31T12:00:00Z', '2030-01-01T24:00:00Z', '2030-01-01T00:60:00Z', '2030-01-01T00:00:61Z'])(
    'an impossible date (%s) → 400 in occurredAt, from, to and at',
    async (date) => {
      await expectRefused(loginEvent({ occurredAt: date }), 400, 'invalid_event', 'occurredAt');
      const api = ledger.api();
      for (const parameter of ['from', 'to']) {
        const error = expectError(await api.get(`/v1/events?${parameter}=${date}`), 400, 'bad_request');
        expect(error.details.parameter).toBe(parameter);
      }
      const error = expectError(await api.get(`/v1/tenants/acme/access?at=${date}`), 400, 'bad_request');
      expect(error.details.parameter).toBe('at');
    },
  );

  test('a leap day is a date', async () => {
    const api = ledger.api();
    expect((await api.get('/v1/events?from=2028-02-29T00:00:00Z&to=2028-12-31T23:59:59.999Z')).status).toBe(200);
    expect((await api.get('/v1/tenants/acme/access?at=2028-02-29T12:00:00Z')).status).toBe(200);
    expectError(await api.get('/v1/events?from=2027-02-29T00:00:00Z'), 400, 'bad_request');
  });

  test.each([
    ['/v1/events?actor=u_1%00', 'actor'],
    ['/v1/events?tenant=acme&text=a%00b', 'text'],
    ['/v1/events?target=%00', 'target'],
    ['/v1/events/export?format=ndjson&requestId=%00', 'requestId'],
    ['/v1/tenants/acme/access?at=2026-01-01T00:00:00Z&role=admin%00', 'role'],
    ['/v1/log/checkpoint?cache=%00', 'cache'],
  ])('a NUL in a query parameter (%s) → 400 naming it', async (path, parameter) => {
    const error = expectError(await ledger.api().get(path), 400, 'bad_request');
    expect(error.details.parameter).toBe(parameter);
  });
});

describe('reserved actions are the service\'s own', () => {
  const readOfTheLog = (action: string) => ({
    tenant: 'acme',
    action,
    outcome: 'success',
    actor: { type: 'api_key', id: 'forger' },
    targets: [{ type: 'audit_log', id: 'acme' }],
  });

  test.each(['audit_log.read', 'audit_log.exported'])('an ingest token that sends %s → 400 naming action, nothing stored', async (action) => {
    await expectRefused(readOfTheLog(action), 400, 'invalid_event', 'action');
    const reply = await ledger.api().post('/v1/events', readOfTheLog(action));
    expect(expectError(reply, 400, 'invalid_event', 'action').message).toContain('reserved');
  });

  test('the service still records its own audit_log.read for a search', async () => {
    const api = ledger.api();
    const before = await api.treeSize();
    expect((await api.get('/v1/events?tenant=acme&limit=1')).status).toBe(200);
    // The search's only write is its read audit, recorded before the answer.
    expect(await api.treeSize()).toBe(before + 1);
  });
});

describe('secret names are normalised and matched as words', () => {
  // One case a line: where the secret is, and the event that carries it.
  test.each([
    ['metadata["pаsswоrd"]', { metadata: { 'pаsswоrd': 'hunter2' } }], // Cyrillic а, о
    ['metadata["pass\u200bword"]', { metadata: { 'pass\u200bword': 'hunter2' } }], // zero-width space
    ['metadata.passwordReset', { metadata: { passwordReset: 'hunter2' } }],
    ['metadata.passwordHistory[0]', { metadata: { passwordHistory: ['hunter1'] } }],
    ['metadata.otpSeed', { metadata: { otpSeed: 'JBSWY3DPEHPK3PXP' } }],
    ['metadata.mfa_backup_code', { metadata: { mfa_backup_code: '1234-5678' } }],
    ['metadata.headers.X-Auth-Token', { metadata: { headers: { 'X-Auth-Token': 'abc' } } }],
    ['changes.after.ssh_private_key', { changes: { after: { ssh_private_key: '-----BEGIN' } } }],
  ])('a secret at %s → 400 secret_field naming the path', async (path, overrides) => {
    const api = ledger.api();
    const reply = await expectNothingStored(api, () => api.post('/v1/events', loginEvent(overrides)));
    expect(expectError(reply, 400, 'secret_field').details.fields).toEqual([path]);
  });

  test('names are whole words: a password\'s reset time and an offset are recorded', async () => {
    expect((await ledger.api().post('/v1/events', loginEvent({ metadata: { passwordResetAt: '2026-01-01', offset: 3 } }))).status).toBe(201);
  });
});
