// The write path without Nest or HTTP: the recorder, the sequencer and the ledger index on one
// in-memory SQLite database, as the service wires them.
import Database from 'better-sqlite3';
import {
  EventIdConflictError,
  EventRecorder,
  RecordingInterruptedError,
} from '@trailmark/domain';
import { Sequencer, SequencerStoppedError, SqliteLedgerIndex, type IntegratedLeaf, type LedgerIndex } from '@trailmark/sequencer';
import { SqliteEventStore, StoreUnavailableError } from '@trailmark/event-store';
import type { AppendRequest, AppendResult, EventStore, Position } from '@trailmark/event-store';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';

const X = '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f';
const login = (extra: Record<string, unknown> = {}) => ({
  tenant: 'acme',
  action: 'user.login',
  outcome: 'success',
  actor: { type: 'user', id: 'u_1' },
  targets: [{ type: 'user', id: 'u_1' }],
  ...extra,
});
const single = () => '';
const batch = (i: number) => `events[${i}]`;

/**
 * The embedded store behaving as EventStoreDB does through its client: one stream per append, and a failure
 * part-way through a call leaves the appends before it. `failAtAppend` makes that append fail as unreachable.
 */
class OneStreamPerAppend implements EventStore {
  readonly guarantees = { atomicAcrossStreams: false, strictEventIds: false };
  readonly reachable = true;
  readonly requests: AppendRequest[] = [];
  failAtAppend: number | undefined;

  constructor(private readonly inner: SqliteEventStore) {}

  append(request: AppendRequest): Promise<AppendResult> {
    this.requests.push(request);
    if (this.requests.length === this.failAtAppend) return Promise.reject(new StoreUnavailableError('the server went away'));
    return this.inner.append(request);
  }

  async appendAtomically(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const request of requests) results.push(await this.append(request));
    return results;
  }

  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => this.inner.subscribeToAll(...args);
  close = () => this.inner.close();
}

async function ledger(
  wrapIndex: (index: LedgerIndex) => LedgerIndex = (index) => index,
  wrapStore: (store: SqliteEventStore) => EventStore = (store) => store,
) {
  const db = new Database(':memory:');
  const store = wrapStore(new SqliteEventStore(db));
  const tree = MerkleTree.open(new SqliteTileStore(db));
  const index = wrapIndex(new SqliteLedgerIndex(db));
  const errors: Error[] = [];
  const sequencer = new Sequencer(store, tree, index, (error) => errors.push(error));
  await sequencer.start();
  const recorder = new EventRecorder(store, sequencer, index);
  await recorder.resumeClock();
  const storedCount = async () => (await store.readAll({ from: 'start', maxCount: 1000 })).length;
  return { recorder, sequencer, tree, storedCount, errors, close: () => sequencer.stop() };
}

test('an exact retry answers the first receipt; other content under the same id is a conflict', async () => {
  const { recorder, tree, close } = await ledger();
  const [first] = await recorder.record([login({ id: X })], '*', single);
  const [again] = await recorder.record([{ ...login({ id: X.toUpperCase() }) }], '*', single);
  expect(first!.receipt.created).toBe(true);
  expect(again!.receipt).toEqual({ ...first!.receipt, created: false });
  await expect(recorder.record([login({ id: X, outcome: 'failure' })], '*', single)).rejects.toThrow(EventIdConflictError);
  expect(tree.size).toBe(1n);
  await close();
});

test('a batch racing another request for one of its ids is refused whole: nothing of it is stored', async () => {
  const { recorder, tree, storedCount, close } = await ledger();
  const first = recorder.record([login({ id: X })], '*', single);
  // Same id, other content, same subject (so the same stream), next to a new event.
  const racing = recorder.record([login({ id: X, reason: 'other' }), login({ actor: { type: 'user', id: 'u_2' } })], '*', batch);
  await expect(first).resolves.toHaveLength(1);
  await expect(racing).rejects.toThrow(EventIdConflictError);
  expect(tree.size).toBe(1n);
  expect(await storedCount()).toBe(1);
  await close();
});

test('concurrent retries of one new id store it once and all answer the same leaf', async () => {
  const { recorder, tree, close } = await ledger();
  const answers = await Promise.all(Array.from({ length: 8 }, () => recorder.record([login({ id: X })], '*', single)));
  expect(new Set(answers.map(([recorded]) => recorded!.receipt.leafIndex)).size).toBe(1);
  expect(answers.filter(([recorded]) => recorded!.receipt.created)).toHaveLength(1);
  expect(tree.size).toBe(1n);
  await close();
});

