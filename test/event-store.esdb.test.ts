// The EventStore contract on the EventStoreDB adapter: over real gRPC to the in-process protocol double, and to a
// real EventStoreDB when ESDB_CONNECTION_STRING is set (e.g. esdb://127.0.0.1:2113?tls=false).
import { randomUUID } from 'node:crypto';
import { EsdbEventStore, StoreUnavailableError } from '@trailmark/event-store';
import { EsdbProtocolDouble } from '@trailmark/esdb-double';
import { eventStoreContract } from './support/event-store-contract.js';

const ESDB_GUARANTEES = { atomicAcrossStreams: false, strictEventIds: false };

let double: EsdbProtocolDouble | undefined;
afterAll(async () => {
  await double?.close();
});

eventStoreContract('EsdbEventStore on the EventStoreDB protocol double', ESDB_GUARANTEES, async () => {
  double ??= await EsdbProtocolDouble.start();
  const store = EsdbEventStore.connect(double.connectionString);
  return { store, cleanup: () => store.close() };
});

const realServer = process.env.ESDB_CONNECTION_STRING;
if (realServer === undefined) {
  test.skip('EventStore contract on a real EventStoreDB [set ESDB_CONNECTION_STRING to run it]', () => {});
} else {
  eventStoreContract(`EsdbEventStore on ${realServer}`, ESDB_GUARANTEES, async () => {
    const store = EsdbEventStore.connect(realServer);
    return { store, cleanup: () => store.close() };
  });
}

test('a cluster whose nodes all fail to answer gossip: appends reject with StoreUnavailableError and the store says it is unreachable', async () => {
  // Two hosts make the client discover the leader through gossip; nothing listens on these ports.
  const store = EsdbEventStore.connect('esdb://127.0.0.1:1,127.0.0.1:2?tls=false&maxDiscoverAttempts=2&discoveryInterval=10');
  try {
    const event = { id: randomUUID(), type: 'TestEvent', data: new Uint8Array([1]), metadata: new Uint8Array() };
    await expect(store.append({ stream: 'identity-x', expectedRevision: 'any', events: [event] })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.reachable).toBe(false);
  } finally {
    await store.close();
  }
});
