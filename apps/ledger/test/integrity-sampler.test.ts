// The sampler by manual ticks on an injected clock: no timer, no wall time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertOutbox, SqliteAlertStore, type EventBody } from '@trailmark/alerts';
import { IntegritySampler, type IntegritySources } from '../src/core/integrity-sampler.js';

const INTERVAL = 100;

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'trailmark-integrity-sampler-'));
  const store = SqliteAlertStore.open(join(dir, 'alerts.db'));
  const recorded: EventBody[] = [];
  const outbox = new AlertOutbox(store, { record: async (body) => void recorded.push(body) });
  const state = { now: 1_000_000, tree: 0n, served: 0n as bigint | undefined, halted: undefined as string | undefined, refusing: [] as { witness: string; reason: string }[] };
  const sources: IntegritySources = {
    sequencerHalted: () => state.halted,
    treeSize: () => state.tree,
    servedSize: () => state.served,
    refusingWitnesses: () => state.refusing,
  };
  const sampler = new IntegritySampler(sources, { intervalMs: INTERVAL, alertStore: store, outbox, nowMs: () => state.now });
  const tick = (ms = INTERVAL) => {
    state.now += ms;
    return sampler.sample().map((alert) => alert.rule);
  };
  const close = async () => {
    sampler.stop();
    await outbox.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { state, sampler, store, outbox, recorded, tick, close };
}

test('a quiet log is never overdue; a grown one is after 10 intervals uncovered, once, stored and recorded', async () => {
  const { state, sampler, store, outbox, recorded, tick, close } = setUp();
  try {
    sampler.start();
    sampler.stop();
    for (let i = 0; i < 30; i++) expect(tick()).toEqual([]);
    state.tree = 5n;
    for (let i = 0; i < 9; i++) expect(tick()).toEqual([]);
    expect(tick()).toEqual(['checkpoint-overdue']);
    for (let i = 0; i < 10; i++) expect(tick()).toEqual([]);
    await outbox.idle();
    expect(store.list({ tenants: '*', limit: 10 })).toMatchObject([{ tenant: 'trailmark-operator', rule: 'checkpoint-overdue', severity: 'critical' }]);
    expect(recorded).toMatchObject([{ tenant: 'trailmark-operator', action: 'alert.raised' }]);

    // Covered again, then late again: a new condition, a new alert.
    state.served = 5n;
    expect(tick()).toEqual([]);
    state.tree = 6n;
    for (let i = 0; i < 10; i++) tick();
    expect(store.list({ tenants: '*', limit: 10 })).toHaveLength(2);
  } finally {
    await close();
  }
});

test('a halted sequencer and a refusing witness each raise one alert', async () => {
  const { state, tick, close } = setUp();
  try {
    state.halted = 'disk full';
    state.refusing = [{ witness: 'W', reason: '409 conflicting checkpoint' }];
    expect(tick().sort()).toEqual(['sequencer-halted', 'witness-refused']);
    expect(tick()).toEqual([]);
  } finally {
    await close();
  }
});

test('a process stalled for ten intervals is not overdue: lateness is counted in samples too', async () => {
  const { state, tick, close } = setUp();
  try {
    state.tree = 1n;
    expect(tick(20 * INTERVAL)).toEqual([]);
    for (let i = 0; i < 9; i++) expect(tick()).toEqual([]);
    expect(tick()).toEqual(['checkpoint-overdue']);
  } finally {
    await close();
  }
});
