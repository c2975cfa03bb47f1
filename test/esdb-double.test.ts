// The EventStoreDB protocol double, driven only through the real @eventstore/db-client 6.2.1 over gRPC: what the
// client sees is what the double implements.
import {
  END,
  EventStoreDBClient,
  START,
  BACKWARDS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult,
  type Position,
  type ResolvedEvent,
  type StreamSubscription,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { EsdbProtocolDouble } from '@trailmark/esdb-double';
import { until as untilHolds } from './support/budgets.js';

let double: EsdbProtocolDouble;
let client: EventStoreDBClient;

beforeEach(async () => {
  double = await EsdbProtocolDouble.start();
  client = EventStoreDBClient.connectionString(double.connectionString);
});

afterEach(async () => {
  await client.dispose();
  await double.close();
});

const event = (type = 'Noted', id: string = randomUUID()) => jsonEvent({ id, type, data: { at: type } });

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const resolved of events) collected.push(resolved);
  return collected;
}

const readStream = (stream: string, options?: Parameters<EventStoreDBClient['readStream']>[1]) =>
  collect<ResolvedEvent>(client.readStream(stream, options));
const readAll = (options?: Parameters<EventStoreDBClient['readAll']>[0]) =>
  collect<AllStreamResolvedEvent>(client.readAll(options));
