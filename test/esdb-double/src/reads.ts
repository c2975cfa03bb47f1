/**
 * Reads with a count, of a stream or of `$all`, forwards or backwards.
 *
 * - A stream read starts at a revision, inclusive, or at the start or end; a stream with no events answers
 *   `stream_not_found` and nothing else.
 * - An `$all` read forwards from a position includes the event at exactly that position (EventStoreDB's
 *   `ReadAllEventsForward` takes records at or after it); backwards it takes the events before it.
 * - With a filter, `count` counts matching events: EventStoreDB's `max_search_window` only sizes the pages it scans,
 *   so a filtered read returns the first `count` matching events, however far apart.
 */
import type { EventLog, StoredEvent } from './event-log.js';
import type { EventFilter } from './event-filter.js';
import { eventResponse, streamNotFound } from './read-responses.js';
import type { AllRead, AllStart, Direction, StreamRead, StreamStart } from './read-request.js';
import type { ResponseSink } from './response-sink.js';

export async function readStream(log: EventLog, plan: StreamRead, sink: ResponseSink): Promise<void> {
  const events = log.streamEvents(plan.streamName);
  if (events.length === 0) return sink.send(streamNotFound(plan.streamName));
  const startIndex = streamStartIndex(events.length, plan.from, plan.direction);
  await send(inOrder(events, startIndex, plan.direction), plan.count, sink);
}

export async function readAll(log: EventLog, plan: AllRead, sink: ResponseSink): Promise<void> {
  const startIndex = allStartIndex(log, plan.from, plan.direction);
  await send(filtered(inOrder(log.events, startIndex, plan.direction), plan.filter), plan.count, sink);
}

function streamStartIndex(length: number, from: StreamStart, direction: Direction): number {
  if (from === 'start') return 0;
  if (from === 'end') return direction === 'forwards' ? length : length - 1;
  return direction === 'forwards' ? from.revision : Math.min(from.revision, length - 1);
}

function allStartIndex(log: EventLog, from: AllStart, direction: Direction): number {
  if (from === 'start') return direction === 'forwards' ? 0 : -1;
  if (from === 'end') return direction === 'forwards' ? log.events.length : log.events.length - 1;
  const atOrAfter = log.indexAtOrAfter(from);
  return direction === 'forwards' ? atOrAfter : atOrAfter - 1;
}

/** `events` may grow while the read is sent; the read covers the events there were when it started. */
function* inOrder(events: readonly StoredEvent[], startIndex: number, direction: Direction): Generator<StoredEvent> {
  const length = events.length;
  const step = direction === 'forwards' ? 1 : -1;
  for (let index = startIndex; index >= 0 && index < length; index += step) yield events[index]!;
}

function* filtered(events: Iterable<StoredEvent>, filter: EventFilter | undefined): Generator<StoredEvent> {
  for (const event of events) if (filter === undefined || filter.matches(event)) yield event;
}

async function send(events: Iterable<StoredEvent>, count: number, sink: ResponseSink): Promise<void> {
  let sent = 0;
  for (const event of events) {
    if (sent >= count || sink.signal.aborted) return;
    await sink.send(eventResponse(event));
    sent += 1;
  }
}
