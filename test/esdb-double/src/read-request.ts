/**
 * `Streams/Read` carries four operations, told apart as EventStoreDB's `Streams.Read` does, by the combination of
 * `stream_option` (stream / all), `count_option` (count / subscription), `read_direction` and `filter_option`.
 * Other combinations are refused with INVALID_ARGUMENT, as EventStoreDB refuses them (`InvalidCombination`).
 */
import type { LogPosition } from './event-log.js';
import { eventFilterOf, type EventFilter } from './event-filter.js';
import { ReadReq, type ReadOptions } from './protocol.js';
import { invalidArgument, positionOf, streamNameOf } from './wire.js';

export type Direction = 'forwards' | 'backwards';
export type StreamStart = 'start' | 'end' | { readonly revision: number };
export type AllStart = 'start' | 'end' | LogPosition;

export interface StreamRead {
  readonly kind: 'read_stream';
  readonly streamName: string;
  readonly direction: Direction;
  readonly from: StreamStart;
  readonly count: number;
}

export interface AllRead {
  readonly kind: 'read_all';
  readonly direction: Direction;
  readonly from: AllStart;
  readonly count: number;
  readonly filter: EventFilter | undefined;
}

export interface StreamSubscription {
  readonly kind: 'subscribe_stream';
  readonly streamName: string;
  readonly from: StreamStart;
}

export interface AllSubscription {
  readonly kind: 'subscribe_all';
  readonly from: AllStart;
  readonly filter: EventFilter | undefined;
}

export type ReadPlan = StreamRead | AllRead | StreamSubscription | AllSubscription;

export function readPlanOf(request: ReadReq): ReadPlan {
  const options = request.getOptions();
  if (options === undefined) throw invalidArgument('A read needs its options.');
  const direction = directionOf(options);
  const filterOptions = options.getFilter();
  const filter = filterOptions === undefined ? undefined : eventFilterOf(filterOptions);
  const stream = options.getStream();
  const all = options.getAll();
  if (options.hasCount()) {
    const count = Number(options.getCount());
    if (stream !== undefined && filter === undefined) {
      const streamName = streamNameOf(stream.getStreamIdentifier());
      return { kind: 'read_stream', streamName, direction, from: streamStartOf(stream), count };
    }
    if (all !== undefined) return { kind: 'read_all', direction, from: allStartOf(all), count, filter };
  }
  if (options.hasSubscription() && direction === 'forwards') {
    if (stream !== undefined && filter === undefined) {
      const streamName = streamNameOf(stream.getStreamIdentifier());
      return { kind: 'subscribe_stream', streamName, from: streamStartOf(stream) };
    }
    if (all !== undefined) return { kind: 'subscribe_all', from: allStartOf(all), filter };
  }
  throw invalidArgument(`Invalid combination of read options: ${describe(options)}.`);
}

function directionOf(options: ReadOptions): Direction {
  return options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS ? 'backwards' : 'forwards';
}

function streamStartOf(stream: NonNullable<ReturnType<ReadOptions['getStream']>>): StreamStart {
  if (stream.hasRevision()) return { revision: Number(stream.getRevision()) };
  return stream.hasEnd() ? 'end' : 'start';
}

function allStartOf(all: NonNullable<ReturnType<ReadOptions['getAll']>>): AllStart {
  const position = all.getPosition();
  if (position !== undefined) return positionOf(position);
  return all.hasEnd() ? 'end' : 'start';
}

function describe(options: ReadOptions): string {
  const target = options.hasStream() ? 'stream' : options.hasAll() ? '$all' : 'no target';
  const count = options.hasCount() ? 'count' : options.hasSubscription() ? 'subscription' : 'no count';
  return `${target}, ${count}, ${directionOf(options)}, ${options.hasFilter() ? 'filter' : 'no filter'}`;
}
