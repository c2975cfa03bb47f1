/**
 * Catch-up subscriptions to a stream or to `$all`, as EventStoreDB's subscription enumerators run them:
 *
 * 1. `confirmation` first;
 * 2. the events after the starting point: after a revision or position (exclusive), from the first event (start),
 *    or only those appended from now on (end);
 * 3. `caught_up` once, when the subscription has sent every event there is;
 * 4. then each event as it is appended.
 *
 * A filtered `$all` subscription also reports `checkpoint`s: every `checkpointInterval` events scanned (matching or
 * not) at the position of the last one scanned, and, if it scanned any since the last checkpoint, once more when it
 * catches up (EventStoreDB sends one "when going live"), so a client can resume after events its filter skips.
 *
 * The subscription reads the log itself rather than a queue of appended events: whatever its pace, it sends every
 * event once and in order, and with the sink's back-pressure a slow client makes it fall behind, not buffer.
 */
import type { EventLog, StoredEvent } from './event-log.js';
import type { EventFilter } from './event-filter.js';
import { caughtUp, checkpoint, confirmation, eventResponse } from './read-responses.js';
import type { AllSubscription, StreamSubscription } from './read-request.js';
import type { ResponseSink } from './response-sink.js';

export function subscribeToStream(log: EventLog, plan: StreamSubscription, sink: ResponseSink): Promise<void> {
  const events = (): readonly StoredEvent[] => log.streamEvents(plan.streamName);
  const from = plan.from;
  const firstIndex = from === 'start' ? 0 : from === 'end' ? events().length : from.revision + 1;
  return run(log, events, firstIndex, undefined, sink);
}

export function subscribeToAll(log: EventLog, plan: AllSubscription, sink: ResponseSink): Promise<void> {
  const from = plan.from;
  const firstIndex = from === 'start' ? 0 : from === 'end' ? log.events.length : log.indexAfter(from);
  return run(log, () => log.events, firstIndex, plan.filter, sink);
}

async function run(
  log: EventLog,
  events: () => readonly StoredEvent[],
  firstIndex: number,
  filter: EventFilter | undefined,
  sink: ResponseSink,
): Promise<void> {
  await sink.send(confirmation());
  let nextIndex = firstIndex;
  let lastScanned: StoredEvent | undefined;
  let scannedSinceCheckpoint = 0;
  let hasCaughtUp = false;
  while (!sink.signal.aborted) {
    // No await between looking at the log and waiting for the next append, so no append can slip in between.
    const event = events()[nextIndex];
    if (event !== undefined) {
      nextIndex += 1;
      if (filter === undefined || filter.matches(event)) await sink.send(eventResponse(event));
      lastScanned = event;
      scannedSinceCheckpoint += 1;
      if (filter !== undefined && scannedSinceCheckpoint >= filter.checkpointInterval) {
        scannedSinceCheckpoint = 0;
        await sink.send(checkpoint(event.position));
      }
    } else if (!hasCaughtUp) {
      hasCaughtUp = true;
      if (filter !== undefined && lastScanned !== undefined && scannedSinceCheckpoint > 0) {
        scannedSinceCheckpoint = 0;
        await sink.send(checkpoint(lastScanned.position));
      }
      await sink.send(caughtUp());
    } else {
      await log.nextAppend(sink.signal);
    }
  }
}
