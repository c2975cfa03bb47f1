// GET /openapi.json, /docs and /metrics, request ids and JSON logs, against the real service over HTTP.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';
import { until } from '../support/budgets.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies read field by field
type Json = Record<string, any>;

const auth = { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json' };
const login = (extra: Json = {}): Json => ({
  tenant: 'acme',
  action: 'user.login',
  outcome: 'success',
  actor: { type: 'user', id: 'u_1' },
  targets: [{ type: 'user', id: 'u_1' }],
  ...extra,
});

let ledger: LedgerProcess;
let cleanup: () => Promise<void>;
let doc: Json;

beforeAll(async () => {
  const dir = makeDataDir();
  cleanup = dir.cleanup;
  ledger = await startLedger(dir.dataDir, { TRAILMARK_LOG_LEVEL: 'info' });
  doc = (await (await fetch(`${ledger.url}/openapi.json`)).json()) as Json;
});

afterAll(async () => {
  expect(await ledger.stop()).toBe(0);
  await cleanup();
});

function operations(): { path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, methods]) =>
    Object.entries(methods as Json).map(([method, op]) => ({ path, method, op: op as Json })),
  );
}

/** The JSON log lines the service wrote to stdout so far. */
function logLines(process: LedgerProcess): Json[] {
  return process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Json);
}

/** The child's log lines, once `wanted` finds what it looks for (polled: logs arrive through a pipe). */
async function logLinesWhen(process: LedgerProcess, wanted: (lines: Json[]) => boolean): Promise<Json[]> {
  await until(() => wanted(logLines(process)), 'the log lines the test looks for', 20);
  return logLines(process);
}

function resolveRef(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function* walk(node: unknown): Generator<Json> {
  if (Array.isArray(node)) for (const item of node) yield* walk(item);
  else if (node !== null && typeof node === 'object') {
    yield node as Json;
    for (const value of Object.values(node)) yield* walk(value);
  }
}

function schemaValidator(name: string) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
  ajv.addSchema({ $id: 'urn:trailmark:openapi', components: doc.components }, 'urn:trailmark:openapi');
  return ajv.compile({ $ref: `urn:trailmark:openapi#/components/schemas/${name}` });
}

