import type { Position } from './position.js';

/**
 * The stream state an append requires, checked atomically with the write (EventStoreDB's semantics):
 * - `'any'`: no check;
 * - `'no_stream'`: the stream has no events yet;
 * - `'stream_exists'`: the stream has at least one event;
 * - a bigint `n`: the stream's last event has revision `n` (so the append writes revision `n + 1` onwards).
 * A failed check rejects with `WrongExpectedVersionError` and writes nothing.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** An event to write. `id` (a UUID) identifies it across the whole store and makes retries idempotent. */
export interface EventData {
  id: string;
  type: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

/** An event as stored: its stream, its 0-based revision in that stream, and its place in the global order. */
export interface RecordedEvent extends EventData {
  stream: string;
  revision: bigint;
  position: Position;
}

/** An event's size where pages and batches are bounded in bytes: its data and metadata. */
export function eventBytes(event: EventData): number {
  return event.data.byteLength + event.metadata.byteLength;
}

/** Events to append to one stream, in order, if the stream is in the expected state. */
export interface AppendRequest {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: readonly EventData[];
}

/**
 * What an append wrote: the revision of the last event now in the request's stream (pass it as the next
 * `expectedRevision`) and the global position of the request's last event.
 */
export interface AppendResult {
  nextExpectedRevision: bigint;
  position: Position;
}

/** A forward read of the global order. */
export interface ReadAllOptions {
  /** The first position to return, INCLUSIVE (an event's own position returns that event first), or `'start'`. */
  from: Position | 'start';
  /** At most this many events (after filtering); a non-negative integer. */
  maxCount: number;
  /** Only events of streams whose name starts with this string (e.g. `'identity-'`), compared exactly. */
  streamPrefix?: string;
}

/** Where a subscription to the global order begins. */
export interface SubscribeOptions {
  /** The last position already seen, EXCLUSIVE (the subscription resumes after it), or `'start'`. */
  from: Position | 'start';
  /** Only events of streams whose name starts with this string, compared exactly. */
  streamPrefix?: string;
}

/** Receives a subscription's events. */
export interface SubscriptionHandler {
  /**
   * Events in global order, in batches (never empty). A returned promise is awaited before the next batch
   * (back-pressure), and calls never overlap. A throw or rejection stops the subscription and goes to `onError`.
   * `more` is true when the store already holds events after these: the subscriber is behind the log's end (a
   * store that cannot tell leaves it undefined).
   */
  onEvents(events: readonly RecordedEvent[], more?: boolean): void | Promise<void>;
  /** Called once, after the batches that reach the end of the log for the first time; live events follow. */
  onCaughtUp?(): void;
  /** The error that stopped the subscription (the handler's own, or the store's). Called at most once. */
  onError?(error: Error): void;
}

export interface Subscription {
  /**
   * Stops delivery. Resolves once no `onEvents` call is running (a running call is awaited, none follows).
   * May be called from inside `onEvents` before its first `await`: it then resolves at once and nothing is
   * delivered after that call. After an `await` in `onEvents` it cannot tell that call from another caller and
   * waits for the call to end: there, call it without awaiting it.
   */
  close(): Promise<void>;
}

/**
 * What an adapter guarantees beyond the common contract. EventStoreDB (through @eventstore/db-client 6.x)
 * commits one stream per append and checks event ids the way its server does; the embedded store commits
 * across streams and refuses every reuse of an id. Callers that need the stronger rule check it here.
 */
export interface StoreGuarantees {
  /** `appendAtomically` writes every request or none even when they name different streams. */
  readonly atomicAcrossStreams: boolean;
  /**
   * Every reuse of a stored event id that is not an exact retry is a `DuplicateEventError`: in another stream,
   * out of order, with a gap, or after new events. Without it (EventStoreDB), ids are checked as that server
   * does: within the stream, by the request's first id (a request whose first id is new is written whole).
   */
  readonly strictEventIds: boolean;
}

/**
 * The event store port. Semantics follow EventStoreDB so that its adapter stays thin:
 *
 * Idempotency (EventStoreDB's rule): an append request whose events ALL already exist, with the same ids,
 * in the same stream, at consecutive revisions and in the same order, is a retry: it writes nothing and
 * resolves with the original result (the revision and position of the retried request's last event),
 * whatever its `expectedRevision`. Ids are compared, not contents. One id twice in one request, or a request
 * that starts with stored events and goes on with new ones, rejects with `DuplicateEventError`; so does every
 * other reuse of a stored id where `guarantees.strictEventIds`.
 */
export interface EventStore {
  readonly guarantees: StoreGuarantees;

  /**
   * False while the store is known to be unreachable (a server that stopped answering); true again once a
   * call or a subscription gets through. An embedded store is reachable until closed.
   */
  readonly reachable: boolean;

  /**
   * Appends `request.events` (at least one) to `request.stream` atomically, if the stream is at
   * `request.expectedRevision`. Resolves once the events are durable. Rejects with
   * `WrongExpectedVersionError`, `DuplicateEventError`, or `StoreUnavailableError`.
   * Appends made concurrently are applied one after another in an order the store chooses; each sees the
   * writes of those before it.
   */
  append(request: AppendRequest): Promise<AppendResult>;

  /**
   * Appends the requests, those to one stream in order (a later request sees the writes of an earlier one, so
   * two requests may target the same stream); with `guarantees.atomicAcrossStreams`, all in call order. Resolves with one result per request; rejects with the first failing request's
   * error. With `guarantees.atomicAcrossStreams` nothing of a failed call is written; without it, a request
   * to one stream is still all-or-nothing, but the others of the call may be written.
   */
  appendAtomically(requests: readonly AppendRequest[]): Promise<AppendResult[]>;

  /**
   * Events of one stream, forwards, from revision `fromRevision` (default 0) inclusive, at most `maxCount`
   * (default: all). Rejects with `StreamNotFoundError` when the stream has no events at all; reading past the
   * end of an existing stream resolves with `[]`.
   */
  readStream(stream: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<RecordedEvent[]>;

  /** Events of the global order, forwards, from `options.from` INCLUSIVE; see `ReadAllOptions`. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Delivers every event after `options.from` (EXCLUSIVE) in global order: first the stored ones, in pages,
   * then `onCaughtUp` once, then each new event as it is committed. Pass the position of the last event handled
   * to resume with nothing skipped and nothing repeated.
   */
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;

  /**
   * Writes the appends already requested, stops every subscription (as `Subscription.close`), then releases the
   * store. Later calls reject with `StoreUnavailableError`. Calling it again is harmless.
   */
  close(): Promise<void>;
}
