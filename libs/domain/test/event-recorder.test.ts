// The write path without Nest or HTTP: the recorder, the sequencer and the ledger index on one
// in-memory SQLite database, as the service wires them.
import Database from 'better-sqlite3';
import {
  EventIdConflictError,
  EventRecorder,
  Sequencer,
  SequencerStoppedError,
  SqliteLedgerIndex,
  type IntegratedLeaf,
  type LedgerIndex,
} from '@trailmark/domain';
import { SqliteEventStore } from '@trailmark/event-store';
import type { Position } from '@trailmark/event-store';
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

async function ledger(wrapIndex: (index: LedgerIndex) => LedgerIndex = (index) => index) {
  const db = new Database(':memory:');
  const store = new SqliteEventStore(db);
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

test('when the sequencer fails, waiting requests fail, and later ones are refused before anything is stored', async () => {
  let failNext = false;
  const { recorder, sequencer, storedCount, errors, close } = await ledger((index) => ({
    integratedPosition: () => index.integratedPosition(),
    leafCount: () => index.leafCount(),
    leafOf: (id: string) => index.leafOf(id),
    leafAt: (leafIndex: bigint) => index.leafAt(leafIndex),
    integrate: (leaves: readonly IntegratedLeaf[], position: Position, append: () => void) => {
      if (failNext) throw new Error('disk I/O error');
      index.integrate(leaves, position, append);
    },
  }));
  await recorder.record([login()], '*', single);
  failNext = true;
  await expect(recorder.record([login()], '*', single)).rejects.toThrow(SequencerStoppedError);
  expect(sequencer.failure?.message).toContain('disk I/O error');
  expect(errors.map((error) => error.message)).toEqual(['disk I/O error']);
  const stored = await storedCount();
  await expect(recorder.record([login()], '*', single)).rejects.toThrow(SequencerStoppedError);
  expect(await storedCount()).toBe(stored);
  await close();
});
