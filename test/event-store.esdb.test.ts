// The EventStore contract on the EventStoreDB adapter: over real gRPC to the in-process protocol double, and to a
// real EventStoreDB when ESDB_CONNECTION_STRING is set (e.g. esdb://127.0.0.1:2113?tls=false).
import { EsdbEventStore } from '@trailmark/event-store';
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
