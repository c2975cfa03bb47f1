/**
 * `Streams/Read`: a server-streaming call that carries stream reads, `$all` reads and subscriptions (to a stream or
 * to `$all`). A read ends with status OK after its last event; a subscription runs until the client cancels it or
 * the server stops, which ends it with UNAVAILABLE.
 */
import type { ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import type { EventLog } from './event-log.js';
import type { OpenCalls } from './open-calls.js';
import type { ReadReq, ReadResp } from './protocol.js';
import { readPlanOf, type ReadPlan } from './read-request.js';
import { readAll, readStream } from './reads.js';
import { ResponseSink } from './response-sink.js';
import { subscribeToAll, subscribeToStream } from './subscriptions.js';

export function handleRead(log: EventLog, openCalls: OpenCalls) {
  return (call: ServerWritableStream<ReadReq, ReadResp>): void => {
    const stopped = new AbortController();
    // grpc-js ends a server-streaming call with the status of the error emitted on it.
    const fail = (error: Partial<ServiceError>): void => {
      if (stopped.signal.aborted) return;
      stopped.abort();
      untrack();
      call.emit('error', error);
    };
    const { untrack } = openCalls.track(fail);
    call.on('cancelled', () => {
      stopped.abort();
      untrack();
    });

    const sink = new ResponseSink(call, stopped.signal);
    serve(log, call.request, sink).then(
      () => {
        if (stopped.signal.aborted) return;
        stopped.abort();
        untrack();
        call.end();
      },
      (error: Partial<ServiceError>) => fail(error),
    );
  };
}

async function serve(log: EventLog, request: ReadReq, sink: ResponseSink): Promise<void> {
  const plan: ReadPlan = readPlanOf(request);
  switch (plan.kind) {
    case 'read_stream':
      return readStream(log, plan, sink);
    case 'read_all':
      return readAll(log, plan, sink);
    case 'subscribe_stream':
      return subscribeToStream(log, plan, sink);
    case 'subscribe_all':
      return subscribeToAll(log, plan, sink);
  }
}
