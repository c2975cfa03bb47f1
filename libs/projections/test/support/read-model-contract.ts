// The read-model contract: one suite, run against every ReadModelStore adapter (SQLite, PostgreSQL). Events go
// through a real SqliteEventStore and the Projector; every answer is compared with a plain replay of the same events.
import Database from 'better-sqlite3';
import { IDENTITY_EVENT_TYPE } from '@trailmark/domain';
import { Sequencer, SqliteLedgerIndex } from '@trailmark/sequencer';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { SqliteEventStore, type Position } from '@trailmark/event-store';
import {
  Projector,
  ProjectionConflictError,
  ProjectorStoppedError,
  SEARCH_INDEXES,
  UnreadableEventError,
  projectEvent,
  rebuild,
  searchPage,
  type EventFilter,
  type ProjectedEvent,
  type ReadModelStore,
} from '@trailmark/projections';
import {
  ACTOR_IDS,
  CORRELATION_IDS,
  EventLog,
  REQUEST_IDS,
  ROLES,
  Random,
  TENANTS,
  USERS,
  memoryStore,
  randomBodies,
  time,
  type KnownEvent,
} from './identity-events.js';
import { referenceAccess, referenceSearch } from './reference.js';

/** One adapter's storage: every open() is a new handle on the same data; dispose() deletes it. */
export interface ReadModelFixture {
  open(): Promise<ReadModelStore>;
  /** The names of the indexes the storage holds now, read beside the adapter (from the database's catalog). */
  indexes(): Promise<string[]>;
  dispose(): Promise<void>;
}

const ALL = 1_000_000;

