import { StoreUnavailableError, type EventStore, type Position, type RecordedEvent } from '@trailmark/event-store';
import { ServerClock, type ClockStatus, type ServerClockOptions } from '../clock.js';
import { decodeEventMetadata, encodeEventMetadata } from '../stored-event.js';
import { IDENTITY_STREAM_PREFIX, isRetryOf, parseEnvelope, prepareEvent, type Envelope, type PreparedEvent } from '../envelope.js';
import { RecordingInterruptedError, EventIdConflictError, InvalidEventError, SecretFieldError } from '../errors.js';
import { newEventId } from '../ids.js';
import { parseIdentityEventInput, type IdentityEventInput } from '../schema.js';
import { findSecretFields } from '../secrets.js';
import { isReservedAction } from '../vocabulary.js';
import type { LeafFinder, LeafLocation, LeafWaiter } from './leaf-ports.js';
import type { Receipt } from './receipt.js';
import { TenantNotAllowedError, tenantAllowed, type TenantScope } from './tenant-access.js';

export const IDENTITY_EVENT_TYPE = 'IdentityEvent';

export interface RecordedIdentityEvent {
  readonly receipt: Receipt;
  readonly envelope: Envelope;
}

/**
 * The write path of DESIGN.md in plain code, for the command handlers and for tests without Nest:
 * validate everything first (a batch is all or nothing), stamp server time, commit the detail,
 * refuse secrets, append, and answer once the sequencer has integrated the events.
 */
