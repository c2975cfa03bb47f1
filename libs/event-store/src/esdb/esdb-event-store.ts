import {
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { DuplicateEventError, StoreUnavailableError } from '../errors.js';
import type {
  AppendRequest,
  AppendResult,
  EventStore,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.js';
import { comparePositions, type Position } from '../position.js';
import { isTransient, toPortError } from './esdb-errors.js';
import { fromEsdbEvent, toEsdbEvent } from './esdb-events.js';
import { EsdbSubscription, SUBSCRIPTION_BATCH } from './esdb-subscription.js';

/** `$all` is read on in pages of at least this many events while a prefix filter applied here skips events. */
const READ_ALL_PAGE = 500;

/**
 * The event store on EventStoreDB through @eventstore/db-client 6.x (gRPC). Streams, revisions, positions and
 * idempotency are the server's own; this class translates. What the server does not give, it says so in
 * `guarantees`: one append is atomic for one stream only, and event ids are checked per stream.
 *
 * Events are stored as `application/octet-stream` so that their bytes, which are Merkle leaves, come back
 * exactly; system streams (`$...`) are never returned.
 */
export class EsdbEventStore implements EventStore {
  readonly guarantees = { atomicAcrossStreams: false, strictEventIds: false };
  private lastCallFailed = false;
  private closing: Promise<void> | undefined;
  private readonly subscriptions = new Set<EsdbSubscription>();
  /** Subscriptions that lost the server and have not caught up with it again. */
  private readonly interrupted = new Set<EsdbSubscription>();
  private readonly reachability = {
    live: (subscription: EsdbSubscription) => this.interrupted.delete(subscription),
    lost: (subscription: EsdbSubscription) => this.interrupted.add(subscription),
  };

  private constructor(private readonly client: EventStoreDBClient) {}

  /** `connectionString`: EventStoreDB's, e.g. `esdb://127.0.0.1:2113?tls=false`. Connects lazily. */
  static connect(connectionString: string): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  /**
   * With a subscription running, it decides: reachable once it has caught up with the server again, so that
   * what the ledger reads (its index, fed by the subscription) is current. Without one, the last call decides.
   */
  get reachable(): boolean {
    if (this.closing !== undefined) return false;
    return this.subscriptions.size > 0 ? this.interrupted.size === 0 : !this.lastCallFailed;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    this.checkOpen();
    if (request.events.length === 0) throw new RangeError(`append to stream "${request.stream}" has no events`);
    const ids = new Set<string>();
    for (const event of request.events) {
      if (ids.has(event.id)) throw new DuplicateEventError(event.id, 'it appears twice in one append');
      ids.add(event.id);
    }
    const result = await this.call(
      request.stream,
      () => this.client.appendToStream(request.stream, request.events.map(toEsdbEvent), { expectedRevision: request.expectedRevision }),
      request,
    );
    // An idempotent retry may come back without a position: the event it names has one.
    const position = result.position ?? (await this.positionOf(request.stream, result.nextExpectedRevision));
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  /**
   * One append per request: those to one stream in order, one after another; different streams at once, since
   * nothing orders them anyway. On a failure the others may be written (`guarantees.atomicAcrossStreams` is false).
   */
  async appendAtomically(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    const results: AppendResult[] = new Array(requests.length);
    const byStream = new Map<string, number[]>();
    requests.forEach((request, i) => {
      const indexes = byStream.get(request.stream);
      if (indexes) indexes.push(i);
      else byStream.set(request.stream, [i]);
    });
    const outcomes = await Promise.allSettled(
      [...byStream.values()].map(async (indexes) => {
        for (const i of indexes) results[i] = await this.append(requests[i]!);
      }),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return results;
  }

  async readStream(stream: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    this.checkOpen();
    if (options.maxCount === 0) return [];
    return this.call(stream, () =>
      collect(
        this.client.readStream(stream, { direction: FORWARDS, fromRevision: options.fromRevision ?? START, maxCount: options.maxCount }),
      ),
    );
  }

  /** The client's `$all` reads take no filter, so the prefix (and the exclusion of system streams) is applied here. */
  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.checkOpen();
    if (!Number.isSafeInteger(options.maxCount) || options.maxCount < 0) {
      throw new RangeError(`maxCount must be a non-negative integer, got ${options.maxCount}`);
    }
    const prefix = options.streamPrefix ?? '';
    const found: RecordedEvent[] = [];
    let from = options.from;
    // Reading on from the last position read returns that event first: it is dropped, and the page is one longer.
    let seen: Position | undefined;
    while (found.length < options.maxCount) {
      // The first page asks for just what is wanted (one event, to read a leaf); the next ones, filtering, for more.
      const wanted = options.maxCount - found.length;
      const pageSize = seen ? Math.max(READ_ALL_PAGE, wanted) + 1 : Math.max(wanted, 1);
      const page = await this.call('$all', () =>
        readAllPage(this.client.readAll({ direction: FORWARDS, fromPosition: from === 'start' ? START : from, maxCount: pageSize }), prefix),
      );
      const fresh = page.events.filter((event) => seen === undefined || comparePositions(event.position, seen) > 0);
      found.push(...fresh.slice(0, options.maxCount - found.length));
      if (page.count < pageSize || page.last === undefined) break;
      from = seen = page.last;
    }
    return found;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.checkOpen();
    const filter =
      options.streamPrefix === undefined ? excludeSystemEvents() : streamNameFilter({ prefixes: [options.streamPrefix] });
    const subscription = new EsdbSubscription(
      // The client's stream buffers 16 objects by default: a batch could never grow past that.
      (from) => this.client.subscribeToAll({ fromPosition: from === 'start' ? START : from, filter }, { highWaterMark: SUBSCRIPTION_BATCH }),
      options,
      handler,
      this.reachability,
    );
    this.subscriptions.add(subscription);
    void subscription.finished.then(() => {
      this.subscriptions.delete(subscription);
      this.interrupted.delete(subscription);
    });
    return subscription;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.client.dispose();
    })();
    return this.closing;
  }

  /** Runs one client call on `stream` (the `append` it makes, if it is one), translating its errors and keeping `reachable` up to date. */
  private async call<T>(stream: string, run: () => Promise<T>, append?: AppendRequest): Promise<T> {
    try {
      const result = await run();
      this.lastCallFailed = false;
      return result;
    } catch (error) {
      this.lastCallFailed = isTransient(error);
      throw toPortError(error, stream, append);
    }
  }

  private async positionOf(stream: string, revision: bigint): Promise<Position> {
    const [event] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`EventStoreDB reported revision ${revision} of stream "${stream}", which it does not return`);
    return event.position;
  }

  private checkOpen(): void {
    if (this.closing) throw new StoreUnavailableError('the event store is closed');
  }
}

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const resolved of read) if (resolved.event) events.push(fromEsdbEvent(resolved.event));
  return events;
}

interface AllPage {
  /** Events of non-system streams starting with the prefix. */
  events: RecordedEvent[];
  /** How many events the page held, system events included, and the position of its last. */
  count: number;
  last: Position | undefined;
}

async function readAllPage(read: AsyncIterable<AllStreamResolvedEvent>, prefix: string): Promise<AllPage> {
  const page: AllPage = { events: [], count: 0, last: undefined };
  for await (const { event } of read) {
    if (event === undefined) continue;
    page.count += 1;
    page.last = event.position;
    // System events are the server's own (and not always binary): skipped before conversion.
    if (!event.streamId.startsWith('$') && event.streamId.startsWith(prefix)) page.events.push(fromEsdbEvent(event));
  }
  return page;
}
