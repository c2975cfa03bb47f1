// POST /v1/events and POST /v1/events/batch against the real service: receipts, idempotent
// retries, conflicts, batches in order, ?wait=checkpoint, and the exact leaf bytes stored
// (the canonical envelope with the server time and the detail commitment).
import { createHash, randomUUID } from 'node:crypto';
import { hashLeaf, openCheckpoint, verifyInclusion, verifyReceipt } from '@trailmark/proofs';
import {
  expectError,
  expectNothingStored,
  fromBase64,
  hashesOf,
  loginEvent,
  roleGrantedEvent,
  sharedLedger,
  type ReceiptBody,
  type StoredEventBody,
} from '../support/http-api.js';

const ledger = sharedLedger();

const SERVER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** RFC 8785 for what envelopes hold (strings, small integers, arrays, objects), written independently of the service. */
function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function stored(id: string): Promise<StoredEventBody> {
  const reply = await ledger.api().get<StoredEventBody>(`/v1/events/${id}`);
  expect(reply.status).toBe(200);
  return reply.json;
}

describe('POST /v1/events', () => {
  test('201 with {id, leafIndex, time}; leaf indexes follow the order of recording and server time increases', async () => {
    const api = ledger.api();
    const size = await api.treeSize();
    const receipts: ReceiptBody[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await api.post<ReceiptBody>('/v1/events', loginEvent({ actor: { type: 'user', id: `u_${i}` } }));
      expect(reply.status).toBe(201);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(reply.json).sort()).toEqual(['id', 'leafIndex', 'time']);
      expect(reply.json.id).toMatch(UUID);
      expect(reply.json.time).toMatch(SERVER_TIME);
      receipts.push(reply.json);
    }
    expect(receipts.map((r) => r.leafIndex)).toEqual([size, size + 1, size + 2]);
    expect(new Set(receipts.map((r) => r.id)).size).toBe(3);
    expect([...receipts.map((r) => r.time)].sort()).toEqual(receipts.map((r) => r.time));
    expect(new Set(receipts.map((r) => r.time)).size).toBe(3);
    expect(await api.treeSize()).toBe(size + 3);
  });

  test('the leaf is the canonical envelope: server time, lowercase id, no detail field when there is no detail', async () => {
    const api = ledger.api();
    const id = randomUUID().toUpperCase();
    const body = loginEvent({ id, outcome: 'failure', reason: 'wrong_password' });
    const receipt = (await api.post<ReceiptBody>('/v1/events', body)).json;
    expect(receipt.id).toBe(id.toLowerCase());

    const event = await stored(receipt.id);
    expect(event.id).toBe(receipt.id);
    expect(event.leafIndex).toBe(receipt.leafIndex);
    const expected = {
      v: 1,
      id: id.toLowerCase(),
      tenant: 'acme',
      time: receipt.time,
      action: 'user.login',
      outcome: 'failure',
      reason: 'wrong_password',
      actor: { type: 'user', id: 'u_1', authMethod: 'password' },
      targets: [{ type: 'user', id: 'u_1' }],
    };
    const leaf = fromBase64(event.leaf);
    expect(Buffer.from(leaf).toString('utf8')).toBe(jcs(expected));
    expect(event.event).toEqual(expected);
    expect(event.detail).toBeNull();
  });

  test('with a detail: the leaf commits to it (salted SHA-256 of its canonical JSON) and does not contain it', async () => {
    const api = ledger.api();
    const body = roleGrantedEvent();
    const receipt = await api.record(body);
    const event = await stored(receipt.id) as StoredEventBody & { salt: string | null };
    const leafText = Buffer.from(fromBase64(event.leaf)).toString('utf8');

    const detail = { context: body.context, changes: body.changes, metadata: body.metadata, occurredAt: body.occurredAt };
    expect(event.detail).toEqual(detail);
    expect(event.salt).not.toBeNull();
    const salt = fromBase64(event.salt!);
    expect(salt).toHaveLength(16);
    const commitment = createHash('sha256').update(salt).update(jcs(detail), 'utf8').digest('base64');
    expect(leafText).toBe(
      jcs({
        v: 1,
        id: receipt.id,
        tenant: 'acme',
        time: receipt.time,
        action: 'role.granted',
        outcome: 'success',
        reason: 'ticket OPS-42',
        actor: { type: 'user', id: 'admin_7' },
        targets: body.targets,
        detail: commitment,
      }),
    );
    for (const personal of ['203.0.113.7', 'Mozilla', 'T-9001', 'alice', 'viewer', '2026-11-22T09:30:00.123Z']) {
      expect(leafText).not.toContain(personal);
    }

    // The same detail twice: two salts, two commitments, so a leaf does not reveal a guessed detail.
    const again = await stored((await api.record(body)).id) as StoredEventBody & { salt: string | null };
    expect(again.salt).not.toBe(event.salt);
    expect(again.event.detail).not.toBe(event.event.detail);
  });

  test('same id and same content → 200 with the first receipt (same leafIndex and time), nothing new stored', async () => {
    const api = ledger.api();
    const id = randomUUID();
    const body = roleGrantedEvent({ id });
    const first = await api.post<ReceiptBody>('/v1/events', body);
    expect(first.status).toBe(201);
    const size = await api.treeSize();

    // Key order and the id's case are not content.
    const reordered = Object.fromEntries(Object.entries({ ...body, id: id.toUpperCase() }).reverse());
    for (const retry of [body, reordered]) {
      const again = await api.post<ReceiptBody>('/v1/events', retry);
      expect(again.status).toBe(200);
      expect(again.json).toEqual(first.json);
    }
    expect(await api.treeSize()).toBe(size);
  });

  test('same id, other content → 409 naming the id, nothing stored, the first event unchanged', async () => {
    const api = ledger.api();
    const id = randomUUID();
    const first = await api.record(loginEvent({ id }));
    const before = await stored(id);
    for (const other of [
      loginEvent({ id, outcome: 'failure' }),
      loginEvent({ id, metadata: { note: 'different detail' } }),
    ]) {
      const reply = await expectNothingStored(api, () => api.post('/v1/events', other));
      const error = expectError(reply, 409, 'event_id_conflict');
      expect(error.details.id).toBe(id);
      expect(error.message).toContain(id);
    }
    expect(await stored(id)).toEqual(before);
    expect(before.leafIndex).toBe(first.leafIndex);
    // Ids are per tenant (event-ids.test.ts): in another tenant the id is a new event.
    expect((await api.post('/v1/events', loginEvent({ id, tenant: 'globex' }))).status).toBe(201);
  });

  test('concurrent retries of one id record it once', async () => {
    const api = ledger.api();
    const id = randomUUID();
    const size = await api.treeSize();
    const replies = await Promise.all(Array.from({ length: 8 }, () => api.post<ReceiptBody>('/v1/events', loginEvent({ id }))));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    for (const reply of replies) expect(reply.json).toEqual(replies[0]!.json);
    expect(replies[0]!.json.leafIndex).toBe(size);
    expect(await api.treeSize()).toBe(size + 1);
  });

  test('?wait=checkpoint adds treeSize, proof and a signed checkpoint that prove the receipt', async () => {
    const api = ledger.api();
    const key = await api.verifierKey();
    const reply = await api.post<ReceiptBody>('/v1/events?wait=checkpoint', roleGrantedEvent());
    expect(reply.status).toBe(201);
    const receipt = reply.json;
    expect(Object.keys(receipt).sort()).toEqual(['checkpoint', 'id', 'leafIndex', 'proof', 'time', 'treeSize']);
    const checkpoint = openCheckpoint(receipt.checkpoint!, key);
    expect(checkpoint.size).toBe(BigInt(receipt.treeSize!));
    expect(receipt.treeSize!).toBeGreaterThan(receipt.leafIndex);
    const leaf = fromBase64((await stored(receipt.id)).leaf);
    verifyInclusion(BigInt(receipt.leafIndex), checkpoint.size, hashLeaf(leaf), hashesOf(receipt.proof!), checkpoint.root);

    // A retry with ?wait=checkpoint answers the first receipt, with a proof too.
    const id = randomUUID();
    const first = await api.record(loginEvent({ id }));
    const retry = await api.post<ReceiptBody>('/v1/events?wait=checkpoint', loginEvent({ id }));
    expect(retry.status).toBe(200);
    expect({ id: retry.json.id, leafIndex: retry.json.leafIndex, time: retry.json.time }).toEqual(first);
    const retryCheckpoint = openCheckpoint(retry.json.checkpoint!, key);
    const retryLeaf = fromBase64((await stored(id)).leaf);
    verifyInclusion(BigInt(first.leafIndex), retryCheckpoint.size, hashLeaf(retryLeaf), hashesOf(retry.json.proof!), retryCheckpoint.root);
  });

  test('?wait=anything-else → 400 naming the parameter, nothing stored', async () => {
    const api = ledger.api();
    const reply = await expectNothingStored(api, () => api.post('/v1/events?wait=forever', loginEvent()));
    expect(expectError(reply, 400).details.parameter).toBe('wait');
  });
});

