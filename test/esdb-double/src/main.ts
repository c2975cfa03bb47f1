/**
 * Runs the EventStoreDB protocol double on its own, for trying the service against it by hand:
 *
 *   node test/esdb-double/dist/main.js [--port N]        (default 2113, EventStoreDB's port)
 *   ESDB_CONNECTION_STRING='esdb://127.0.0.1:2113?tls=false' npm start
 *
 * The events live in this process's memory and are gone when it exits.
 */
import { parseArgs } from 'node:util';
import { EsdbProtocolDouble } from './esdb-protocol-double.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '2113' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a TCP port number, not ${values.port}`);
  process.exit(2);
}

const double = await EsdbProtocolDouble.start({ port });
console.log(`esdb-double listening on ${double.connectionString}`);

const stop = (): void => {
  void double.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