async function drain(iterable: AsyncIterable<ProjectedEvent>): Promise<ProjectedEvent[]> {
  const out: ProjectedEvent[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

const leaves = (events: readonly ProjectedEvent[]) => events.map((event) => event.leafIndex);

/** The projected event must be the appended one, byte for byte. */
function expectSame(projected: ProjectedEvent, known: KnownEvent): void {
  expect(projected.leafIndex).toBe(known.leafIndex);
  expect(projected.leaf).toEqual(known.leaf);
  expect(projected.envelope).toEqual(known.envelope);
  expect(projected.id).toBe(known.envelope.id);
  expect(projected.tenant).toBe(known.envelope.tenant);
  expect(projected.time).toBe(known.envelope.time);
  expect(projected.detail).toEqual(known.detail);
}

/** A random filter: each field present now and then, drawn from values that exist and values that do not. */
function randomFilter(random: Random, events: readonly KnownEvent[]): EventFilter {
  const someTime = () => (random.chance(0.5) ? random.pick(events).envelope.time : time(random.int(events.length * 1500)));
  const [a, b] = [someTime(), someTime()];
  return {
    tenants: random.pick<EventFilter['tenants']>(['*', ['acme'], ['globex'], ['acme', 'initech'], ['nobody'], []]),
    ...(random.chance(0.3) && { actor: random.pick([...ACTOR_IDS, 'user:u_2', 'service:svc', 'service:user:u_1', 'api_key:u_1', 'nobody']) }),
    ...(random.chance(0.3) && {
      action: random.pick(['user.login', 'user.mfa.*', 'user.*', 'role.*', 'role.granted', 'session.*', 'data.exported', 'user.mfa', 'us.*', 'audit_log.read']),
    }),
    ...(random.chance(0.3) && {
      target: random.pick([...USERS, 'user:u_1', 'group:u_1', 'g_ops', 'role:admin', 'admin', 'doc:7', 'document:doc:7', 'ds_1', 'k_1', 'session:s_1', 'nothing']),
    }),
    ...(random.chance(0.2) && { outcome: random.pick(['success', 'failure', 'error', 'unknown']) }),
    ...(random.chance(0.2) && { from: a < b ? a : b }),
    ...(random.chance(0.2) && { to: a < b ? b : a }),
    ...(random.chance(0.15) && { requestId: random.pick([...REQUEST_IDS, 'req-none']) }),
    ...(random.chance(0.15) && { correlationId: random.pick([...CORRELATION_IDS, 'corr-none']) }),
    ...(random.chance(0.3) && { excludeActions: random.pick([['audit_log.*'], ['audit_log.read', 'user.mfa.*'], ['user.*'], ['us.*', 'role.granted'], []]) }),
    ...(random.chance(0.2) && { text: random.pick(['password', 'WRONG', 'über', 'ÜBER-', 'mfa t', 'deny', '', '%', '_', 'zzz']) }),
  };
}

export function readModelContract(adapter: string, createFixture: () => Promise<ReadModelFixture>): void {
  describe(`read model contract: ${adapter}`, () => {
    let fixture: ReadModelFixture;
    const opened: ReadModelStore[] = [];
    const open = async () => {
      const model = await fixture.open();
      opened.push(model);
      return model;
    };

    beforeEach(async () => {
      fixture = await createFixture();
    });

    afterEach(async () => {
      for (const model of opened.splice(0)) await model.close();
      await fixture.dispose();
    });

    /** A store with `count` random events (and other streams between them), projected into a fresh read model. */
    async function projected(count: number, seed: number) {
      const store = memoryStore();
      const log = new EventLog(store);
      const random = new Random(seed);
      await log.append(randomBodies(random, count), { noise: true });
      const model = await open();
      const errors: Error[] = [];
      const projector = new Projector(store, model, { onError: (error) => errors.push(error), pageSize: 64 });
      await projector.start();
      return { store, log, random, model, projector, errors };
    }

    test('search by every filter returns what a plain replay returns, in both orders, with upTo and limits', async () => {
      const { log, random, model, projector, errors } = await projected(400, 1);
      expect(projector.status()).toMatchObject({ leafCount: 400n, caughtUp: true });
      const all = await model.search({ tenants: '*' }, { limit: ALL });
      expect(all).toHaveLength(400);
      all.forEach((event, i) => expectSame(event, log.events[i]!));

      for (let i = 0; i < 400; i++) {
        const filter = randomFilter(random, log.events);
        const order = random.pick(['asc', 'desc'] as const);
        const upTo = random.chance(0.3) ? BigInt(random.int(420)) : undefined;
        const limit = random.chance(0.5) ? ALL : 1 + random.int(20);
        const options = { limit, order, ...(upTo !== undefined && { upTo }) };
        const found = await model.search(filter, options);
        expect({ filter, options, leaves: leaves(found) }).toEqual({ filter, options, leaves: referenceSearch(log.events, filter, options) });
      }
      await projector.stop();
      expect(errors).toEqual([]);
    });

    test('each filter alone, and every value it takes, matches the replay', async () => {
      const { log, model, projector } = await projected(300, 2);
      const single: EventFilter[] = [
        ...[...ACTOR_IDS, 'user:u_1', 'service:user:u_1', 'service:svc'].map((actor) => ({ tenants: '*' as const, actor })),
        ...['user.mfa.*', 'user.*', 'role.granted', 'role.revoked', 'audit_log.read', 'user.mfa'].map((action) => ({ tenants: '*' as const, action })),
        ...[...USERS, 'user:u_1', 'group:u_1', 'role:admin', 'document:doc:7', 'doc:7'].map((target) => ({ tenants: '*' as const, target })),
        ...['success', 'failure', 'error'].map((outcome) => ({ tenants: '*' as const, outcome })),
        ...REQUEST_IDS.map((requestId) => ({ tenants: '*' as const, requestId })),
        ...CORRELATION_IDS.map((correlationId) => ({ tenants: '*' as const, correlationId })),
        ...['wrong', 'Über', 'ÜBER', 'policy: deny', ''].map((text) => ({ tenants: '*' as const, text })),
        { tenants: '*', from: log.events[100]!.envelope.time },
        { tenants: '*', to: log.events[100]!.envelope.time },
        { tenants: '*', from: log.events[50]!.envelope.time, to: log.events[50]!.envelope.time },
      ];
      for (const filter of single) {
        const expected = referenceSearch(log.events, filter);
        expect({ filter, found: leaves(await model.search(filter, { limit: ALL })) }).toEqual({ filter, found: expected });
        // Tenant by tenant, the same filter finds exactly that tenant's share.
        for (const tenant of TENANTS) {
          const scoped = { ...filter, tenants: [tenant] };
          expect({ scoped, found: leaves(await model.search(scoped, { limit: ALL })) }).toEqual({ scoped, found: referenceSearch(log.events, scoped) });
        }
        // Cases that must not be empty, or the test proves little.
        if (filter.actor === 'user:u_1' || filter.action === 'user.mfa.*' || filter.target === 'u_1' || filter.text === 'wrong') {
          expect(expected.length).toBeGreaterThan(0);
        }
      }
      await projector.stop();
    });

    test('tenant isolation: a scope never returns another tenant, even where actors and targets coincide', async () => {
      const { log, model, projector } = await projected(200, 3);
      for (const tenant of TENANTS) {
        const found = await model.search({ tenants: [tenant], actor: 'u_1' }, { limit: ALL });
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((event) => event.tenant === tenant && event.envelope.tenant === tenant)).toBe(true);
        const scanned = await drain(model.scan({ tenants: [tenant], target: 'u_1' }, { upTo: 1000n, pageSize: 5 }));
        expect(scanned.every((event) => event.tenant === tenant)).toBe(true);
      }
      expect(await model.search({ tenants: [] }, { limit: ALL })).toEqual([]);
      expect(await drain(model.scan({ tenants: [] }, { upTo: 1000n }))).toEqual([]);
      expect(await model.search({ tenants: ['nobody'] }, { limit: ALL })).toEqual([]);
      expect(await model.search({ tenants: ['ACME'] }, { limit: ALL })).toEqual([]);
      expect(leaves(await model.search({ tenants: ['globex', 'acme'] }, { limit: ALL }))).toEqual(
        log.events.filter((event) => event.envelope.tenant !== 'initech').map((event) => event.leafIndex),
      );
      await projector.stop();
    });

    test('cursor pagination with writes between pages: no repeat, no gap', async () => {
      const { store, log, random, model, projector } = await projected(150, 4);
      const filter: EventFilter = { tenants: ['acme', 'globex'], action: 'user.*' };
      const seen: bigint[] = [];
      let after: bigint | undefined;
      let micros = 10_000_000;
      for (let page = 0; page < 500; page++) {
        const found = await model.search(filter, { limit: 7, ...(after !== undefined && { after }) });
        seen.push(...leaves(found));
        if (found.length > 0) after = found[found.length - 1]!.leafIndex;
        if (page < 20) {
          // New events land after the cursor: a later page must meet them, once.
          await log.append(randomBodies(random, 5, micros));
          micros += 20_000;
          await projector.whenProjected(BigInt(log.events.length));
        } else if (found.length === 0) {
          break;
        }
      }
      expect(log.events).toHaveLength(250);
      expect(seen).toEqual(referenceSearch(log.events, filter));
      expect(new Set(seen).size).toBe(seen.length);

      // Newest first: the cursor moves down, and events written meanwhile (above the first page) are not in this walk.
      const newestFirst: bigint[] = [];
      const top = BigInt(log.events.length);
      after = undefined;
      for (;;) {
        const found = await model.search(filter, { limit: 6, order: 'desc', upTo: top, ...(after !== undefined && { after }) });
        newestFirst.push(...leaves(found));
        if (found.length === 0) break;
        after = found[found.length - 1]!.leafIndex;
        await log.append(randomBodies(random, 2, micros));
        await projector.whenProjected(BigInt(log.events.length));
      }
      expect(newestFirst).toEqual(referenceSearch(log.events, filter, { order: 'desc', upTo: top }));
      await projector.stop();
      await store.close();
    });

    test('scan over many pages yields every match once, in order, between after and upTo', async () => {
      const { log, random, model, projector } = await projected(350, 5);
      const everything = await drain(model.scan({ tenants: '*' }, { upTo: 350n, pageSize: 13 }));
      expect(leaves(everything)).toEqual(log.events.map((event) => event.leafIndex));
      everything.forEach((event, i) => expectSame(event, log.events[i]!));

      for (let i = 0; i < 40; i++) {
        const filter = randomFilter(random, log.events);
        const after = random.chance(0.5) ? BigInt(random.int(350)) : undefined;
        const upTo = BigInt(random.int(360));
        const pageSize = 1 + random.int(30);
        const scanned = await drain(model.scan(filter, { upTo, pageSize, ...(after !== undefined && { after }) }));
        expect({ filter, after, upTo, leaves: leaves(scanned) }).toEqual({
          filter,
          after,
          upTo,
          leaves: referenceSearch(log.events, filter, { ...(after !== undefined && { after }), upTo }),
        });
      }

      // Events written while a scan runs are beyond its upTo: it ends where it was told to.
      const pages: ProjectedEvent[] = [];
      for await (const event of model.scan({ tenants: '*' }, { upTo: 100n, pageSize: 10 })) {
        pages.push(event);
        if (pages.length === 15) {
          await log.append(randomBodies(random, 20, 20_000_000));
          await projector.whenProjected(370n);
        }
      }
      expect(leaves(pages)).toEqual(log.events.slice(0, 100).map((event) => event.leafIndex));
      await projector.stop();
    });

    test('accessAt: before, between and after grants and revokes; re-grant; revoke of a role never held; failed grant', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      const role = (action: string, subject: { type: string; id: string }, roleId: string, extra: Record<string, unknown> = {}) => ({
        tenant: 'acme',
        action,
        outcome: 'success',
        actor: { type: 'user', id: 'admin_1' },
        targets: [subject, { type: 'role', id: roleId }],
        ...extra,
      });
      const alice = { type: 'user', id: 'alice' };
      const ops = { type: 'group', id: 'ops' };
      const [g1, , , , , , g3, g4, , g5] = await log.append([
        { time: time(1000), body: role('role.granted', alice, 'admin') }, // g1: alice admin
        { time: time(2000), body: role('role.granted', alice, 'admin') }, // re-grant while held: since stays at g1
        { time: time(3000), body: role('role.revoked', { type: 'user', id: 'bob' }, 'admin') }, // never held: nothing
        { time: time(4000), body: role('role.granted', { type: 'user', id: 'bob' }, 'admin', { outcome: 'failure', reason: 'not allowed' }) },
        { time: time(4500), body: { ...role('role.granted', alice, 'auditor'), tenant: 'globex' } }, // another tenant
        { time: time(5000), body: role('role.revoked', alice, 'admin') },
        { time: time(6000), body: role('role.granted', alice, 'admin') }, // g3: granted again after the revoke
        { time: time(6500), body: role('role.granted', ops, 'billing') }, // g4: a group
        { time: time(7000), body: role('role.revoked', alice, 'auditor', { outcome: 'error' }) }, // errored: nothing
        { time: time(8000), body: role('role.granted', alice, 'auditor') }, // g5
      ]);
      const model = await open();
      const projector = new Projector(store, model);
      await projector.start();

      const holding = (event: KnownEvent, subject: { type: string; id: string }, roleId: string) => ({
        subject,
        role: roleId,
        since: event.envelope.time,
        granted: { eventId: event.envelope.id, leafIndex: event.leafIndex },
      });
      expect(await model.accessAt('acme', time(999))).toEqual([]);
      expect(await model.accessAt('acme', time(1000))).toEqual([holding(g1!, alice, 'admin')]);
      expect(await model.accessAt('acme', time(4999))).toEqual([holding(g1!, alice, 'admin')]);
      expect(await model.accessAt('acme', time(5000))).toEqual([]);
      expect(await model.accessAt('acme', time(6000))).toEqual([holding(g3!, alice, 'admin')]);
      expect(await model.accessAt('acme', time(7500))).toEqual([holding(g3!, alice, 'admin'), holding(g4!, ops, 'billing')]);
      const after = [holding(g3!, alice, 'admin'), holding(g5!, alice, 'auditor'), holding(g4!, ops, 'billing')];
      expect(await model.accessAt('acme', time(8000))).toEqual(after);
      expect(await model.accessAt('acme', time(99_000))).toEqual(after);
      expect(await model.accessAt('acme', time(99_000), 'auditor')).toEqual([holding(g5!, alice, 'auditor')]);
      expect(await model.accessAt('acme', time(7000), 'auditor')).toEqual([]);
      expect(await model.accessAt('acme', time(99_000), 'nobody')).toEqual([]);
      expect((await model.accessAt('globex', time(99_000))).map((h) => h.role)).toEqual(['auditor']);
      expect(await model.accessAt('initech', time(99_000))).toEqual([]);
      for (let at = 0; at <= 9000; at += 250) {
        expect(await model.accessAt('acme', time(at))).toEqual(referenceAccess(log.events, 'acme', time(at)));
      }
      await expect(model.accessAt('acme', '2026-03-01T00:00:01Z')).rejects.toThrow(RangeError);
      await projector.stop();
    });

    test('accessAt over random grants and revokes, with clocks that step back, matches a replay at every instant', async () => {
      const { log, random, model, projector } = await projected(400, 6);
      const changes = log.events.filter((event) => event.envelope.action.startsWith('role.'));
      expect(changes.length).toBeGreaterThan(50);
      const instants = [
        ...changes.map((event) => event.envelope.time),
        ...Array.from({ length: 40 }, () => time(random.int(400 * 1600))),
        time(0),
        time(10_000_000),
      ];
      for (const tenant of TENANTS) {
        for (const at of instants) {
          const roleFilter = random.chance(0.3) ? random.pick(ROLES) : undefined;
          expect({ tenant, at, roleFilter, held: await model.accessAt(tenant, at, roleFilter) }).toEqual({
            tenant,
            at,
            roleFilter,
            held: referenceAccess(log.events, tenant, at, roleFilter),
          });
        }
      }
      await projector.stop();
    });

    test('restart resumes from the stored position: nothing skipped, nothing twice; a re-applied batch changes nothing', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      const random = new Random(7);
      await log.append(randomBodies(random, 120), { noise: true });
      const first = await open();
      const projector = new Projector(store, first, { pageSize: 25 });
      await projector.start();
      await projector.stop();
      const stored = await first.position();
      expect(stored.leafCount).toBe(120n);
      await first.close();

      await log.append(randomBodies(random, 80, 1_000_000), { noise: true });
      const second = await open();
      expect(await second.position()).toEqual(stored);
      const progress: bigint[] = [];
      const again = new Projector(store, second, { pageSize: 25, onProgress: (count) => progress.push(count) });
      await again.start();
      expect(progress).toEqual([145n, 170n, 195n, 200n]);
      const all = await drain(second.scan({ tenants: '*' }, { upTo: 1000n, pageSize: 50 }));
      expect(leaves(all)).toEqual(log.events.map((event) => event.leafIndex));
      all.forEach((event, i) => expectSame(event, log.events[i]!));

      // A crash after the commit and before the projector noted it: the same batch again is a no-op.
      const before = await second.position();
      const last = all.slice(-3);
      await second.apply(last, before.position as Exclude<typeof before.position, 'start'>);
      expect(await second.position()).toEqual(before);
      expect(await second.search({ tenants: '*' }, { limit: ALL })).toHaveLength(200);
      // A batch that would leave a gap, or overlap, is refused.
      const next = { commit: 1n << 62n, prepare: 1n << 62n };
      await expect(second.apply([{ ...last[0]!, leafIndex: 201n }], next)).rejects.toThrow(ProjectionConflictError);
      await expect(second.apply(last, next)).rejects.toThrow(ProjectionConflictError);
      expect(await second.position()).toEqual(before);
      await again.stop();
    });

    test('rebuild from scratch reproduces the same rows and holdings, reporting progress', async () => {
      const { store, log, model, projector } = await projected(300, 8);
      await projector.stop();
      const rows = await drain(model.scan({ tenants: '*' }, { upTo: 1000n }));
      const access = await Promise.all(TENANTS.map((tenant) => model.accessAt(tenant, time(10_000_000))));
      const state = await model.position();

      const progress: bigint[] = [];
      expect(await rebuild(store, model, { pageSize: 100, onProgress: (count) => progress.push(count) })).toBe(300n);
      expect(progress[progress.length - 1]).toBe(300n);
      expect(progress).toEqual([...progress].sort((a, b) => (a < b ? -1 : 1)));
      expect(await drain(model.scan({ tenants: '*' }, { upTo: 1000n }))).toEqual(rows);
      expect(await Promise.all(TENANTS.map((tenant) => model.accessAt(tenant, time(10_000_000))))).toEqual(access);
      expect(await model.position()).toEqual(state);
      expect(rows).toHaveLength(log.events.length);

      await model.reset();
      expect(await model.position()).toEqual({ position: 'start', leafCount: 0n });
      expect(await model.search({ tenants: '*' }, { limit: ALL })).toEqual([]);
      expect(await model.accessAt('acme', time(10_000_000))).toEqual([]);
    });

    test('leaf(i) is the stored copy of leaf i, byte for byte; undefined past the end', async () => {
      const { model, projector } = await projected(40, 21);
      const events = await model.search({ tenants: '*' }, { limit: ALL });
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(Buffer.from((await model.leaf(event.leafIndex))!)).toEqual(Buffer.from(event.leaf));
      expect(await model.leaf((await model.position()).leafCount)).toBeUndefined();
      await projector.stop();
    });

    test('leaf indexes are the ledger\'s: the same as the sequencer gives the same events', async () => {
      const db = new Database(':memory:');
      const store = new SqliteEventStore(db);
      const index = new SqliteLedgerIndex(db);
      const sequencer = new Sequencer(store, MerkleTree.open(new SqliteTileStore(db)), index);
      await sequencer.start();
      const log = new EventLog(store);
      await log.append(randomBodies(new Random(9), 150), { noise: true });
      const model = await open();
      const projector = new Projector(store, model, { pageSize: 16 });
      await projector.start();
      await sequencer.waitForLeaf(log.events[149]!.envelope.id);
      for (const event of await model.search({ tenants: '*' }, { limit: ALL })) {
        expect(index.leafOf(event.id)?.leafIndex).toBe(event.leafIndex);
      }
      expect(projector.lag(index.leafCount())).toBe(0n);
      expect(projector.lag(index.leafCount() + 5n)).toBe(5n);
      await projector.stop();
      await sequencer.stop();
    });

    test('whenProjected waits for live events; an unreadable leaf stops the projector and names it', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      const random = new Random(10);
      await log.append(randomBodies(random, 10));
      const model = await open();
      const errors: Error[] = [];
      const projector = new Projector(store, model, { onError: (error) => errors.push(error) });
      await projector.start();
      await expect(projector.whenProjected(10n)).resolves.toBeUndefined();
      const waiting = projector.whenProjected(13n);
      await log.append(randomBodies(random, 3, 100_000));
      await waiting;
      expect((await model.search({ tenants: '*' }, { limit: ALL })).length).toBe(13);

      const never = projector.whenProjected(20n);
      const junk = new TextEncoder().encode('{"not":"an envelope"}');
      await store.append({
        stream: 'identity-acme.user.u_1',
        expectedRevision: 'any',
        events: [{ id: '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f', type: IDENTITY_EVENT_TYPE, data: junk, metadata: new TextEncoder().encode('{}') }],
      });
      await expect(never).rejects.toThrow(ProjectorStoppedError);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(UnreadableEventError);
      expect(errors[0]!.message).toContain('leaf 13');
      expect(projector.status()).toMatchObject({ leafCount: 13n, failure: errors[0] });
      // Nothing of the failed batch is stored; a new projector stops at the same leaf.
      expect((await model.position()).leafCount).toBe(13n);
      await expect(new Projector(store, model).start()).rejects.toThrow(UnreadableEventError);
    });

    test('a stop while catching up rejects that start; the next start resumes with nothing lost or repeated', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      await log.append(randomBodies(new Random(11), 60));
      const model = await open();
      const projector = new Projector(store, model, { pageSize: 7 });
      const starting = projector.start();
      await projector.stop();
      await expect(starting).rejects.toThrow(ProjectorStoppedError);
      await expect(projector.whenProjected(60n)).rejects.toThrow(ProjectorStoppedError);
      await projector.start();
      expect(projector.status()).toMatchObject({ leafCount: 60n, caughtUp: true });
      expect(leaves(await model.search({ tenants: '*' }, { limit: ALL }))).toEqual(log.events.map((event) => event.leafIndex));
      await projector.stop();
    });

    /** The store's first `count` identity events as the projector reads them (leaf i at index i), and the last one's position. */
    async function projectFirst(store: SqliteEventStore, count = ALL): Promise<{ batch: ProjectedEvent[]; position: Position }> {
      const recorded = await store.readAll({ from: 'start', streamPrefix: 'identity-', maxCount: count });
      return { batch: recorded.map((event, i) => projectEvent(event, BigInt(i))), position: recorded.at(-1)!.position };
    }

    const searchIndexes = Object.keys(SEARCH_INDEXES);
    const searchIndexesHeld = async () => (await fixture.indexes()).filter((name) => searchIndexes.includes(name)).sort();

    test('an empty read model loads without its search indexes, answers the same meanwhile, and gets them back on open', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      const random = new Random(12);
      await log.append(randomBodies(random, 300), { noise: true });
      const model = await open();
      expect(await searchIndexesHeld()).toEqual([...searchIndexes].sort());
      expect(await model.deferIndexes()).toBe(true);
      expect(await searchIndexesHeld()).toEqual([]);

      const { batch, position } = await projectFirst(store);
      await model.apply(batch, position);
      expect(await model.deferIndexes()).toBe(false);
      const middle = log.events[150]!.envelope.time;
      const searches: { filter: EventFilter; options: { limit: number; order: 'asc' | 'desc' } }[] = [
        // A narrow time range, which the SQLite adapter reads through its time index when it has one.
        { filter: { tenants: ['acme'], from: middle, to: log.events[160]!.envelope.time }, options: { limit: ALL, order: 'asc' } },
        ...Array.from({ length: 150 }, () => ({
          filter: randomFilter(random, log.events),
          options: { limit: random.chance(0.5) ? ALL : 1 + random.int(20), order: random.pick(['asc', 'desc'] as const) },
        })),
      ];
      const expectReplayed = async (reader: ReadModelStore) => {
        for (const { filter, options } of searches) {
          expect({ filter, leaves: leaves(await reader.search(filter, options)) }).toEqual({ filter, leaves: referenceSearch(log.events, filter, options) });
        }
      };
      await expectReplayed(model);

      // A bulk load cut short (no createIndexes): opening the read model builds them over what was loaded.
      const reopened = await open();
      expect(await searchIndexesHeld()).toEqual([...searchIndexes].sort());
      await expectReplayed(reopened);
      await expectReplayed(model);
    });

    test('a projector from an empty read model builds the indexes by the time it is caught up; so does one resuming a cut-short load', async () => {
      const { model, projector } = await projected(50, 13);
      expect(await searchIndexesHeld()).toEqual([...searchIndexes].sort());
      await projector.stop();

      const store = memoryStore();
      await new EventLog(store).append(randomBodies(new Random(14), 40));
      await model.reset();
      expect(await model.deferIndexes()).toBe(true);
      const { batch, position } = await projectFirst(store, 25);
      await model.apply(batch, position);
      const resuming = new Projector(store, model);
      await resuming.start();
      expect(resuming.status()).toMatchObject({ leafCount: 40n, caughtUp: true });
      expect(await searchIndexesHeld()).toEqual([...searchIndexes].sort());
      await resuming.stop();
    });

    test('catching up, the store\'s deliveries (1,000 events each) are gathered into transactions of pageSize; live events are applied as they come', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      const random = new Random(16);
      await log.append(randomBodies(random, 2_500));
      const model = await open();
      const progress: bigint[] = [];
      const projector = new Projector(store, model, { pageSize: 2_000, onProgress: (count) => progress.push(count) });
      await projector.start();
      expect(progress).toEqual([2_000n, 2_500n]);
      // Three live events, appended one by one, each far short of pageSize: projected without waiting for more.
      await log.append(randomBodies(random, 3, 10_000_000));
      await projector.whenProjected(2_503n);
      expect(progress.slice(0, 2)).toEqual([2_000n, 2_500n]);
      expect(progress.at(-1)).toBe(2_503n);
      expect(leaves(await model.search({ tenants: '*' }, { limit: ALL }))).toEqual(log.events.map((event) => event.leafIndex));
      await projector.stop();
    });

    test('live but behind (the store says more events follow), deliveries are gathered as when catching up', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      const random = new Random(17);
      const model = await open();
      const progress: bigint[] = [];
      const projector = new Projector(store, model, { pageSize: 2_000, onProgress: (count) => progress.push(count) });
      await projector.start();
      // One commit of 2,600 events: delivered live as 1,000, 1,000 (more follow) and 600 (the end of the log).
      await log.appendTogether(randomBodies(random, 2_600));
      await projector.whenProjected(2_600n);
      expect(progress).toEqual([2_000n, 2_600n]);
      // A commit of exactly one subscription page: nothing follows it, so it is applied at once.
      await log.appendTogether(randomBodies(random, 1_000, 10_000_000));
      await projector.whenProjected(3_600n);
      expect(progress).toEqual([2_000n, 2_600n, 3_600n]);
      expect(leaves(await model.search({ tenants: '*' }, { limit: ALL }))).toEqual(log.events.map((event) => event.leafIndex));
      await projector.stop();
    });

    test('transactions also stop at pageBytes of events, as full as that allows; an event larger than that goes alone', async () => {
      const store = memoryStore();
      const log = new EventLog(store);
      await log.append(randomBodies(new Random(18), 300));
      const sizes = (await store.readAll({ from: 'start', streamPrefix: 'identity-', maxCount: 1_000 })).map(
        (event) => event.data.byteLength + event.metadata.byteLength,
      );
      const pageBytes = Math.max(...sizes) * 4;
      const model = await open();
      const progress: bigint[] = [0n];
      const projector = new Projector(store, model, { pageBytes, onProgress: (count) => progress.push(count) });
      await projector.start();
      expect(progress.at(-1)).toBe(300n);
      const bytesOf = (from: bigint, to: bigint) => sizes.slice(Number(from), Number(to)).reduce((sum, size) => sum + size, 0);
      for (let i = 1; i < progress.length; i += 1) {
        const [from, to] = [progress[i - 1]!, progress[i]!];
        expect(bytesOf(from, to)).toBeLessThanOrEqual(pageBytes);
        // Full: the next event would not have fitted.
        if (to < 300n) expect(bytesOf(from, to + 1n)).toBeGreaterThan(pageBytes);
      }
      await projector.stop();

      const oneByOne: bigint[] = [];
      await rebuild(store, model, { pageBytes: 1, onProgress: (count) => oneByOne.push(count) });
      expect(oneByOne).toEqual(Array.from({ length: 300 }, (_, i) => BigInt(i + 1)));
    });

    test('an event id seen twice (EventStoreDB checks ids per stream) is two leaves, both found', async () => {
      const store = memoryStore();
      await new EventLog(store).append(randomBodies(new Random(15), 2));
      const { batch, position } = await projectFirst(store);
      const [first, second] = batch as [ProjectedEvent, ProjectedEvent];
      const leaf = new TextEncoder().encode(new TextDecoder().decode(second.leaf).replace(second.id, first.id));
      const again = { ...second, id: first.id, envelope: { ...second.envelope, id: first.id }, leaf };
      const model = await open();
      await model.apply([first, again], position);
      expect(leaves(await model.search({ tenants: '*' }, { limit: ALL }))).toEqual([0n, 1n]);
      expect((await model.search({ tenants: '*' }, { limit: ALL })).map((event) => event.id)).toEqual([first.id, first.id]);
    });

    test('searchPage: a follower ascending from no cursor, a page at a time, sees each match once and then an empty page that keeps its place', async () => {
      const { log, model, projector } = await projected(120, 16);
      const filter: EventFilter = { tenants: '*', excludeActions: ['audit_log.*'] };
      const expected = referenceSearch(log.events, filter, { limit: ALL });
      expect(expected.length).toBeLessThan(120);
      const seen: bigint[] = [];
      let after: bigint | undefined;
      let upTo = 100n;
      for (let polls = 0; polls < 100; polls++) {
        const page = await searchPage(model, { filter, limit: 7, order: 'asc', upTo, ...(after !== undefined && { after }) });
        seen.push(...leaves(page.events));
        if (page.events.length === 0 && upTo === 120n) {
          expect(page.follow).toBe(after);
          break;
        }
        if (page.next === null) upTo = 120n; // caught up with the first 100 leaves: the tree grows
        after = page.follow;
      }
      expect(seen).toEqual(expected);
      const descending = await searchPage(model, { filter, limit: ALL, order: 'desc', upTo: 120n });
      expect({ next: descending.next, follow: descending.follow }).toEqual({ next: null, follow: undefined });
      expect(await searchPage(model, { filter, limit: 5, order: 'asc', upTo: 0n })).toEqual({ events: [], next: null, follow: undefined });
      await projector.stop();
    });

    test('search refuses a bound that is not a server time, and a limit that is not positive', async () => {
      const model = await open();
      await expect(model.search({ tenants: '*', from: '2026-03-01T00:00:00Z' }, { limit: 5 })).rejects.toThrow(RangeError);
      await expect(model.search({ tenants: '*' }, { limit: 0 })).rejects.toThrow(RangeError);
      expect(await model.position()).toEqual({ position: 'start', leafCount: 0n });
    });
  });
}