export class EventRecorder {
  private clock: ServerClock;
  /** Why the last append failed, while the store is reachable and no append has committed since. */
  private failedAppend: StoreUnavailableError | undefined;
  /** Client ids being recorded right now (as idKey gives them), and the recording that holds each. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: EventStore,
    private readonly sequencer: LeafWaiter,
    private readonly index: LeafFinder,
    /** How server time treats steps of the wall clock, and whom it tells (clock.ts). */
    private readonly clockOptions: Pick<ServerClockOptions, 'stepBoundMs' | 'onStep' | 'readings'> = {},
  ) {
    this.clock = new ServerClock(clockOptions);
  }

  /** Set while appends fail on a store that is reachable (a full disk): cleared by the next append that commits. */
  get appendFailure(): Error | undefined {
    return this.failedAppend;
  }

  /**
   * Once the sequencer caught up: server time continues after the newest event's, unless that event is
   * stamped more than the clock's step bound ahead of it (ServerClock, `after`).
   */
  async resumeClock(): Promise<void> {
    this.clock = new ServerClock({ ...this.clockOptions, after: await this.lastRecordedTime() });
  }

  /** Whether the wall clock has stepped away from server time, read now. */
  clockStatus(): ClockStatus {
    return this.clock.status();
  }

  /**
   * Records `bodies` (request bodies, still unvalidated) atomically, for a client: what HTTP and the
   * CommandBus commands send. `pathPrefix(i)` names body i in errors ("" for a single event, "events[3]"
   * in a batch). Reserved actions (vocabulary.ts, isReservedAction) are refused with an
   * InvalidEventError naming `<prefix>.action`: only the service records them.
   */
  record(bodies: readonly unknown[], tenants: TenantScope, pathPrefix: (i: number) => string): Promise<RecordedIdentityEvent[]> {
    return this.recordFrom('client', bodies, tenants, pathPrefix);
  }

  /**
   * Records events the service itself decided (read audits, alerts, configuration changes): the one way
   * to write reserved actions such as `audit_log.read` or `alert.raised`. Server code calls it directly
   * on the recorder (LedgerCore.recorder); no command and no request body leads here. Every tenant may
   * be written; otherwise the bodies are validated, stamped and stored exactly as `record` does.
   */
  recordForService(bodies: readonly unknown[], pathPrefix: (i: number) => string): Promise<RecordedIdentityEvent[]> {
    return this.recordFrom('service', bodies, '*', pathPrefix);
  }

  private async recordFrom(
    origin: Origin,
    bodies: readonly unknown[],
    tenants: TenantScope,
    pathPrefix: (i: number) => string,
  ): Promise<RecordedIdentityEvent[]> {
    const inputs = bodies.map((body, i) => validate(body, origin, tenants, pathPrefix(i)));
    refuseRepeatedIds(inputs, pathPrefix);
    const ids = inputs.flatMap((input) => (input.id === undefined ? [] : [idKey(input.tenant, input.id)]));
    // Requests that share a client id (in one tenant) run one after the other, so the later one finds the earlier in
    // the log and answers as a retry or a conflict before it appends anything: a batch is never
    // partly stored because one of its ids raced another request.
    for (let busy = this.busyWith(ids); busy.length > 0; busy = this.busyWith(ids)) await Promise.allSettled(busy);
    const run = this.recordValidated(inputs);
    for (const id of ids) this.inFlight.set(id, run);
    try {
      return await run;
    } finally {
      for (const id of ids) if (this.inFlight.get(id) === run) this.inFlight.delete(id);
    }
  }

  private busyWith(ids: readonly string[]): Promise<unknown>[] {
    return ids.flatMap((id) => this.inFlight.get(id) ?? []);
  }

  private async recordValidated(inputs: readonly IdentityEventInput[]): Promise<RecordedIdentityEvent[]> {
    // Nothing is stored that could not be acknowledged.
    if (this.sequencer.failure) throw this.sequencer.failure;
    // While the store is out of reach, the ledger index may lag behind it and miss a retry's earlier event.
    if (!this.store.reachable) throw new StoreUnavailableError('the event store is unreachable; nothing was stored');
    const existing = await Promise.all(inputs.map((input) => this.findRecorded(input)));
    const fresh = inputs.flatMap((input, i) => (existing[i] ? [] : [{ input, i }]));
    // Stamp the time and append in the same turn, so that server time follows the store's order.
    const prepared = fresh.map(({ input }) => prepareEvent(input, this.clock.now(), input.id ?? newEventId()));
    const ids = existing.map((found) => found?.receipt.id);
    fresh.forEach(({ i }, j) => (ids[i] = prepared[j]!.id));
    const positions = await this.appendAll(prepared).then(
      (appended) => {
        this.failedAppend = undefined;
        return appended;
      },
      (error: unknown) => {
        // A store that is reachable but cannot commit (a full disk): not ready until an append commits again.
        if (error instanceof StoreUnavailableError && this.store.reachable) this.failedAppend = error;
        throw this.store.guarantees.atomicAcrossStreams ? error : new RecordingInterruptedError(ids as string[], error);
      },
    );
    const results = existing.slice();
    await Promise.all(
      prepared.map(async (event, j) => {
        const leaf = await this.sequencer.waitForLeaf(event.storeId, positions[j]);
        results[fresh[j]!.i] = { receipt: { id: event.id, leafIndex: leaf.leafIndex, time: event.envelope.time, created: true }, envelope: event.envelope };
      }),
    ).catch((error: unknown) => {
      // Appended, not integrated (the sequencer failed or stopped): the events are stored; a retry by id finds them.
      throw new RecordingInterruptedError(ids as string[], error);
    });
    return results as RecordedIdentityEvent[];
  }

  /**
   * Appends one request per event where the store commits across streams (the batch's order is the log's); else
   * one request per stream, each all or nothing. Resolves with each event's position where the store gave it
   * (the last event of a request), undefined for the others.
   */
  private async appendAll(prepared: readonly PreparedEvent[]): Promise<(Position | undefined)[]> {
    let requests = prepared.map((event) => [event]);
    if (!this.store.guarantees.atomicAcrossStreams) {
      const byStream = new Map<string, PreparedEvent[]>();
      for (const event of prepared) {
        const group = byStream.get(event.stream);
        if (group) group.push(event);
        else byStream.set(event.stream, [event]);
      }
      requests = [...byStream.values()];
    }
    const results = await this.store.appendAtomically(
      requests.map((events) => ({
        stream: events[0]!.stream,
        expectedRevision: 'any' as const,
        events: events.map((event) => ({ id: event.storeId, type: IDENTITY_EVENT_TYPE, data: event.leaf, metadata: encodeEventMetadata(event) })),
      })),
    );
    const positionOfLast = new Map(requests.map((events, r) => [events.at(-1)!.storeId, results[r]!.position]));
    return prepared.map((event) => positionOfLast.get(event.storeId));
  }

  /** The stored event of an integrated leaf. */
  async readLeaf(leaf: LeafLocation): Promise<RecordedEvent> {
    const [event] = await this.store.readAll({ from: leaf.position, maxCount: 1, streamPrefix: IDENTITY_STREAM_PREFIX });
    if (!event || event.id !== leaf.eventId) {
      throw new Error(`the store has no event ${leaf.eventId} at the position the ledger index gives for leaf ${leaf.leafIndex}`);
    }
    return event;
  }

  /**
   * A client-chosen id already in the log of the input's tenant: the same content is a retry, other content a
   * conflict. Ids are per tenant: another tenant's use of the id is neither seen nor read.
   */
  private async findRecorded(input: IdentityEventInput): Promise<RecordedIdentityEvent | undefined> {
    if (input.id === undefined) return undefined;
    const leaf = this.index.leafOfEvent(input.tenant, input.id);
    return leaf && this.compare(input, input.id, leaf);
  }

  private async compare(input: IdentityEventInput, id: string, leaf: LeafLocation): Promise<RecordedIdentityEvent> {
    const stored = await this.readLeaf(leaf);
    if (!isRetryOf(input, stored.data, decodeEventMetadata(stored.metadata).salt)) throw new EventIdConflictError(id);
    const envelope = parseEnvelope(stored.data);
    return { receipt: { id, leafIndex: leaf.leafIndex, time: envelope.time, created: false }, envelope };
  }

  private async lastRecordedTime(): Promise<string | undefined> {
    const count = this.index.leafCount();
    const leaf = count > 0n ? this.index.leafAt(count - 1n) : undefined;
    return leaf && parseEnvelope((await this.readLeaf(leaf)).data).time;
  }
}