describe('POST /v1/events/batch', () => {
  test('201 {events:[receipt...]} in request order, consecutive leaves, each readable', async () => {
    const api = ledger.api();
    const size = await api.treeSize();
    const bodies = Array.from({ length: 25 }, (_, i) => loginEvent({ actor: { type: 'user', id: `batch_${i}` } }));
    const reply = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch', { events: bodies });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.json)).toEqual(['events']);
    const receipts = reply.json.events;
    expect(receipts.map((r) => r.leafIndex)).toEqual(bodies.map((_, i) => size + i));
    expect([...receipts.map((r) => r.time)].sort()).toEqual(receipts.map((r) => r.time));
    for (const [i, receipt] of receipts.entries()) {
      expect(Object.keys(receipt).sort()).toEqual(['id', 'leafIndex', 'time']);
      const event = await stored(receipt.id);
      expect(event.leafIndex).toBe(receipt.leafIndex);
      expect((event.event.actor as { id: string }).id).toBe(`batch_${i}`);
      expect(event.event.time).toBe(receipt.time);
    }
    // The 25 events, and the 25 reads of them above, each recorded as audit_log.read.
    expect(await api.treeSize()).toBe(size + 25 + 25);
  });

  test('1,000 events (the limit) are accepted in one batch', async () => {
    const api = ledger.api();
    const size = await api.treeSize();
    const bodies = Array.from({ length: 1000 }, (_, i) => loginEvent({ actor: { type: 'service', id: `svc_${i}` } }));
    const reply = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch', { events: bodies });
    expect(reply.status).toBe(201);
    expect(reply.json.events).toHaveLength(1000);
    expect(reply.json.events[999]!.leafIndex).toBe(size + 999);
    expect(await api.treeSize()).toBe(size + 1000);
  });

  test('retries inside a batch answer their first receipts; a batch of only retries → 200', async () => {
    const api = ledger.api();
    const id = randomUUID();
    const first = await api.record(loginEvent({ id }));
    const size = await api.treeSize();
    const mixed = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch', { events: [loginEvent(), loginEvent({ id })] });
    expect(mixed.status).toBe(201);
    expect(mixed.json.events[1]).toEqual(first);
    expect(mixed.json.events[0]!.leafIndex).toBe(size);
    const retries = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch', { events: [loginEvent({ id })] });
    expect(retries.status).toBe(200);
    expect(retries.json.events).toEqual([first]);
    expect(await api.treeSize()).toBe(size + 1);
  });

  test('all or nothing: one conflicting id → 409 and none of the batch is stored', async () => {
    const api = ledger.api();
    const id = randomUUID();
    await api.record(loginEvent({ id }));
    const fresh = randomUUID();
    const reply = await expectNothingStored(api, () =>
      api.post('/v1/events/batch', { events: [loginEvent({ id: fresh }), loginEvent({ id, outcome: 'error' })] }),
    );
    expectError(reply, 409, 'event_id_conflict');
    expect((await api.get(`/v1/events/${fresh}`)).status).toBe(404);
  });

  test('?wait=checkpoint gives every receipt a proof to one signed checkpoint', async () => {
    const api = ledger.api();
    const key = await api.verifierKey();
    const reply = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch?wait=checkpoint', {
      events: [loginEvent(), roleGrantedEvent(), loginEvent({ outcome: 'error' })],
    });
    expect(reply.status).toBe(201);
    for (const receipt of reply.json.events) {
      const checkpoint = openCheckpoint(receipt.checkpoint!, key);
      const leaf = fromBase64((await stored(receipt.id)).leaf);
      verifyInclusion(BigInt(receipt.leafIndex), checkpoint.size, hashLeaf(leaf), hashesOf(receipt.proof!), checkpoint.root);
      // The same proof as a C2SP tlog-proof verifies as a receipt.
      const tlogProof = await api.get(`/v1/events/${receipt.id}/proof?treeSize=${receipt.treeSize}`, { accept: 'text/x.tlog-proof' });
      expect(tlogProof.status).toBe(200);
      expect(verifyReceipt(leaf, tlogProof.text, key).index).toBe(BigInt(receipt.leafIndex));
    }
  });
});
