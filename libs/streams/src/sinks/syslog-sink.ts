import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls } from 'node:tls';
import type { SyslogSinkConfig } from '../stream-definition.js';
import type { Sink, SinkPayload } from './sink.js';
import { octetCounted, syslogRecordMessage, syslogTrailerMessage } from './syslog-message.js';

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Syslog over TCP (RFC 6587, octet counting) or TLS (RFC 5425), one connection kept open across batches. A
 * batch counts as delivered once all its bytes are written to the connection; any error closes it, and the
 * whole batch is sent again on a new one. TCP syslog has no acknowledgement of its own: bytes the receiver
 * lost with its connection are not seen here, which is why each batch ends with its trailer (a receiver that
 * lacks one knows its range is incomplete).
 */
export class SyslogSink implements Sink {
  readonly maxRecords = 1000;
  private socket: Socket | undefined;
  private failure: Error | undefined;
  private readonly header: { facility: number; hostname: string };

  constructor(private readonly config: SyslogSinkConfig) {
    this.header = { facility: config.facility, hostname: hostname() };
  }

  async deliver({ batch, records, trailer }: SinkPayload): Promise<void> {
    const socket = await this.connection();
    const frames = batch.records.map((record, i) => octetCounted(syslogRecordMessage(this.header, record, records[i]!.text)));
    const time = batch.records.at(-1)?.envelope.time ?? new Date().toISOString();
    frames.push(octetCounted(syslogTrailerMessage(this.header, trailer, time)));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.write(Buffer.concat(frames), (error) => (error ? reject(error) : resolve()));
      });
      if (this.failure) throw this.failure;
    } catch (error) {
      this.drop();
      throw error;
    }
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.end(resolve));
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed && !this.failure) return Promise.resolve(this.socket);
    this.drop();
    this.failure = undefined;
    const { host, port, tls, caPem } = this.config;
    return new Promise<Socket>((resolve, reject) => {
      const ready = () => {
        socket.setTimeout(0);
        resolve(socket);
      };
      const socket = tls
        ? connectTls({ host, port, ...(isIP(host) === 0 && { servername: host }), ...(caPem !== undefined && { ca: caPem }) }, ready)
        : connectTcp({ host, port }, ready);
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`syslog ${host}:${port}: no connection in ${CONNECT_TIMEOUT_MS} ms`)));
      socket.on('error', (error) => {
        this.failure = error;
        reject(error);
      });
      socket.on('close', () => {
        this.failure ??= new Error(`syslog ${host}:${port} closed the connection`);
      });
      // The receiver sends nothing on a syslog connection; reading keeps a close from going unnoticed.
      socket.resume();
      this.socket = socket;
    });
  }
}