const revisionsOf = (events: ResolvedEvent[]) => events.map((resolved) => resolved.event?.revision);
const idsOf = (events: ResolvedEvent[]) => events.map((resolved) => resolved.event?.id);
const positionOf = (resolved: ResolvedEvent): Position => resolved.event!.position!;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** Waits for `condition`; no deadline of its own (the test's budget is): a busy machine is slow, not wrong. */
function until(condition: () => boolean, what: string): Promise<void> {
  return untilHolds(condition, what);
}

/** What a subscription delivered, in order: events (as stream@revision), checkpoints, caught-up and errors. */
type Delivery = { event: string; position: Position } | { checkpoint: Position } | 'caughtUp' | { error: unknown };
type CheckpointReached = (subscription: AllStreamSubscription, position: Position) => void;
const isEvent = (delivery: Delivery) => typeof delivery === 'object' && 'event' in delivery;

function record(subscribe: (checkpointReached: CheckpointReached) => AllStreamSubscription | StreamSubscription) {
  const deliveries: Delivery[] = [];
  const subscription = subscribe((_, position) => deliveries.push({ checkpoint: position }));
  subscription.on('data', (resolved: ResolvedEvent) => {
    const { streamId, revision } = resolved.event!;
    deliveries.push({ event: `${streamId}@${revision}`, position: positionOf(resolved) });
  });
  subscription.on('caughtUp', () => deliveries.push('caughtUp'));
  subscription.on('error', (error: unknown) => deliveries.push({ error }));
  const delivered = () => deliveries.flatMap((delivery) => (isEvent(delivery) ? [delivery] : []));
  const events = () => delivered().map((delivery) => delivery.event);
  const positions = () => delivered().map((delivery) => delivery.position);
  return { subscription, deliveries, events, positions };
}

describe('appends', () => {
  test('no_stream creates a stream and fails, writing nothing, once it exists', async () => {
    const created = await client.appendToStream('order-1', [event(), event()], { expectedRevision: 'no_stream' });
    expect(created.nextExpectedRevision).toBe(1n);

    const error = await rejection(client.appendToStream('order-1', event(), { expectedRevision: 'no_stream' }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamName: 'order-1', expectedVersion: 'no_stream', actualVersion: 1n });
    expect(revisionsOf(await readStream('order-1'))).toEqual([0n, 1n]);
  });

  test('stream_exists fails on a stream with no events and succeeds on one with events', async () => {
    const error = await rejection(client.appendToStream('order-2', event(), { expectedRevision: 'stream_exists' }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ expectedVersion: 'stream_exists', actualVersion: 'no_stream' });
    await expect(readStream('order-2')).rejects.toBeInstanceOf(StreamNotFoundError);

    await client.appendToStream('order-2', event(), { expectedRevision: 'any' });
    const appended = await client.appendToStream('order-2', event(), { expectedRevision: 'stream_exists' });
    expect(appended.nextExpectedRevision).toBe(1n);
  });

  test('an exact revision succeeds only at the current revision; otherwise the error names both', async () => {
    await client.appendToStream('order-3', [event(), event(), event()]);
    const appended = await client.appendToStream('order-3', event(), { expectedRevision: 2n });
    expect(appended.nextExpectedRevision).toBe(3n);

    for (const stale of [1n, 7n]) {
      const error = await rejection(client.appendToStream('order-3', [event(), event()], { expectedRevision: stale }));
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamName: 'order-3', expectedVersion: stale, actualVersion: 3n });
    }
    expect(revisionsOf(await readStream('order-3'))).toEqual([0n, 1n, 2n, 3n]);
  });

  test('any appends whatever the stream holds, and the events keep their ids, types, data and metadata', async () => {
    const first = jsonEvent({ type: 'Opened', data: { by: 'ada' }, metadata: { requestId: 'r-1' } });
    await client.appendToStream('order-4', first, { expectedRevision: 'any' });
    const second = await client.appendToStream('order-4', event('Closed'), { expectedRevision: 'any' });
    expect(second.nextExpectedRevision).toBe(1n);

    const [stored] = await readStream('order-4', { maxCount: 1 });
    expect(stored?.event).toMatchObject({
      streamId: 'order-4',
      id: first.id,
      type: 'Opened',
      revision: 0n,
      isJson: true,
      data: { by: 'ada' },
      metadata: { requestId: 'r-1' },
    });
    expect(Math.abs(stored!.event!.created.getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe('idempotency by event id', () => {
  test('a retry with the original expected revision writes nothing and answers the original result', async () => {
    const events = [event(), event()];
    await client.appendToStream('retry-1', event());
    const original = await client.appendToStream('retry-1', events, { expectedRevision: 0n });
    await client.appendToStream('retry-1', event());
    const before = await readAll();

    const retried = await client.appendToStream('retry-1', events, { expectedRevision: 0n });
    expect(retried).toEqual(original);
    expect(await readAll()).toHaveLength(before.length);
  });

  test('with any, a retry is recognised by ids alone', async () => {
    const events = [event(), event()];
    const original = await client.appendToStream('retry-2', events, { expectedRevision: 'any' });
    await client.appendToStream('retry-2', event());

    expect(await client.appendToStream('retry-2', events, { expectedRevision: 'any' })).toEqual(original);
    expect(revisionsOf(await readStream('retry-2'))).toEqual([0n, 1n, 2n]);
  });

  test('a partial match (stored ids, then a new one) is a wrong expected version and writes nothing', async () => {
    const stored = [event(), event()];
    await client.appendToStream('retry-3', stored, { expectedRevision: 'no_stream' });

    for (const expectedRevision of ['no_stream', 'any'] as const) {
      const error = await rejection(client.appendToStream('retry-3', [...stored, event()], { expectedRevision }));
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ expectedVersion: expectedRevision, actualVersion: 1n });
    }
    expect(idsOf(await readStream('retry-3'))).toEqual(stored.map((proposed) => proposed.id));
  });

  test('ids are not unique across streams: an id stored in another stream is written again', async () => {
    const shared = event();
    await client.appendToStream('left', shared);
    const right = await client.appendToStream('right', shared);
    expect(right.nextExpectedRevision).toBe(0n);

    const all = await readAll();
    expect(all.map((resolved) => [resolved.event?.streamId, resolved.event?.id])).toEqual([
      ['left', shared.id],
      ['right', shared.id],
    ]);
  });
});

describe('reads', () => {
  test('a stream reads forwards from the start or a revision, backwards from the end, with a count', async () => {
    await client.appendToStream('read-1', [event(), event(), event(), event()]);
    await client.appendToStream('other', event());

    expect(revisionsOf(await readStream('read-1'))).toEqual([0n, 1n, 2n, 3n]);
    expect(revisionsOf(await readStream('read-1', { fromRevision: 2n }))).toEqual([2n, 3n]);
    expect(revisionsOf(await readStream('read-1', { fromRevision: 1n, maxCount: 2 }))).toEqual([1n, 2n]);
    const backwards = await readStream('read-1', { direction: BACKWARDS, fromRevision: END, maxCount: 3 });
    expect(revisionsOf(backwards)).toEqual([3n, 2n, 1n]);
  });

  test('a stream with no events is not found', async () => {
    await client.appendToStream('present', event());
    const error = await rejection(readStream('absent'));
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect(error).toMatchObject({ streamName: 'absent' });
  });

  test('positions are log addresses: increasing, with gaps; an append answers its last event position', async () => {
    await client.appendToStream('pos-1', [event(), event()]);
    const last = await client.appendToStream('pos-2', event());
    await client.appendToStream('pos-1', event());

    const positions = (await readAll()).map(positionOf);
    expect(positions).toHaveLength(4);
    for (const [index, position] of positions.entries()) {
      expect(position.commit).toBeGreaterThan(0n);
      if (index === 0) continue;
      const previous = positions[index - 1]!;
      expect(position.commit).toBeGreaterThan(previous.commit + 1n);
      expect(position.prepare).toBeGreaterThan(previous.prepare + 1n);
    }
    expect(last.position).toEqual(positions[2]);
  });

  test('$all reads from a position include the event at that position; backwards they end before it', async () => {
    await client.appendToStream('from-1', [event(), event(), event()]);
    const all = await readAll();
    const second = positionOf(all[1]!);

    expect((await readAll({ fromPosition: second })).map(positionOf)).toEqual(all.slice(1).map(positionOf));
    expect((await readAll({ fromPosition: second, maxCount: 1 })).map(positionOf)).toEqual([second]);
    const justAfter = { commit: second.commit + 1n, prepare: second.prepare + 1n };
    expect((await readAll({ fromPosition: justAfter })).map(positionOf)).toEqual([positionOf(all[2]!)]);
    const backwards = await readAll({ fromPosition: second, direction: BACKWARDS });
    expect(backwards.map(positionOf)).toEqual([positionOf(all[0]!)]);
    expect(await readAll({ fromPosition: END })).toEqual([]);
  });
});

describe('subscriptions to $all', () => {
  test('a filtered subscription catches up, reports caught-up, then delivers live events in order', async () => {
    await client.appendToStream('audit-a', [event(), event()]);
    await client.appendToStream('noise', event());
    await client.appendToStream('not-audit-a', event());
    await client.appendToStream('audit-b', event());

    const { subscription, deliveries, events } = record(() =>
      client.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes: ['audit-'] }) }),
    );
    await until(() => deliveries.includes('caughtUp'), 'caught-up');
    expect(events()).toEqual(['audit-a@0', 'audit-a@1', 'audit-b@0']);
    expect(deliveries.at(-1)).toBe('caughtUp');

    await client.appendToStream('noise', event());
    await client.appendToStream('audit-a', event());
    await client.appendToStream('audit-c', [event(), event()]);
    await until(() => events().length === 6, 'the live events');
    expect(events().slice(3)).toEqual(['audit-a@2', 'audit-c@0', 'audit-c@1']);
    await subscription.unsubscribe();
  });

  test('event-type prefixes and regexes select events too', async () => {
    await client.appendToStream('types', [event('user.login'), event('role.granted'), event('user.logout')]);
    await client.appendToStream('prototypes', event('user.created'));

    const byPrefix = record(() => client.subscribeToAll({ filter: eventTypeFilter({ prefixes: ['user.'] }) }));
    const byRegex = record(() => client.subscribeToAll({ filter: streamNameFilter({ regex: '^typ.s$' }) }));
    await until(() => byPrefix.deliveries.includes('caughtUp') && byRegex.deliveries.includes('caughtUp'), 'caught-up');
    expect(byPrefix.events()).toEqual(['types@0', 'types@2', 'prototypes@0']);
    expect(byRegex.events()).toEqual(['types@0', 'types@1', 'types@2']);
    await byPrefix.subscription.unsubscribe();
    await byRegex.subscription.unsubscribe();
  });

  test('checkpoints come every checkpointInterval × maxSearchWindow scanned events and at caught-up', async () => {
    // Five events, two of them matching: with a window of 2 and a multiplier of 1, checkpoints at the 2nd and 4th
    // scanned events, and at the 5th when the subscription catches up.
    for (const stream of ['noise', 'audit-x', 'noise', 'noise', 'audit-y']) {
      await client.appendToStream(stream, event());
    }
    const positions = (await readAll()).map(positionOf);

    const filterOptions = { prefixes: ['audit-'], maxSearchWindow: 2, checkpointInterval: 1 };
    const { subscription, deliveries } = record((checkpointReached) =>
      client.subscribeToAll({ filter: streamNameFilter({ ...filterOptions, checkpointReached }) }),
    );
    await until(() => deliveries.includes('caughtUp'), 'caught-up');
    expect(deliveries).toEqual([
      { event: 'audit-x@0', position: positions[1] },
      { checkpoint: positions[1] },
      { checkpoint: positions[3] },
      { event: 'audit-y@0', position: positions[4] },
      { checkpoint: positions[4] },
      'caughtUp',
    ]);

    await client.appendToStream('noise', event());
    await client.appendToStream('noise', event());
    const live = (await readAll({ fromPosition: positions[4]! })).map(positionOf);
    await until(() => deliveries.length === 7, 'a live checkpoint');
    expect(deliveries[6]).toEqual({ checkpoint: live[2] });
    await subscription.unsubscribe();
  });

  test('resuming from a delivered position skips and repeats nothing', async () => {
    for (const stream of ['audit-1', 'noise', 'audit-2', 'audit-3', 'noise', 'audit-4']) {
      await client.appendToStream(stream, event());
    }
    const first = record(() => client.subscribeToAll({ filter: streamNameFilter({ prefixes: ['audit-'] }) }));
    await until(() => first.deliveries.includes('caughtUp'), 'caught-up');
    await first.subscription.unsubscribe();
    const resumeAt = first.positions()[1]!;

    await client.appendToStream('audit-5', event());
    const resumed = record(() =>
      client.subscribeToAll({ fromPosition: resumeAt, filter: streamNameFilter({ prefixes: ['audit-'] }) }),
    );
    await until(() => resumed.deliveries.includes('caughtUp'), 'caught-up');
    expect(first.events().slice(0, 2).concat(resumed.events())).toEqual([
      'audit-1@0',
      'audit-2@0',
      'audit-3@0',
      'audit-4@0',
      'audit-5@0',
    ]);
    await resumed.subscription.unsubscribe();
  });

  test('a subscription from the end delivers only what is appended afterwards', async () => {
    await client.appendToStream('audit-old', event());
    const { subscription, deliveries, events } = record(() => client.subscribeToAll({ fromPosition: END }));
    await until(() => deliveries.includes('caughtUp'), 'caught-up');
    await client.appendToStream('audit-new', event());
    await until(() => events().length === 1, 'the live event');
    expect(events()).toEqual(['audit-new@0']);
    await subscription.unsubscribe();
  });
});

