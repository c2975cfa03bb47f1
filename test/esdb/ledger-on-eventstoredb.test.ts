// The ledger on EventStoreDB (the protocol double over real gRPC), where it differs from the embedded store:
// the server going away and coming back, the derived SQLite state deleted and rebuilt, two instances on one
// EventStoreDB claiming checkpoints in one stream.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKey } from '@trailmark/checkpoint';
import { EsdbEventStore } from '@trailmark/event-store';
import { EsdbProtocolDouble } from '@trailmark/esdb-double';
import { openCheckpoint, type Checkpoint } from '@trailmark/proofs';
import { Api, expectError, loginEvent, verifyGrowth, verifyProofBody, type ProofBody, type ReceiptBody } from '../support/http-api.js';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';
import { until as untilHolds } from '../support/budgets.js';

/** Waits for `condition`; no deadline of its own (the test's budget is): a busy machine is slow, not wrong. */
function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  return untilHolds(condition, what, 50);
}

async function readyStatus(api: Api): Promise<number> {
  return (await api.as(undefined).get('/health/ready')).status;
}

/** An event about its own user, so that events land in different streams. */
function eventFor(i: number): Record<string, unknown> {
  return loginEvent({ targets: [{ type: 'user', id: `u_${i}` }], actor: { type: 'user', id: `u_${i}` } });
}

async function proofOf(api: Api, receipt: ReceiptBody, treeSize: bigint): Promise<ProofBody> {
  const reply = await api.get<ProofBody>(`/v1/events/${receipt.id}/proof?treeSize=${treeSize}`);
  expect(reply.status).toBe(200);
  return reply.json;
}

let double: EsdbProtocolDouble;
const dirs: { cleanup(): Promise<void> }[] = [];
const running: LedgerProcess[] = [];

function dataDir(): string {
  const dir = makeDataDir();
  dirs.push(dir);
  return dir.dataDir;
}

async function ledgerOn(dir: string, env: Record<string, string> = {}): Promise<{ ledger: LedgerProcess; api: Api }> {
  const ledger = await startLedger(dir, { ESDB_CONNECTION_STRING: double.connectionString, ...env });
  running.push(ledger);
  return { ledger, api: new Api(ledger.url, DEV_TOKEN) };
}

beforeEach(async () => {
  double = await EsdbProtocolDouble.start();
});

afterEach(async () => {
  for (const ledger of running.splice(0)) if (ledger.child.exitCode === null) await ledger.kill();
  for (const dir of dirs.splice(0)) await dir.cleanup();
  await double.close();
});

test('EventStoreDB going away: not ready, ingest 503, nothing acknowledged; back: resumes with no leaf skipped or repeated', async () => {
  const { api } = await ledgerOn(dataDir());
  const before: ReceiptBody[] = [];
  for (let i = 0; i < 5; i += 1) before.push(await api.record(eventFor(i)));
  const { checkpoint: first } = await api.checkpoint();

  await double.stop();
  await until('/health/ready says not ready', async () => (await readyStatus(api)) === 503);
  expectError(await api.post('/v1/events', eventFor(100)), 503, 'store_unavailable');
  expectError(await api.post('/v1/events/batch', { events: [eventFor(101), eventFor(102)] }), 503, 'store_unavailable');

  await double.restart();
  await until('/health/ready says ready again', async () => (await readyStatus(api)) === 200);
  const after: ReceiptBody[] = [];
  for (let i = 5; i < 10; i += 1) after.push(await api.record(eventFor(i)));

  // Nothing of the refused requests reached the log, and the leaves run on without a gap.
  expect([...before, ...after].map((receipt) => receipt.leafIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await until('the checkpoint covers all ten', async () => (await api.checkpoint()).checkpoint.size === 10n);
  const { checkpoint: last } = await api.checkpoint();
  await verifyGrowth(api, first, last);
  const key = await api.verifierKey();
  for (const receipt of [...before, ...after]) verifyProofBody(await proofOf(api, receipt, last.size), key);
});

test('deleting the derived SQLite state and restarting rebuilds the same tree; the last checkpoint still verifies', async () => {
  const dir = dataDir();
  const first = await ledgerOn(dir);
  const receipts: ReceiptBody[] = [];
  for (let i = 0; i < 25; i += 1) receipts.push(await first.api.record(eventFor(i % 7), i % 5 === 4 ? '?wait=checkpoint' : ''));
  await until('a checkpoint covers every event', async () => (await first.api.checkpoint()).checkpoint.size === 25n);
  const signed = await first.api.checkpoint();
  expect(await first.ledger.stop()).toBe(0);

  const derived = readdirSync(dir).filter((name) => name.startsWith('ledger.db'));
  expect(derived.length).toBeGreaterThan(0);
  for (const name of derived) rmSync(join(dir, name));

  const second = await ledgerOn(dir);
  // The same signed note comes back (from the checkpoint stream), and the rebuilt tree proves against it.
  expect((await second.api.checkpoint()).note).toBe(signed.note);
  const key = await second.api.verifierKey();
  for (const receipt of receipts) {
    const proof = await proofOf(second.api, receipt, 25n);
    expect(proof.leafIndex).toBe(receipt.leafIndex);
    expect(openCheckpoint(proof.checkpoint, key).root).toEqual(signed.checkpoint.root);
    verifyProofBody(proof, key);
  }
});

test('two instances on one EventStoreDB share one order and one checkpoint sequence: no size is signed twice', async () => {
  const { signerKey } = generateNoteKey('trailmark.test/shared-log');
  const env = { TRAILMARK_SIGNING_KEY: signerKey, TRAILMARK_ORIGIN: 'trailmark.test/shared-log', TRAILMARK_CHECKPOINT_INTERVAL_MS: '50' };
  const a = await ledgerOn(dataDir(), env);
  const b = await ledgerOn(dataDir(), env);

  const receipts = await Promise.all(
    Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).api.record(eventFor(i), i % 10 === 9 ? '?wait=checkpoint' : '')),
  );
  // One global order: every event has its own leaf, whichever instance recorded it.
  expect(new Set(receipts.map((receipt) => receipt.leafIndex)).size).toBe(60);
  expect(Math.max(...receipts.map((receipt) => receipt.leafIndex))).toBe(59);

  await until('both serve a checkpoint of all 60 events', async () => {
    const sizes = await Promise.all([a, b].map(async ({ api }) => (await api.checkpoint()).checkpoint.size));
    return sizes.every((size) => size === 60n);
  });
  const [fromA, fromB] = await Promise.all([a.api.checkpoint(), b.api.checkpoint()]);
  expect(fromA.note).toBe(fromB.note);

  const store = EsdbEventStore.connect(double.connectionString);
  try {
    const key = await a.api.verifierKey();
    const claimed: Checkpoint[] = (await store.readStream('trailmark-checkpoints')).map((event) =>
      openCheckpoint(new TextDecoder().decode(event.data), key),
    );
    const sizes = claimed.map((checkpoint) => checkpoint.size);
    expect(sizes).toEqual([...sizes].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(new Set(sizes).size).toBe(sizes.length);
    expect(sizes.at(-1)).toBe(60n);
    for (const checkpoint of claimed) await verifyGrowth(a.api, checkpoint, fromA.checkpoint);
  } finally {
    await store.close();
  }
});
