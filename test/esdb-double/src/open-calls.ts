/**
 * The calls in progress, so that `stop()` can end each one with a status the client reports, as a server that goes
 * away would, instead of leaving the client to guess from a dropped connection.
 */
import { status, type ServiceError } from '@grpc/grpc-js';

type EndCall = (error: Partial<ServiceError>) => void;

export class OpenCalls {
  private readonly calls = new Set<EndCall>();

  /** Registers a call until `untrack()`; `end` is called (once) if the server stops first. */
  track(end: EndCall): { untrack: () => void } {
    this.calls.add(end);
    return { untrack: () => this.calls.delete(end) };
  }

  /** Ends every open call with UNAVAILABLE, the status gRPC gives a call whose server went away. */
  endAll(): void {
    const calls = [...this.calls];
    this.calls.clear();
    for (const end of calls) end({ code: status.UNAVAILABLE, details: 'The EventStoreDB protocol double stopped.' });
  }
}
