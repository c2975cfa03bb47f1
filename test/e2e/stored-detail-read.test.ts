// A stored detail is parsed on read, not validated again (GET /v1/events/{id} and /proof): the
// write path checked it once, and the leaf's salted commitment says whether it changed since.
// Shown with a detail today's write rules refuse (nested 40 levels), written into the embedded store
// as an older version or another writer of the store could have: it is served as it was stored.
import { join } from 'node:path';
import { encodeEventMetadata, IDENTITY_EVENT_TYPE, parseIdentityEventInput, prepareEvent, type IdentityEventInput } from '@trailmark/domain';
import { SqliteEventStore } from '@trailmark/event-store';
import { Api, loginEvent, verifyProofBody, type ProofBody, type StoredEventBody } from '../support/http-api.js';
import { makeDataDir, startLedger, TEST_STORE } from '../support/ledger-process.js';

const onSqlite = TEST_STORE === 'sqlite' ? test : test.skip;

onSqlite('an event whose stored detail today’s rules would refuse is still served, with its proof', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    let ledger = await startLedger(dataDir);
    await new Api(ledger.url).record(loginEvent());
    expect(await ledger.stop()).toBe(0);

    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    // Validated without the metadata, then given it: what a writer without today's limits would store.
    const input = { ...parseIdentityEventInput(loginEvent()), metadata: { deep } } as IdentityEventInput;
    const id = '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f';
    const event = prepareEvent(input, '2026-11-22T09:30:00.123456Z', id);
    const store = SqliteEventStore.open(join(dataDir, 'ledger.db'));
    await store.append({
      stream: event.stream,
      expectedRevision: 'any',
      events: [{ id, type: IDENTITY_EVENT_TYPE, data: event.leaf, metadata: encodeEventMetadata(event) }],
    });
    await store.close();

    ledger = await startLedger(dataDir);
    const api = new Api(ledger.url);
    const read = await api.get<StoredEventBody>(`/v1/events/${id}`);
    expect(read.status).toBe(200);
    expect(read.json.detail).toEqual({ metadata: { deep } });
    await api.record(loginEvent(), '?wait=checkpoint');
    const proof = await api.get<ProofBody>(`/v1/events/${id}/proof`);
    expect(proof.status).toBe(200);
    verifyProofBody(proof.json, await api.verifierKey());
    expect(await ledger.stop()).toBe(0);
  } finally {
    await cleanup();
  }
}, 300_000);