/** Who asks to record: a client of the ledger, or the service itself (the only writer of reserved actions). */
type Origin = 'client' | 'service';

function validate(body: unknown, origin: Origin, tenants: TenantScope, path: string): IdentityEventInput {
  const input = parseIdentityEventInput(body, path);
  if (origin === 'client' && isReservedAction(input.action)) {
    const field = join(path, 'action');
    throw new InvalidEventError(field, `${field} "${input.action}" is reserved: only the service itself records it`);
  }
  const secrets = findSecretFields(input);
  if (secrets.length > 0) throw new SecretFieldError(secrets.map((field) => join(path, field)));
  if (!tenantAllowed(tenants, input.tenant)) throw new TenantNotAllowedError(input.tenant, join(path, 'tenant'));
  return input;
}

function refuseRepeatedIds(inputs: readonly IdentityEventInput[], pathPrefix: (i: number) => string): void {
  const seen = new Map<string, number>();
  inputs.forEach((input, i) => {
    if (input.id === undefined) return;
    const key = idKey(input.tenant, input.id);
    const first = seen.get(key);
    if (first !== undefined) {
      const field = join(pathPrefix(i), 'id');
      throw new InvalidEventError(field, `${field} ${input.id} repeats ${join(pathPrefix(first), 'id')}`);
    }
    seen.set(key, i);
  });
}

/** An event id is an idempotency key of one tenant. Tenants contain no "\n". */
function idKey(tenant: string, id: string): string {
  return `${tenant}\n${id}`;
}


function join(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}