describe('subscriptions to a stream', () => {
  test('from a revision: the events after it, caught-up, then live ones; other streams are not delivered', async () => {
    await client.appendToStream('tracked', [event(), event(), event()]);
    const { subscription, deliveries, events } = record(() =>
      client.subscribeToStream('tracked', { fromRevision: 0n }),
    );
    await until(() => deliveries.includes('caughtUp'), 'caught-up');
    expect(events()).toEqual(['tracked@1', 'tracked@2']);
    expect(deliveries.at(-1)).toBe('caughtUp');

    await client.appendToStream('untracked', event());
    await client.appendToStream('tracked', event());
    await until(() => events().length === 3, 'the live event');
    expect(events()).toEqual(['tracked@1', 'tracked@2', 'tracked@3']);
    await subscription.unsubscribe();
  });

  test('to a stream with no events yet: caught-up at once, then its first events', async () => {
    const { subscription, deliveries, events } = record(() => client.subscribeToStream('future'));
    await until(() => deliveries.includes('caughtUp'), 'caught-up');
    await client.appendToStream('future', [event(), event()]);
    await until(() => events().length === 2, 'the live events');
    expect(deliveries[0]).toBe('caughtUp');
    expect(events()).toEqual(['future@0', 'future@1']);
    await subscription.unsubscribe();
  });
});

describe('stop and restart', () => {
  test('stop() ends a subscription with UNAVAILABLE and appends fail; after restart() the client works', async () => {
    const before: AppendResult = await client.appendToStream('kept', event());
    const { deliveries } = record(() => client.subscribeToAll());
    await until(() => deliveries.includes('caughtUp'), 'caught-up');

    await double.stop();
    const ended = () => deliveries.some((delivery) => typeof delivery === 'object' && 'error' in delivery);
    await until(ended, 'the subscription error');
    const { error } = deliveries.at(-1) as { error: unknown };
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 14 });

    // While the server is down the client fails with gRPC UNAVAILABLE (raised by its server-features probe, so not
    // converted to UnavailableError).
    await expect(client.appendToStream('kept', event())).rejects.toMatchObject({ code: 14 });

    await double.restart();
    const after = await client.appendToStream('kept', event(), { expectedRevision: 0n });
    expect(after.nextExpectedRevision).toBe(1n);
    expect(after.position!.commit).toBeGreaterThan(before.position!.commit);
    expect(revisionsOf(await readStream('kept'))).toEqual([0n, 1n]);
  });
});
