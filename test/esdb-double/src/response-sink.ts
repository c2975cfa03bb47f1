/**
 * Writes a read's responses with back-pressure: when the call's write buffer is full, `send` waits for `drain`, so a
 * slow reader holds the server back instead of making it buffer without bound. Once `signal` aborts (the client
 * cancelled, or the server stopped) sends do nothing and resolve at once.
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from './protocol.js';

export class ResponseSink {
  constructor(
    private readonly call: ServerWritableStream<ReadReq, ReadResp>,
    readonly signal: AbortSignal,
  ) {}

  send(response: ReadResp): Promise<void> {
    if (this.signal.aborted || this.call.write(response)) return Promise.resolve();
    return new Promise((resolve) => {
      const resume = (): void => {
        this.call.off('drain', resume);
        this.signal.removeEventListener('abort', resume);
        resolve();
      };
      this.call.on('drain', resume);
      this.signal.addEventListener('abort', resume);
    });
  }
}
