// GET /v1/events/{id} and GET /v1/events/{id}/proof against the real service: the stored event
// and its exact leaf bytes, inclusion proofs as JSON and as a C2SP tlog-proof, for the latest
// checkpoint or a given signed size, each verified with @trailmark/proofs.
import { randomUUID } from 'node:crypto';
import { hashLeaf, parseTlogProof, TLOG_PROOF_HEADER, verifyReceipt } from '@trailmark/proofs';
import {
  expectError,
  fromBase64,
  loginEvent,
  roleGrantedEvent,
  sharedLedger,
  verifyGrowth,
  verifyProofBody,
  type ProofBody,
  type ReceiptBody,
  type StoredEventBody,
} from '../support/http-api.js';

const ledger = sharedLedger();

let key: string;
let withDetail: ReceiptBody;
let withoutDetail: ReceiptBody;

beforeAll(async () => {
  const api = ledger.api();
  key = await api.verifierKey();
  withoutDetail = await api.record(loginEvent());
  withDetail = await api.record(roleGrantedEvent(), '?wait=checkpoint');
});

describe('GET /v1/events/{id}', () => {
  test('the stored event: id, leafIndex, leaf (base64 of the exact leaf bytes), the envelope and its detail', async () => {
    const reply = await ledger.api().get<StoredEventBody & { salt: string | null }>(`/v1/events/${withDetail.id}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    const body = reply.json;
    expect(body.id).toBe(withDetail.id);
    expect(body.leafIndex).toBe(withDetail.leafIndex);
    const leaf = fromBase64(body.leaf);
    expect(JSON.parse(Buffer.from(leaf).toString('utf8'))).toEqual(body.event);
    expect(body.event).toMatchObject({ v: 1, id: withDetail.id, tenant: 'acme', time: withDetail.time, action: 'role.granted' });
    const input = roleGrantedEvent();
    expect(body.detail).toEqual({ context: input.context, changes: input.changes, metadata: input.metadata, occurredAt: input.occurredAt });

    // The leaf served is the one the log holds: its hash is leaf withDetail.leafIndex of the tree.
    const inclusion = await ledger.api().as(undefined).get<{ leafHash: string }>(
      `/v1/log/proof/inclusion?index=${withDetail.leafIndex}&treeSize=${withDetail.treeSize}`,
    );
    expect(Buffer.from(fromBase64(inclusion.json.leafHash))).toEqual(Buffer.from(hashLeaf(leaf)));
  });

  test('an event without detail: detail and salt are null, the envelope has no detail field', async () => {
    const body = (await ledger.api().get<StoredEventBody & { salt: string | null }>(`/v1/events/${withoutDetail.id}`)).json;
    expect(body.detail).toBeNull();
    expect(body.salt).toBeNull();
    expect(body.event).not.toHaveProperty('detail');
  });

  test('the id is case-insensitive (a UUID has one spelling in the log)', async () => {
    const reply = await ledger.api().get<StoredEventBody>(`/v1/events/${withDetail.id.toUpperCase()}`);
    expect(reply.status).toBe(200);
    expect(reply.json.id).toBe(withDetail.id);
    expect(reply.json.leafIndex).toBe(withDetail.leafIndex);
    const proof = await ledger.api().get<ProofBody>(`/v1/events/${withDetail.id.toUpperCase()}/proof`);
    expect(proof.status).toBe(200);
    expect(proof.json.leafIndex).toBe(withDetail.leafIndex);
  });

  test.each([
    ['an unknown UUID', randomUUID()],
    ['not a UUID', 'no-such-event'],
    ['a leaf index', '0'],
  ])('%s → 404 not_found', async (_name, id) => {
    const reply = await ledger.api().get(`/v1/events/${id}`);
    expect(expectError(reply, 404, 'not_found').message).toContain(id);
    expectError(await ledger.api().get(`/v1/events/${id}/proof`), 404, 'not_found');
  });

  test('no endpoint updates or deletes an event', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const reply = await ledger.api().request(method, `/v1/events/${withDetail.id}`, { body: loginEvent() });
      expect([404, 405]).toContain(reply.status);
      expectError(reply, reply.status);
    }
    expect((await ledger.api().get<StoredEventBody>(`/v1/events/${withDetail.id}`)).json.event.action).toBe('role.granted');
  });
});

describe('GET /v1/events/{id}/proof', () => {
  test('JSON: {leafIndex, treeSize, leaf, leafHash, proof, checkpoint} for the latest checkpoint; verifies', async () => {
    const reply = await ledger.api().get<ProofBody>(`/v1/events/${withDetail.id}/proof`);
    expect(reply.status).toBe(200);
    const body = reply.json;
    expect(Object.keys(body).sort()).toEqual(['checkpoint', 'leaf', 'leafHash', 'leafIndex', 'proof', 'treeSize']);
    expect(body.leafIndex).toBe(withDetail.leafIndex);
    expect(body.treeSize).toBeGreaterThan(withDetail.leafIndex);
    const stored = (await ledger.api().get<StoredEventBody>(`/v1/events/${withDetail.id}`)).json;
    expect(body.leaf).toBe(stored.leaf);
    verifyProofBody(body, key);
  });

  test('for an event not yet covered by a checkpoint, the proof waits for one', async () => {
    const api = ledger.api();
    const receipt = await api.record(loginEvent());
    const reply = await api.get<ProofBody>(`/v1/events/${receipt.id}/proof`);
    expect(reply.status).toBe(200);
    expect(reply.json.treeSize).toBeGreaterThan(receipt.leafIndex);
    verifyProofBody(reply.json, key);
  });

  test('Accept: text/x.tlog-proof → the C2SP tlog-proof, which verifyReceipt accepts with the leaf and the served key', async () => {
    const api = ledger.api();
    const reply = await api.get(`/v1/events/${withDetail.id}/proof`, { accept: 'text/x.tlog-proof' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/x\.tlog-proof/);
    expect(reply.text.startsWith(`${TLOG_PROOF_HEADER}\nindex ${withDetail.leafIndex}\n`)).toBe(true);
    const leaf = fromBase64((await api.get<StoredEventBody>(`/v1/events/${withDetail.id}`)).json.leaf);
    const { index, checkpoint } = verifyReceipt(leaf, reply.text, key);
    expect(index).toBe(BigInt(withDetail.leafIndex));

    // The same proof as the JSON form, for the same checkpoint.
    const json = (await api.get<ProofBody>(`/v1/events/${withDetail.id}/proof?treeSize=${checkpoint.size}`)).json;
    const parsed = parseTlogProof(reply.text);
    expect(parsed.checkpoint).toBe(json.checkpoint);
    expect(parsed.proof.map((hash) => Buffer.from(hash).toString('base64'))).toEqual(json.proof);

    // Another leaf does not verify against it.
    const otherLeaf = fromBase64((await api.get<StoredEventBody>(`/v1/events/${withoutDetail.id}`)).json.leaf);
    expect(() => verifyReceipt(otherLeaf, reply.text, key)).toThrow();
  });

  test('?treeSize=N for a signed size: the proof to that very checkpoint, consistent with the latest', async () => {
    const api = ledger.api();
    const signedSize = withDetail.treeSize!;
    await api.record(loginEvent(), '?wait=checkpoint'); // the log grows past signedSize
    const old = await api.get<ProofBody>(`/v1/events/${withDetail.id}/proof?treeSize=${signedSize}`);
    expect(old.status).toBe(200);
    expect(old.json.treeSize).toBe(signedSize);
    expect(old.json.checkpoint).toBe(withDetail.checkpoint);
    const oldCheckpoint = verifyProofBody(old.json, key);

    const latest = await api.get<ProofBody>(`/v1/events/${withDetail.id}/proof`);
    const latestCheckpoint = verifyProofBody(latest.json, key);
    expect(latestCheckpoint.size > oldCheckpoint.size).toBe(true);
    await verifyGrowth(api, oldCheckpoint, latestCheckpoint);

    const tlog = await api.get(`/v1/events/${withDetail.id}/proof?treeSize=${signedSize}`, { accept: 'text/x.tlog-proof' });
    const leaf = fromBase64(old.json.leaf);
    expect(verifyReceipt(leaf, tlog.text, key).checkpoint.size).toBe(BigInt(signedSize));
  });

  test('?treeSize=N for a size never signed → 404 naming treeSize; beyond the tree → 404', async () => {
    const api = ledger.api();
    const before = await api.treeSize();
    const batch = await api.post<{ events: ReceiptBody[] }>('/v1/events/batch?wait=checkpoint', {
      events: Array.from({ length: 50 }, () => loginEvent()),
    });
    expect(batch.status).toBe(201);
    // The batch lands in one piece, so the sizes inside it are (nearly all) never signed.
    const first = batch.json.events[0]!;
    const statuses: number[] = [];
    for (let size = before + 1; size < before + 50; size++) {
      const reply = await api.get<ProofBody>(`/v1/events/${first.id}/proof?treeSize=${size}`);
      statuses.push(reply.status);
      if (reply.status === 200) {
        expect(verifyProofBody(reply.json, key).size).toBe(BigInt(size));
      } else {
        const error = expectError(reply, 404, 'not_found');
        expect(error.details.treeSize).toBe(String(size));
        expect(error.message).toContain(String(size));
      }
    }
    expect(statuses).toContain(404);
    expectError(await api.get(`/v1/events/${first.id}/proof?treeSize=99999999`), 404, 'not_found');
  });

  test('?treeSize=N smaller than the event’s leaf → 400; not a number → 400 naming treeSize', async () => {
    const api = ledger.api();
    const late = await api.record(loginEvent(), '?wait=checkpoint');
    const reply = await api.get(`/v1/events/${late.id}/proof?treeSize=${withDetail.treeSize}`);
    expect(expectError(reply, 400).message).toContain(`leaf ${late.leafIndex}`);
    for (const bad of ['-1', 'ten', '1.5', '01', '']) {
      const error = expectError(await api.get(`/v1/events/${withDetail.id}/proof?treeSize=${bad}`), 400);
      expect(error.details.parameter).toBe('treeSize');
    }
  });
});
