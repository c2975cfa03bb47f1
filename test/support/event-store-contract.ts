import { randomUUID } from 'node:crypto';
import { until as untilHolds } from './budgets.js';
import {
  comparePositions,
  DuplicateEventError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendRequest,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
  type StoreGuarantees,
  type SubscriptionHandler,
} from '@trailmark/event-store';

/** An opened store and how to dispose of it (and of whatever it was opened on). */
export interface OpenedStore {
  store: EventStore;
  cleanup(): Promise<void>;
}

const text = new TextEncoder();
const fromText = new TextDecoder();

function event(label: string, type = 'TestEvent'): EventData {
  return {
    id: randomUUID(),
    type,
    data: text.encode(JSON.stringify({ label })),
    metadata: text.encode(JSON.stringify({ note: `metadata of ${label}` })),
  };
}

function events(count: number, label = 'e'): EventData[] {
  return Array.from({ length: count }, (_, i) => event(`${label}${i}`));
}

function labelOf(recorded: EventData): string {
  return (JSON.parse(fromText.decode(recorded.data)) as { label: string }).label;
}

function request(stream: string, expectedRevision: ExpectedRevision, written: readonly EventData[]): AppendRequest {
  return { stream, expectedRevision, events: written };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `condition`; no deadline of its own (the test's budget is): a busy machine is slow, not wrong. */
function until(condition: () => boolean, what: string): Promise<void> {
  return untilHolds(condition, what, 5);
}

/** A promise the test settles by hand, to hold a handler call open. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Records what a subscription delivers, and when. */
class Recorder implements SubscriptionHandler {
  readonly events: RecordedEvent[] = [];
  readonly batchSizes: number[] = [];
  readonly errors: Error[] = [];
  caughtUpCalls = 0;
  /** How many events had been delivered when onCaughtUp was called. */
  caughtUpAfter: number | undefined;
  running = 0;
  maxRunning = 0;

  constructor(private readonly hold?: (batch: readonly RecordedEvent[]) => Promise<void>) {}

  async onEvents(batch: readonly RecordedEvent[]): Promise<void> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.batchSizes.push(batch.length);
    this.events.push(...batch);
    try {
      await this.hold?.(batch);
    } finally {
      this.running -= 1;
    }
  }

  onCaughtUp(): void {
    this.caughtUpCalls += 1;
    this.caughtUpAfter ??= this.events.length;
  }

  onError(error: Error): void {
    this.errors.push(error);
  }

  ids(): string[] {
    return this.events.map((recorded) => recorded.id);
  }
}

function idsOf(written: readonly { id: string }[]): string[] {
  return written.map((e) => e.id);
}

function expectStrictlyIncreasing(positions: readonly Position[]): void {
  for (let i = 1; i < positions.length; i += 1) {
    expect(comparePositions(positions[i - 1]!, positions[i]!)).toBeLessThan(0);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * The EventStore port's contract, run against every adapter. It uses the port only, and every test works in
 * streams of its own (a fresh name prefix), so it also runs against a shared, non-empty store. `guarantees`
 * is what the adapter declares: the tests of each declared guarantee run, and so do those of its absence.
 */
export function eventStoreContract(name: string, guarantees: StoreGuarantees, open: () => Promise<OpenedStore>): void {
  const ifStrictIds = guarantees.strictEventIds ? test : test.skip;
  const unlessStrictIds = guarantees.strictEventIds ? test.skip : test;
  const ifAtomic = guarantees.atomicAcrossStreams ? test : test.skip;
  const unlessAtomic = guarantees.atomicAcrossStreams ? test.skip : test;
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    /** This test's stream name prefix; `stream('x')` names one of its streams. */
    let scope: string;
    const stream = (suffix: string) => `${scope}${suffix}`;
    const readMine = (maxCount = 10_000) => store.readAll({ from: 'start', maxCount, streamPrefix: scope });

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      scope = `contract${randomUUID().replaceAll('-', '')}-`;
    });
    afterEach(async () => {
      await cleanup();
    });

    test('declares the guarantees it is tested for', () => {
      expect(store.guarantees).toEqual(guarantees);
      expect(store.reachable).toBe(true);
    });

    describe('append and expected revisions', () => {
      test("'no_stream' starts a stream at revision 0; the result names the last event", async () => {
        const written = events(3);
        const result = await store.append(request(stream('a'), 'no_stream', written));
        const stored = await store.readStream(stream('a'));
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(idsOf(stored)).toEqual(idsOf(written));
        expect(result.nextExpectedRevision).toBe(2n);
        expect(comparePositions(result.position, stored[2]!.position)).toBe(0);
      });

      test('a bigint expected revision continues from the revision of the last event', async () => {
        await store.append(request(stream('a'), 'no_stream', events(2)));
        const result = await store.append(request(stream('a'), 1n, events(2, 'f')));
        expect(result.nextExpectedRevision).toBe(3n);
        expect((await store.readStream(stream('a'))).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
      });

      test("'any' appends to a new stream and to an existing one", async () => {
        expect((await store.append(request(stream('a'), 'any', events(1)))).nextExpectedRevision).toBe(0n);
        expect((await store.append(request(stream('a'), 'any', events(2)))).nextExpectedRevision).toBe(2n);
      });

      test("'stream_exists' appends to an existing stream and refuses a missing one", async () => {
        await store.append(request(stream('a'), 'no_stream', events(1)));
        expect((await store.append(request(stream('a'), 'stream_exists', events(1)))).nextExpectedRevision).toBe(1n);

        const error = await rejection(store.append(request(stream('b'), 'stream_exists', events(1))));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: stream('b'), expected: 'stream_exists', actual: 'no_stream' });
      });

      test("'no_stream' refuses an existing stream and reports its revision", async () => {
        await store.append(request(stream('a'), 'no_stream', events(2)));
        const error = await rejection(store.append(request(stream('a'), 'no_stream', events(1))));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: stream('a'), expected: 'no_stream', actual: 1n });
      });

      test('a bigint expected revision refuses a stream that is behind, ahead, or missing', async () => {
        await store.append(request(stream('a'), 'no_stream', events(3)));
        for (const expected of [0n, 1n, 3n, 7n]) {
          const error = await rejection(store.append(request(stream('a'), expected, events(1))));
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ stream: stream('a'), expected, actual: 2n });
        }
        const missing = await rejection(store.append(request(stream('b'), 0n, events(1))));
        expect(missing).toMatchObject({ stream: stream('b'), expected: 0n, actual: 'no_stream' });
      });

      test('a refused append writes nothing', async () => {
        await store.append(request(stream('a'), 'no_stream', events(2)));
        const before = await readMine();
        await expect(store.append(request(stream('a'), 5n, events(3)))).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(store.append(request(stream('b'), 'stream_exists', events(3)))).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );
        expect(idsOf(await readMine())).toEqual(idsOf(before));
        await expect(store.readStream(stream('b'))).rejects.toBeInstanceOf(StreamNotFoundError);
      });
    });

    describe('readStream', () => {
      test('a stream without events is not found', async () => {
        const error = await rejection(store.readStream(stream('nothing')));
        expect(error).toBeInstanceOf(StreamNotFoundError);
        expect(error).toMatchObject({ stream: stream('nothing') });
      });

      test('returns each event as written, with its stream, revision and position', async () => {
        const written = [event('one', 'First'), event('two', 'Second')];
        const result = await store.append(request(stream('a'), 'no_stream', written));
        const stored = await store.readStream(stream('a'));
        expect(stored).toHaveLength(2);
        stored.forEach((recorded, i) => {
          const original = written[i]!;
          expect(recorded.id).toBe(original.id);
          expect(recorded.type).toBe(original.type);
          expect(Array.from(recorded.data)).toEqual(Array.from(original.data));
          expect(Array.from(recorded.metadata)).toEqual(Array.from(original.metadata));
          expect(recorded.stream).toBe(stream('a'));
          expect(recorded.revision).toBe(BigInt(i));
        });
        expect(comparePositions(stored[1]!.position, result.position)).toBe(0);
      });

      test('pages with fromRevision and maxCount; past the end is empty', async () => {
        const written = events(7);
        await store.append(request(stream('a'), 'no_stream', written));
        const page = async (fromRevision: bigint) =>
          idsOf(await store.readStream(stream('a'), { fromRevision, maxCount: 3 }));
        expect(await page(0n)).toEqual(idsOf(written.slice(0, 3)));
        expect(await page(3n)).toEqual(idsOf(written.slice(3, 6)));
        expect(await page(6n)).toEqual(idsOf(written.slice(6)));
        expect(await page(7n)).toEqual([]);
        expect(idsOf(await store.readStream(stream('a'), { fromRevision: 2n }))).toEqual(idsOf(written.slice(2)));
      });
    });

    describe('readAll', () => {
      test('returns events of all streams in the global order, positions increasing', async () => {
        const a0 = event('a0');
        const b0 = event('b0');
        const a1 = event('a1');
        await store.append(request(stream('a'), 'no_stream', [a0]));
        await store.append(request(stream('b'), 'no_stream', [b0]));
        await store.append(request(stream('a'), 0n, [a1]));
        const all = await readMine();
        expect(idsOf(all)).toEqual(idsOf([a0, b0, a1]));
        expect(all.map((e) => e.stream)).toEqual([stream('a'), stream('b'), stream('a')]);
        expectStrictlyIncreasing(all.map((e) => e.position));
      });

      test('`from` is inclusive, and maxCount limits the page', async () => {
        const written = events(6);
        for (const one of written) await store.append(request(stream('a'), 'any', [one]));
        const all = await readMine();
        const from = all[2]!.position;
        expect(idsOf(await store.readAll({ from, maxCount: 100, streamPrefix: scope }))).toEqual(
          idsOf(written.slice(2)),
        );
        expect(idsOf(await store.readAll({ from, maxCount: 2, streamPrefix: scope }))).toEqual(
          idsOf(written.slice(2, 4)),
        );
        expect(idsOf(await readMine(4))).toEqual(idsOf(written.slice(0, 4)));
      });

      test('paging with the position after the last one read visits every event once', async () => {
        const written = events(10);
        await store.append(request(stream('a'), 'no_stream', written.slice(0, 4)));
        await store.append(request(stream('b'), 'no_stream', written.slice(4)));
        const seen: string[] = [];
        let page = await store.readAll({ from: 'start', maxCount: 3, streamPrefix: scope });
        while (page.length > 0) {
          seen.push(...idsOf(page));
          const last = page.at(-1)!;
          const next = await store.readAll({ from: last.position, maxCount: 4, streamPrefix: scope });
          expect(next[0]?.id).toBe(last.id); // inclusive: the page starts with the event it was asked from
          page = next.slice(1);
        }
        expect(seen).toEqual(idsOf(written));
      });

      test('streamPrefix keeps only streams whose name starts with it, exactly', async () => {
        const identity1 = event('i1');
        const identity2 = event('i2');
        await store.append(request(stream('identity-acme.user.u1'), 'any', [identity1]));
        await store.append(request(stream('checkpoints'), 'any', events(2, 'c')));
        await store.append(request(stream('Identity-upper'), 'any', events(1, 'u')));
        await store.append(request(stream('identity_like'), 'any', events(1, 'l')));
        await store.append(request(stream('identity-acme.user.u2'), 'any', [identity2]));
        const matching = await store.readAll({ from: 'start', maxCount: 100, streamPrefix: stream('identity-') });
        expect(idsOf(matching)).toEqual(idsOf([identity1, identity2]));
        const first = await store.readAll({ from: 'start', maxCount: 1, streamPrefix: stream('identity-') });
        expect(idsOf(first)).toEqual([identity1.id]);
        expect(await readMine()).toHaveLength(6);
      });
    });

    describe('idempotency by event id', () => {
      test('a retry of an append returns the original result and writes nothing', async () => {
        const written = events(3);
        const original = await store.append(request(stream('a'), 'no_stream', written));
        const retried = await store.append(request(stream('a'), 'no_stream', written));
        expect(retried.nextExpectedRevision).toBe(original.nextExpectedRevision);
        expect(comparePositions(retried.position, original.position)).toBe(0);
        const again = await store.append(request(stream('a'), 'any', written));
        expect(comparePositions(again.position, original.position)).toBe(0);
        expect(idsOf(await readMine())).toEqual(idsOf(written));
      });

      test('a retry of a consecutive part of an append returns that part’s last revision and position', async () => {
        const written = events(3);
        await store.append(request(stream('a'), 'no_stream', written));
        await store.append(request(stream('a'), 2n, events(1, 'later')));
        const stored = await store.readStream(stream('a'));
        const tail = await store.append(request(stream('a'), 'any', written.slice(1)));
        expect(tail.nextExpectedRevision).toBe(2n);
        expect(comparePositions(tail.position, stored[2]!.position)).toBe(0);
        const head = await store.append(request(stream('a'), 'no_stream', written.slice(0, 1)));
        expect(head.nextExpectedRevision).toBe(0n);
        expect(comparePositions(head.position, stored[0]!.position)).toBe(0);
        expect(await readMine()).toHaveLength(4);
      });

      test('two identical appends made at once are written once and both get the same result', async () => {
        const written = events(2);
        const [first, second] = await Promise.all([
          store.append(request(stream('a'), 'no_stream', written)),
          store.append(request(stream('a'), 'no_stream', written)),
        ]);
        expect(second.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(comparePositions(second.position, first.position)).toBe(0);
        expect(idsOf(await readMine())).toEqual(idsOf(written));
      });

      ifStrictIds('an id stored in another stream is a duplicate', async () => {
        const [one] = events(1);
        await store.append(request(stream('a'), 'any', [one!]));
        const error = await rejection(store.append(request(stream('b'), 'any', [one!])));
        expect(error).toBeInstanceOf(DuplicateEventError);
        expect(error).toMatchObject({ eventId: one!.id });
        await expect(store.readStream(stream('b'))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      test('stored events followed by new ones are a duplicate, and the new events are not written', async () => {
        const [old, fresh] = events(2);
        await store.append(request(stream('a'), 'any', [old!]));
        const error = await rejection(store.append(request(stream('a'), 'any', [old!, fresh!])));
        expect(error).toBeInstanceOf(DuplicateEventError);
        expect(error).toMatchObject({ eventId: old!.id });
        expect(idsOf(await readMine())).toEqual([old!.id]);
      });

      ifStrictIds('a new event followed by a stored one is a duplicate', async () => {
        const [old, fresh] = events(2);
        await store.append(request(stream('a'), 'any', [old!]));
        const error = await rejection(store.append(request(stream('a'), 'any', [fresh!, old!])));
        expect(error).toMatchObject({ eventId: old!.id });
        expect(idsOf(await readMine())).toEqual([old!.id]);
      });

      unlessStrictIds('a request whose first event is new is written whole, as EventStoreDB does', async () => {
        const [old, fresh] = events(2);
        await store.append(request(stream('a'), 'any', [old!]));
        await store.append(request(stream('a'), 'any', [fresh!, old!]));
        expect(idsOf(await readMine())).toEqual([old!.id, fresh!.id, old!.id]);
      });

      ifStrictIds('stored events retried out of order, or with a gap, are duplicates', async () => {
        const written = events(3);
        await store.append(request(stream('a'), 'no_stream', written));
        await expect(store.append(request(stream('a'), 'any', [written[1]!, written[0]!]))).rejects.toBeInstanceOf(
          DuplicateEventError,
        );
        await expect(store.append(request(stream('a'), 'any', [written[0]!, written[2]!]))).rejects.toBeInstanceOf(
          DuplicateEventError,
        );
        expect(await readMine()).toHaveLength(3);
      });

      test('one id twice in one append is a duplicate', async () => {
        const [one] = events(1);
        const error = await rejection(store.append(request(stream('a'), 'any', [one!, { ...one!, type: 'Again' }])));
        expect(error).toBeInstanceOf(DuplicateEventError);
        expect(error).toMatchObject({ eventId: one!.id });
        await expect(store.readStream(stream('a'))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      ifStrictIds('one id appended at once to two streams is written once; the other append is a duplicate', async () => {
        const [one] = events(1);
        const outcomes = await Promise.allSettled([
          store.append(request(stream('a'), 'any', [one!])),
          store.append(request(stream('b'), 'any', [one!])),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
        expect(refused.reason).toBeInstanceOf(DuplicateEventError);
        expect(idsOf(await readMine())).toEqual([one!.id]);
      });

      unlessStrictIds('an id stored in another stream is written again there: ids are checked per stream', async () => {
        const [one] = events(1);
        await store.append(request(stream('a'), 'any', [one!]));
        await store.append(request(stream('b'), 'any', [one!]));
        expect((await readMine()).map((e) => [e.stream, e.id])).toEqual([
          [stream('a'), one!.id],
          [stream('b'), one!.id],
        ]);
      });
    });

    describe('appendAtomically', () => {
      test('writes every request and returns one result each', async () => {
        const results = await store.appendAtomically([
          request(stream('a'), 'no_stream', events(2, 'a')),
          request(stream('b'), 'no_stream', events(1, 'b')),
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 0n]);
        const written = await readMine();
        // One transaction keeps the call's order; separate appends to separate streams may land in either order.
        if (guarantees.atomicAcrossStreams) expectStrictlyIncreasing(results.map((r) => r.position));
        expect(written.map((e) => e.stream).sort()).toEqual([stream('a'), stream('a'), stream('b')]);
        results.forEach((result, i) => {
          const last = written.filter((e) => e.stream === stream(i === 0 ? 'a' : 'b')).at(-1)!;
          expect(comparePositions(result.position, last.position)).toBe(0);
        });
      });

      test('a later request sees an earlier one of the same call (one stream twice)', async () => {
        const results = await store.appendAtomically([
          request(stream('a'), 'no_stream', events(2, 'first')),
          request(stream('a'), 1n, events(1, 'second')),
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1n, 2n]);
        expect((await store.readStream(stream('a'))).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      ifAtomic('one refused request writes none of the call', async () => {
        await store.append(request(stream('c'), 'no_stream', events(1)));
        const error = await rejection(
          store.appendAtomically([
            request(stream('a'), 'no_stream', events(2)),
            request(stream('b'), 'any', events(1)),
            request(stream('c'), 'no_stream', events(1)),
          ]),
        );
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: stream('c'), actual: 0n });
        await expect(store.readStream(stream('a'))).rejects.toBeInstanceOf(StreamNotFoundError);
        await expect(store.readStream(stream('b'))).rejects.toBeInstanceOf(StreamNotFoundError);
        expect(await readMine()).toHaveLength(1);
      });

      ifAtomic('a duplicate id in a later request writes none of the call', async () => {
        const [stored] = events(1);
        await store.append(request(stream('x'), 'any', [stored!]));
        const error = await rejection(
          store.appendAtomically([request(stream('a'), 'any', events(2)), request(stream('b'), 'any', [stored!])]),
        );
        expect(error).toBeInstanceOf(DuplicateEventError);
        expect(idsOf(await readMine())).toEqual([stored!.id]);
      });

      unlessAtomic('a refused request fails the call, writes nothing of its own, and the other streams may be written', async () => {
        await store.append(request(stream('c'), 'no_stream', events(1)));
        const before = events(2, 'before');
        const error = await rejection(
          store.appendAtomically([
            request(stream('a'), 'no_stream', before),
            request(stream('c'), 'no_stream', events(1)),
            request(stream('b'), 'any', events(1)),
          ]),
        );
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ stream: stream('c'), actual: 0n });
        expect(await store.readStream(stream('c'))).toHaveLength(1);
        for (const other of ['a', 'b']) {
          const written = await store.readStream(stream(other)).catch((missing: unknown) => {
            expect(missing).toBeInstanceOf(StreamNotFoundError);
            return [];
          });
          expect([0, other === 'a' ? 2 : 1]).toContain(written.length);
        }
      });
    });

    describe('concurrent appends', () => {
      test('all succeed with distinct positions, in the order readAll returns them', async () => {
        const calls = Array.from({ length: 50 }, (_, i) => {
          const written = [event(`c${i}`)];
          return { written, result: store.append(request(stream(`s${i % 10}`), 'any', written)) };
        });
        const results = await Promise.all(calls.map((call) => call.result));
        const all = await readMine();
        expect(all).toHaveLength(50);
        expectStrictlyIncreasing(all.map((e) => e.position));
        const positionOf = new Map(all.map((e) => [e.id, e.position]));
        calls.forEach((call, i) => {
          expect(comparePositions(results[i]!.position, positionOf.get(call.written[0]!.id)!)).toBe(0);
        });
        for (let s = 0; s < 10; s += 1) {
          const revisions = (await store.readStream(stream(`s${s}`))).map((e) => e.revision);
          expect(revisions).toEqual([0n, 1n, 2n, 3n, 4n]);
        }
      });
    });

    describe('subscribeToAll', () => {
      test('delivers the stored events, calls onCaughtUp once, then delivers new events live', async () => {
        const stored = events(3, 'old');
        await store.append(request(stream('a'), 'no_stream', stored));
        const recorder = new Recorder();
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => recorder.caughtUpCalls > 0, 'onCaughtUp');
        expect(recorder.caughtUpAfter).toBe(3);
        expect(recorder.ids()).toEqual(idsOf(stored));

        const live1 = events(2, 'live');
        const live2 = events(1, 'later');
        await store.append(request(stream('a'), 2n, live1));
        await store.append(request(stream('b'), 'any', live2));
        await until(() => recorder.events.length === 6, 'the live events');
        await subscription.close();
        expect(recorder.ids()).toEqual(idsOf([...stored, ...live1, ...live2]));
        expect(recorder.caughtUpCalls).toBe(1);
        expect(recorder.errors).toEqual([]);
        const all = await readMine();
        expect(recorder.events.map((e) => [e.stream, e.revision, labelOf(e)])).toEqual(
          all.map((e) => [e.stream, e.revision, labelOf(e)]),
        );
      });

      test('calls onCaughtUp on a log with nothing to deliver', async () => {
        const recorder = new Recorder();
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => recorder.caughtUpCalls > 0, 'onCaughtUp');
        expect(recorder.events).toEqual([]);
        await store.append(request(stream('a'), 'any', events(1)));
        await until(() => recorder.events.length === 1, 'the live event');
        await subscription.close();
        expect(recorder.caughtUpCalls).toBe(1);
      });

      test('catches up across many pages, in order, before onCaughtUp', async () => {
        const written = events(2_500);
        for (let at = 0; at < written.length; at += 250) {
          await store.append(request(stream(`p${at % 3}`), 'any', written.slice(at, at + 250)));
        }
        const recorder = new Recorder();
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => recorder.caughtUpCalls > 0, 'onCaughtUp');
        expect(recorder.caughtUpAfter).toBe(2_500);
        expect(recorder.ids()).toEqual(idsOf(written));
        expect(recorder.batchSizes.length).toBeGreaterThan(1);
        await subscription.close();
      });

      test('`from` is exclusive: delivery starts after the given position', async () => {
        const written = events(4);
        await store.append(request(stream('a'), 'no_stream', written));
        const stored = await store.readStream(stream('a'));
        const recorder = new Recorder();
        const subscription = store.subscribeToAll({ from: stored[1]!.position, streamPrefix: scope }, recorder);
        await until(() => recorder.caughtUpCalls > 0, 'onCaughtUp');
        await subscription.close();
        expect(recorder.ids()).toEqual(idsOf(written.slice(2)));
      });

      test('resuming from the last position seen skips nothing and repeats nothing', async () => {
        const written: EventData[] = [];
        const appendSome = async (count: number, label: string) => {
          const batch = events(count, label);
          written.push(...batch);
          for (const one of batch) await store.append(request(stream(`r${written.length % 2}`), 'any', [one]));
        };
        await appendSome(5, 'before');
        const first = new Recorder();
        const firstSubscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, first);
        await appendSome(5, 'during');
        await until(() => first.events.length >= 7, 'part of the events');
        await firstSubscription.close();
        const delivered = first.events.length;
        await appendSome(5, 'between');

        const second = new Recorder();
        const resumed = store.subscribeToAll({ from: first.events.at(-1)!.position, streamPrefix: scope }, second);
        await until(() => second.caughtUpCalls > 0, 'onCaughtUp');
        await appendSome(3, 'after');
        await until(() => delivered + second.events.length >= written.length, 'every event');
        await sleep(50);
        await resumed.close();
        expect([...first.ids(), ...second.ids()]).toEqual(idsOf(written));
      });

      test('only streams with the given prefix are delivered', async () => {
        const recorder = new Recorder();
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: stream('identity-') }, recorder);
        await until(() => recorder.caughtUpCalls > 0, 'onCaughtUp');
        const wanted = event('wanted');
        await store.append(request(stream('checkpoints'), 'any', events(2)));
        await store.append(request(stream('identity-x'), 'any', [wanted]));
        await until(() => recorder.events.length > 0, 'the identity event');
        await sleep(50);
        await subscription.close();
        expect(recorder.ids()).toEqual([wanted.id]);
      });

      test('awaits each onEvents call before the next (back-pressure), keeping the order', async () => {
        const held = gate();
        let calls = 0;
        const recorder = new Recorder(async () => {
          calls += 1;
          if (calls === 1) await held.opened;
        });
        const first = events(1, 'first');
        await store.append(request(stream('a'), 'any', first));
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => calls === 1, 'the first onEvents call');
        const more = events(4, 'more');
        for (const one of more) await store.append(request(stream('a'), 'any', [one]));
        await sleep(100);
        expect(calls).toBe(1);
        held.open();
        await until(() => recorder.events.length === 5, 'the held-back events');
        await subscription.close();
        expect(recorder.maxRunning).toBe(1);
        expect(recorder.ids()).toEqual(idsOf([...first, ...more]));
      });

      test('close() waits for a running onEvents call, and nothing is delivered after it', async () => {
        const held = gate();
        const recorder = new Recorder(() => held.opened);
        await store.append(request(stream('a'), 'any', events(1)));
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => recorder.running === 1, 'the onEvents call');
        let closed = false;
        const closing = subscription.close().then(() => (closed = true));
        await sleep(50);
        expect(closed).toBe(false);
        held.open();
        await closing;
        expect(recorder.running).toBe(0);
        await store.append(request(stream('a'), 'any', events(2)));
        await sleep(100);
        expect(recorder.events).toHaveLength(1);
      });

      test('an error thrown by onEvents goes to onError and stops the subscription', async () => {
        const failure = new Error('projection failed');
        const recorder = new Recorder(async () => {
          throw failure;
        });
        await store.append(request(stream('a'), 'any', events(1)));
        const subscription = store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => recorder.errors.length > 0, 'onError');
        expect(recorder.errors).toEqual([failure]);
        await store.append(request(stream('a'), 'any', events(2)));
        await sleep(100);
        expect(recorder.events).toHaveLength(1);
        expect(recorder.errors).toHaveLength(1);
        await subscription.close();
      });
    });

    describe('close', () => {
      test('writes the appends already requested, then refuses new ones', async () => {
        const written = events(2);
        const pending = store.append(request(stream('a'), 'no_stream', written));
        await store.close();
        await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 1n });
        await expect(store.append(request(stream('a'), 'any', events(1)))).rejects.toThrow();
      });

      test('stops running subscriptions', async () => {
        const recorder = new Recorder();
        store.subscribeToAll({ from: 'start', streamPrefix: scope }, recorder);
        await until(() => recorder.caughtUpCalls > 0, 'onCaughtUp');
        await store.close();
        expect(recorder.running).toBe(0);
        expect(recorder.errors).toEqual([]);
      });
    });
  });
}
