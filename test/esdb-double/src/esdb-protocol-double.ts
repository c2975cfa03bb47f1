/**
 * A PROTOCOL TEST DOUBLE for EventStoreDB, not a database: it speaks EventStoreDB's gRPC `Streams` protocol (Append
 * and Read, with the semantics EventStoreDB has for what it implements) over real HTTP/2 on 127.0.0.1 and keeps the
 * events in memory, so that the unchanged `@eventstore/db-client` talks to it as to a single insecure node.
 *
 * Everything else answers UNIMPLEMENTED: `Streams/BatchAppend`, `Delete` and `Tombstone`, and every other service,
 * `ServerFeatures` included, which makes the client fall back from BatchAppend to `Streams/Append`. With one host
 * and `tls=false` the client never asks for gossip.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { handleAppend } from './append-handler.js';
import { EventLog } from './event-log.js';
import { OpenCalls } from './open-calls.js';
import { StreamsService } from './protocol.js';
import { handleRead } from './read-handler.js';

const HOST = '127.0.0.1';
/** How long `stop()` lets the calls it ended deliver their status before it drops the connections. */
const SHUTDOWN_GRACE_MS = 1_000;

export class EsdbProtocolDouble {
  private closed = false;
  /** Settles when the last stop() has finished, so that a restart() binds only once the port is free. */
  private stopped: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly log: EventLog,
    private readonly openCalls: OpenCalls,
    private server: Server | undefined,
  ) {}

  /** Starts on 127.0.0.1 at `port` (0 = a free port). */
  static async start(options: { port?: number } = {}): Promise<EsdbProtocolDouble> {
    const log = new EventLog();
    const openCalls = new OpenCalls();
    const { server, port } = await listen(options.port ?? 0, log, openCalls);
    return new EsdbProtocolDouble(port, log, openCalls, server);
  }

  /** `esdb://127.0.0.1:<port>?tls=false` */
  get connectionString(): string {
    return `esdb://${HOST}:${this.port}?tls=false`;
  }

  /**
   * The server goes away: stops listening and ends every open call (live subscriptions end with gRPC UNAVAILABLE).
   * The data is kept.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (server !== undefined) {
      this.server = undefined;
      // Shutting down first stops the listener and sends GOAWAY, so no call can start after the open ones are ended.
      this.stopped = shutDown(server);
      this.openCalls.endAll();
    }
    await this.stopped;
  }

  /** Comes back on the same port with the same data. */
  async restart(): Promise<void> {
    if (this.closed) throw new Error('The EventStoreDB protocol double was closed; start a new one.');
    await this.stop();
    this.server = (await listen(this.port, this.log, this.openCalls)).server;
  }

  /** stop(), for good. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }
}

async function listen(port: number, log: EventLog, openCalls: OpenCalls): Promise<{ server: Server; port: number }> {
  const server = new Server();
  // Methods left out (BatchAppend, Delete, Tombstone) get grpc-js's default handler, which answers UNIMPLEMENTED.
  server.addService(StreamsService, { read: handleRead(log, openCalls), append: handleAppend(log, openCalls) });
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port: boundPort };
}

/** Closes the listener, then the connections once their calls have ended (at the latest after a grace period). */
function shutDown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