test('when integrating fails, the request hears its ids, ingest is refused until a retry caught up, and a retry by id finds the event', async () => {
  let failing = false;
  const { recorder, sequencer, tree, storedCount, errors, close } = await ledger((index) => ({
    integratedPosition: () => index.integratedPosition(),
    leafCount: () => index.leafCount(),
    leafOf: (id: string) => index.leafOf(id),
    leafOfEvent: (tenant: string, id: string) => index.leafOfEvent(tenant, id),
    leavesWithId: (id: string) => index.leavesWithId(id),
    leavesWithoutKey: (limit: number) => index.leavesWithoutKey(limit),
    addKeys: (keys) => index.addKeys(keys),
    leafAt: (leafIndex: bigint) => index.leafAt(leafIndex),
    integrate: (leaves: readonly IntegratedLeaf[], position: Position, append: () => void) => {
      if (failing) throw new Error('database or disk is full');
      index.integrate(leaves, position, append);
    },
  }));
  await recorder.record([login()], '*', single);
  failing = true;
  const interrupted = await recorder.record([login({ id: X })], '*', single).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(interrupted).toBeInstanceOf(RecordingInterruptedError);
  expect((interrupted as RecordingInterruptedError).ids).toEqual([X]);
  expect((interrupted as RecordingInterruptedError).cause).toBeInstanceOf(SequencerStoppedError);
  expect(sequencer.failure?.message).toContain('database or disk is full');
  expect(errors[0]?.message).toBe('database or disk is full');
  const stored = await storedCount();
  await expect(recorder.record([login()], '*', single)).rejects.toThrow(SequencerStoppedError);
  expect(await storedCount()).toBe(stored);
  expect(tree.size).toBe(1n);

  // Space is back: the sequencer's next retry integrates the stored event, and ingest resumes without a restart.
  failing = false;
  while (sequencer.failure) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(tree.size).toBe(2n);
  const [retried] = await recorder.record([login({ id: X })], '*', single);
  expect(retried!.receipt).toMatchObject({ id: X, leafIndex: 1n, created: false });
  const [next] = await recorder.record([login()], '*', single);
  expect(next!.receipt.leafIndex).toBe(2n);
  expect(await storedCount()).toBe(stored + 1);
  await close();
});

test('on a store that commits one stream per append, a batch cut part-way answers its ids; sent again with them, it completes once', async () => {
  let store!: OneStreamPerAppend;
  const { recorder, tree, close } = await ledger(undefined, (inner) => (store = new OneStreamPerAppend(inner)));
  const bodies = ['u_1', 'u_2', 'u_3'].map((user) => login({ actor: { type: 'user', id: user }, targets: [{ type: 'user', id: user }] }));
  store.failAtAppend = 2;
  const refusal = await recorder.record(bodies, '*', batch).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(RecordingInterruptedError);
  expect((refusal as RecordingInterruptedError).cause).toBeInstanceOf(StoreUnavailableError);
  const ids = (refusal as RecordingInterruptedError).ids;
  expect(ids).toHaveLength(3);
  expect(new Set(ids).size).toBe(3);
  // The event stored before the cut becomes a leaf like any other.
  while (tree.size < 1n) await new Promise((resolve) => setImmediate(resolve));
  expect(tree.size).toBe(1n);
  store.failAtAppend = undefined;
  const again = await recorder.record(bodies.map((body, i) => ({ ...body, id: ids[i] })), '*', batch);
  expect(again.map(({ receipt }) => receipt.id)).toEqual(ids);
  expect(again.map(({ receipt }) => receipt.created)).toEqual([false, true, true]);
  expect(tree.size).toBe(3n);
  await close();
});

test('on a store that commits one stream per append, the events of one stream go in one append', async () => {
  let store!: OneStreamPerAppend;
  const { recorder, tree, close } = await ledger(undefined, (inner) => (store = new OneStreamPerAppend(inner)));
  const mine = login();
  const other = login({ actor: { type: 'user', id: 'u_9' }, targets: [{ type: 'user', id: 'u_9' }] });
  const recorded = await recorder.record([mine, other, mine, mine], '*', batch);
  expect(store.requests.map((request) => request.events.length)).toEqual([3, 1]);
  expect(new Set(recorded.map(({ receipt }) => receipt.leafIndex)).size).toBe(4);
  expect(tree.size).toBe(4n);
  await close();
});

test('client ingest refuses reserved actions naming the field; the service records them through recordForService', async () => {
  const { recorder, tree, close } = await ledger();
  const read = { tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'api_key', id: 'reader' } };
  await expect(recorder.record([read], '*', single)).rejects.toMatchObject({ code: 'invalid_event', field: 'action' });
  await expect(recorder.record([login(), read], ['acme'], batch)).rejects.toMatchObject({ field: 'events[1].action' });
  expect(tree.size).toBe(0n);
  const [recorded] = await recorder.recordForService([read], (i) => `reads[${i}]`);
  expect(recorded!.envelope.action).toBe('audit_log.read');
  expect(tree.size).toBe(1n);
  await close();
});

test('ids are per tenant: another tenant\'s id is recorded as new, without reading the first tenant\'s event', async () => {
  let reads = 0;
  const { recorder, tree, close } = await ledger(undefined, (store) => {
    const readAll = store.readAll.bind(store);
    store.readAll = (options) => {
      reads++;
      return readAll(options);
    };
    return store;
  });
  const [acme] = await recorder.record([login({ id: X })], '*', single);
  reads = 0;
  const [globex] = await recorder.record([login({ id: X, tenant: 'globex', outcome: 'failure' })], ['globex'], single);
  // Nothing of acme's event was read to decide: the answer and its cost are those of an id nobody used.
  expect(reads).toBe(0);
  expect(globex!.receipt).toMatchObject({ id: X, created: true, leafIndex: acme!.receipt.leafIndex + 1n });
  const [retry] = await recorder.record([login({ id: X, tenant: 'globex', outcome: 'failure' })], ['globex'], single);
  expect(retry!.receipt).toEqual({ ...globex!.receipt, created: false });
  await expect(recorder.record([login({ id: X, tenant: 'globex' })], ['globex'], single)).rejects.toThrow(EventIdConflictError);
  expect(tree.size).toBe(2n);
  await close();
});