describe('GET /openapi.json', () => {
  test('is an OpenAPI 3.1 document: required fields, unique operation ids, resolvable $refs, path parameters declared, valid JSON Schemas', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      expect(path).toMatch(/^\//);
      expect(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']).toContain(method);
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses as Json)) {
        expect(status).toMatch(/^([1-5]\d\d|default)$/);
        expect(typeof ((response as Json).$ref ? (resolveRef((response as Json).$ref) as Json) : (response as Json)).description).toBe('string');
      }
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (op.parameters as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort()).toEqual(templated.sort());
      for (const parameter of op.parameters as Json[]) {
        expect(['query', 'header', 'path', 'cookie']).toContain(parameter.in);
        if (parameter.in === 'path') expect(parameter.required).toBe(true);
      }
      for (const requirement of op.security as Json[]) for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes[scheme]).toBeDefined();
    }
    for (const node of walk(doc)) if (typeof node.$ref === 'string') expect(resolveRef(node.$ref)).toBeDefined();
    for (const name of Object.keys(doc.components.schemas as Json)) expect(() => schemaValidator(name)).not.toThrow();
  });

  test('passes openapi-spec-validator when Python has it (skipped, with a warning, otherwise)', () => {
    const probe = spawnSync('python3', ['-c', 'import openapi_spec_validator'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn('openapi-spec-validator (Python) is not installed: the document is checked by the structural test only');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'trailmark-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const script = 'import json,sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))\nprint("ok")';
      expect(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }).trim()).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('lists every route Nest maps (its RouterExplorer log lines), only those, each with its entry in the operations table', async () => {
    const dir = makeDataDir();
    const debug = await startLedger(dir.dataDir, { TRAILMARK_LOG_LEVEL: 'debug' });
    try {
      const mapped = logLines(debug)
        .filter((line) => line.context === 'RouterExplorer')
        .map((line) => (line.msg as string).match(/^Mapped \{(\S+), (\w+)\} route$/))
        .map((match) => `${match![2]!.toLowerCase()} ${match![1]!.replace(/:(\w+)/g, '{$1}')}`);
      expect(mapped.length).toBeGreaterThan(10);
      const documented = operations().map(({ path, method }) => `${method} ${path}`);
      expect(documented.sort()).toEqual([...new Set(mapped)].sort());
      for (const { op } of operations()) {
        expect(op['x-undocumented']).toBeUndefined();
        expect(op.summary).not.toMatch(/Controller\./);
      }
    } finally {
      expect(await debug.stop()).toBe(0);
      await dir.cleanup();
    }
  });

  test('every documented operation is routed: no "Cannot <METHOD> <path>" 404 from the router', async () => {
    for (const { path, method } of operations()) {
      if (method === 'get' && path === '/v1/events/{id}/proof') continue; // waits for a checkpoint covering the event
      const url = `${ledger.url}${path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000')}`;
      const response = await fetch(url, { method: method.toUpperCase(), headers: auth, body: method === 'post' ? '{}' : undefined });
      const text = await response.text();
      expect(`${method} ${path}: ${text}`).not.toMatch(/Cannot (GET|POST|PUT|DELETE|PATCH)/);
    }
  });

  test('documents the operations: bearer security where roles are needed, the error shape, the request bodies', () => {
    const record = doc.paths['/v1/events'].post;
    expect(record.security).toEqual([{ bearer: [] }]);
    expect(record.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/IdentityEventInput' });
    expect(resolveRef(record.responses['400'].$ref)).toEqual(expect.objectContaining({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }));
    expect(doc.paths['/v1/events/batch'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/IdentityEventBatch' });
    expect(doc.paths['/v1/log/checkpoint'].get.security).toEqual([]);
    expect(doc.paths['/v1/log/proof/inclusion'].get.parameters.map((p: Json) => [p.name, p.in, p.required])).toEqual([
      ['index', 'query', true],
      ['treeSize', 'query', true],
    ]);
    expect(doc.paths['/v1/events'].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(['tenant', 'actor', 'action', 'target', 'outcome', 'from', 'to', 'cursor', 'limit']),
    );
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'details']);
    for (const { op } of operations()) expect(op.summary.length).toBeGreaterThan(3);
  });

  const samples: [string, unknown][] = [
    ['minimal', login()],
    ['no targets', { tenant: 'acme', action: 'ai.documents.retrieved', outcome: 'success', actor: { type: 'service', id: 'siem' } }],
    ['a reserved action', { tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'service', id: 'siem' } }],
    [
      'every field',
      login({
        id: '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f',
        outcome: 'failure',
        reason: 'wrong_password',
        actor: { type: 'user', id: 'u_1', authMethod: 'password' },
        occurredAt: '2026-11-22T09:30:00.123+01:00',
        context: { ip: '2001:db8::1', userAgent: 'curl/8', requestId: 'r1', sessionId: 's1', correlationId: 'c1', geo: { country: 'FR', city: 'Lyon' } },
        changes: { before: { a: 1 }, after: { a: 2 } },
        metadata: { attempt: 3 },
      }),
    ],
    ['no tenant', { action: 'user.login', outcome: 'success', actor: { type: 'user', id: 'u_1' } }],
    ['tenant in capitals', login({ tenant: 'Acme' })],
    ['unknown action', login({ action: 'user.teleported' })],
    ['unknown outcome', login({ outcome: 'maybe' })],
    ['unknown field', login({ severity: 'high' })],
    ['unknown actor field', login({ actor: { type: 'user', id: 'u_1', name: 'Ann' } })],
    ['unknown actor type', login({ actor: { type: 'robot', id: 'u_1' } })],
    ['empty actor id', login({ actor: { type: 'user', id: '' } })],
    ['eleven targets', login({ action: 'ai.documents.retrieved', targets: Array.from({ length: 11 }, (_, i) => ({ type: 'document', id: `d${i}` })) })],
    ['target type with capitals', login({ targets: [{ type: 'User', id: 'u_1' }] })],
    ['id not a UUID', login({ id: 'not-a-uuid' })],
    ['ip not an address', login({ context: { ip: '999.1.1.1' } })],
    ['occurredAt without offset', login({ occurredAt: '2026-11-22T09:30:00' })],
    ['reason too long', login({ reason: 'x'.repeat(257) })],
    ['metadata an array', login({ metadata: [1, 2] })],
    ['not an object', ['user.login']],
  ];

  test('its IdentityEventInput schema accepts and refuses the same sample bodies as POST /v1/events', async () => {
    const validate = schemaValidator('IdentityEventInput');
    const verdicts = [];
    for (const [name, body] of samples) {
      const response = await fetch(`${ledger.url}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      const text = await response.text();
      verdicts.push({ name, service: response.status < 300, schema: validate(body), status: response.status, text });
    }
    if (verdicts.filter((v) => v.service).length < 3) console.log(verdicts.filter((v) => !v.service).map((v) => `${v.name}: ${v.text}`).join('\n'));
    expect(verdicts.filter((v) => v.service).length).toBeGreaterThanOrEqual(3);
    expect(verdicts.filter((v) => !v.service).length).toBeGreaterThanOrEqual(10);
    for (const verdict of verdicts) expect({ name: verdict.name, schema: verdict.schema }).toEqual({ name: verdict.name, schema: verdict.service });
  });

  test('its IdentityEventBatch schema accepts and refuses the same batches as POST /v1/events/batch', async () => {
    const validate = schemaValidator('IdentityEventBatch');
    const batches: [string, unknown][] = [
      ['two events', { events: [login(), login({ action: 'user.logout' })] }],
      ['empty', { events: [] }],
      ['extra field', { events: [login()], atomic: true }],
      ['a bad event', { events: [login(), login({ outcome: 'maybe' })] }],
      ['no events', {}],
    ];
    for (const [name, body] of batches) {
      const response = await fetch(`${ledger.url}/v1/events/batch`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
      expect({ name, schema: validate(body) }).toEqual({ name, schema: response.status < 300 });
    }
  });
});

test('GET /docs is a self-contained HTML page naming every operation, its parameters and the schemas', async () => {
  const response = await fetch(`${ledger.url}/docs`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  const html = await response.text();
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  const unescape = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const plain = unescape(html);
  for (const { path, method, op } of operations()) {
    expect(plain).toContain(op.summary);
    expect(plain).toContain(op.operationId);
    expect(html).toContain(`id="op-${op.operationId}"`);
    expect(plain).toContain(path);
    expect(html).toContain(`<span class="m ${method}">${method.toUpperCase()}</span>`);
    for (const parameter of op.parameters as Json[]) expect(plain).toContain(`<code>${parameter.name}</code>`);
  }
  for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
  expect(plain).toContain('occurredAt');
});

/** Prometheus text → { 'name{labels}': value }. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${ledger.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

test('GET /metrics: recording events moves the counters, the gauges follow the log, the HTTP histogram has the route', async () => {
  const before = await scrape();
  const single = await fetch(`${ledger.url}/v1/events`, { method: 'POST', headers: auth, body: JSON.stringify(login()) });
  expect(single.status).toBe(201);
  const batch = await fetch(`${ledger.url}/v1/events/batch?wait=checkpoint`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ events: [login(), login(), login({ action: 'user.logout' })] }),
  });
  expect(batch.status).toBe(201);
  const { events } = (await batch.json()) as { events: { leafIndex: number; treeSize: number }[] };
  const after = await scrape();
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);

  expect(delta('trailmark_events_recorded_total')).toBe(4);
  expect(delta('trailmark_append_batch_size_sum')).toBe(4);
  expect(delta('trailmark_append_batch_size_count')).toBeGreaterThanOrEqual(1);
  const treeSize = after.get('trailmark_tree_size')!;
  expect(treeSize).toBe(events[2]!.leafIndex + 1);
  expect(after.get('trailmark_checkpoint_size')).toBeGreaterThanOrEqual(events[2]!.leafIndex + 1);
  expect(after.get('trailmark_checkpoint_size')).toBeLessThanOrEqual(treeSize);
  const age = after.get('trailmark_checkpoint_age_seconds')!;
  expect(age).toBeGreaterThanOrEqual(0);
  // The read models follow the tree: their lag is a count of leaves, never more than the tree holds.
  const lag = after.get('trailmark_projection_lag_events')!;
  expect(lag).toBeGreaterThanOrEqual(0);
  expect(lag).toBeLessThanOrEqual(treeSize);

  expect(delta('trailmark_http_request_duration_seconds_count{method="POST",route="/v1/events",status="201"}')).toBe(1);
  expect(delta('trailmark_http_request_duration_seconds_count{method="POST",route="/v1/events/batch",status="201"}')).toBe(1);
  expect(after.get('trailmark_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/v1/events/batch",status="201"}')).toBeGreaterThanOrEqual(1);
  expect(after.get('trailmark_http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}')).toBeGreaterThanOrEqual(1);

  await fetch(`${ledger.url}/no/such/route/${Math.random()}`);
  const unmatched = await scrape();
  expect(unmatched.get('trailmark_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
  expect([...unmatched.keys()].some((key) => key.includes('/no/such/route'))).toBe(false);

  expect(after.has('process_cpu_user_seconds_total')).toBe(true);
  expect(after.has('process_resident_memory_bytes')).toBe(true);
  expect([...after.keys()].some((key) => key.startsWith('nodejs_heap_size_used_bytes'))).toBe(true);
});

describe('request ids and logs', () => {
  test('x-request-id: abc123 comes back, and the request logs one JSON line on completion with reqId "abc123"', async () => {
    const response = await fetch(`${ledger.url}/v1/log/proof/consistency?from=0&to=0`, { headers: { 'x-request-id': 'abc123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('abc123');
    const lines = (await logLinesWhen(ledger, (all) => all.some((line) => line.reqId === 'abc123'))).filter((line) => line.reqId === 'abc123');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual(
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        reqId: 'abc123',
        method: 'GET',
        route: '/v1/log/proof/consistency',
        path: '/v1/log/proof/consistency',
        status: 200,
        durationMs: expect.any(Number),
        service: 'trailmark-ledger',
      }),
    );
    expect(JSON.stringify(lines[0])).not.toContain('from=0');
  });

  test('a refused request logs its status under its reqId; an unusable x-request-id is replaced by a fresh one', async () => {
    const refused = await fetch(`${ledger.url}/v1/events`, {
      method: 'POST',
      headers: { ...auth, 'x-request-id': 'bad-event-1' },
      body: JSON.stringify(login({ outcome: 'maybe' })),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-request-id')).toBe('bad-event-1');
    const unauthorized = await fetch(`${ledger.url}/v1/events/batch`, { method: 'POST', headers: { 'x-request-id': 'no-token-1' }, body: '{}' });
    expect(unauthorized.status).toBe(401);
    const weird = await fetch(`${ledger.url}/health/live`, { headers: { 'x-request-id': 'has spaces and "quotes"' } });
    const generated = weird.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const ids = ['bad-event-1', 'no-token-1', generated];
    const lines = await logLinesWhen(ledger, (all) => ids.every((id) => all.some((line) => line.reqId === id)));
    expect(lines.find((line) => line.reqId === 'bad-event-1')).toEqual(expect.objectContaining({ status: 400, route: '/v1/events', method: 'POST' }));
    expect(lines.find((line) => line.reqId === 'no-token-1')).toEqual(expect.objectContaining({ status: 401, route: '/v1/events/batch' }));
    expect(lines.find((line) => line.reqId === generated)).toEqual(expect.objectContaining({ status: 200, route: '/health/live' }));
    // Nobody's bearer token reaches the logs.
    expect(ledger.output()).not.toContain(DEV_TOKEN);
  });

  test("Nest's own lines (startup) come out as JSON through the same logger; at info its wiring lines stay quiet", () => {
    const lines = logLines(ledger);
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, context: 'NestApplication', msg: 'Nest application successfully started', service: 'trailmark-ledger' }));
    expect(lines.some((line) => line.context === 'RouterExplorer')).toBe(false);
    expect(ledger.output()).not.toMatch(/\[Nest\] \d+/); // Nest's console format
  });
});
