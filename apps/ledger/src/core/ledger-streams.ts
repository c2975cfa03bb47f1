import { newEventId, type EventRecorder } from '@trailmark/domain';
import type { LedgerIndex } from '@trailmark/sequencer';
import type { EventStore } from '@trailmark/event-store';
import type { Hash, LeafSpan } from '@trailmark/proofs';
import {
  LedgerLogSource,
  SqliteStreamStore,
  StreamRunner,
  checkOutboundAddress,
  parseChangeStream,
  parseCreateStream,
  type StreamCheckpoint,
  type StreamDefinition,
  type StreamState,
} from '@trailmark/streams';
import type { StreamSettings } from '../stream-settings.js';
import { recordStreamChanges, type StreamAction } from './stream-audit.js';

/** A stream as the API shows it: its public configuration and where it stands. Never its secret. */
export interface StreamView extends StreamDefinition {
  readonly status: StreamState['status'];
  readonly cursor: number;
  readonly rangeStart: number;
  readonly lag: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
}

export interface LedgerStreamParts {
  readonly dataDir: string;
  readonly settings: StreamSettings;
  readonly store: EventStore;
  readonly index: LedgerIndex;
  readonly tree: { readonly size: bigint; spanHashes(spans: readonly LeafSpan[], size: bigint): Hash[] };
  readonly recorder: EventRecorder;
  readonly latestCheckpoint: () => StreamCheckpoint | undefined;
  readonly waitForCheckpoint: (size: bigint) => Promise<StreamCheckpoint>;
  readonly product: { readonly name: string; readonly vendorName: string; readonly version: string };
  readonly logName: string;
  readonly onFailing: (stream: StreamDefinition, error: Error, turned: boolean) => void;
}

/** No such stream in that tenant. */
export class StreamNotFoundError extends Error {}

/**
 * The ledger's log streams: the API's operations (each change recorded as a stream.* event before it is
 * applied) over the stream store (`streams.db`, secrets included) and the runner that delivers.
 */
export class LedgerStreams {
  private readonly streams: SqliteStreamStore;
  private readonly runner: StreamRunner;

  constructor(private readonly parts: LedgerStreamParts) {
    this.streams = SqliteStreamStore.open(parts.dataDir);
    const source = new LedgerLogSource(parts);
    this.runner = new StreamRunner({
      store: this.streams,
      source,
      context: { product: parts.product, logName: parts.logName },
      allowPrivate: parts.settings.allowPrivate,
      retry: { initialDelayMs: parts.settings.retryInitialMs, maxDelayMs: parts.settings.retryMaxMs, maxAttempts: parts.settings.retryAttempts },
      onFailing: parts.onFailing,
    });
  }

  start(): void {
    this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    this.streams.close();
  }

  list(tenant?: string): StreamView[] {
    return this.streams.list(tenant).map((definition) => this.view(definition));
  }

  get(tenant: string, id: string): StreamView {
    return this.view(this.definition(tenant, id));
  }

  /** Throws StreamRequestError, OutboundAddressError or RangeError (a start leaf beyond the tree) before anything is stored. */
  async create(actor: { readonly name: string }, tenant: string, body: unknown): Promise<StreamView> {
    const request = parseCreateStream(body);
    await checkOutboundAddress(request.sink, this.parts.settings.allowPrivate);
    const size = this.parts.tree.size;
    const cursor = request.start === 'now' ? size : BigInt(request.start.leaf);
    if (cursor > size) throw new RangeError(`start.leaf ${cursor} is beyond the log's ${size} leaves`);
    const definition: StreamDefinition = {
      id: newEventId(),
      tenant,
      name: request.name,
      sink: request.sink,
      format: request.format,
      filter: request.filter,
      paused: request.paused,
      createdAt: new Date().toISOString(),
    };
    await this.record(actor, definition, [{ action: 'stream.created', metadata: { stream: publicFields(definition), startLeaf: Number(cursor) } }]);
    this.streams.create(definition, request.secret, cursor);
    this.runner.changed(definition.id);
    return this.view(definition);
  }

  async change(actor: { readonly name: string }, tenant: string, id: string, body: unknown): Promise<StreamView> {
    const current = this.definition(tenant, id);
    const request = parseChangeStream(body, { ...current, hasSecret: this.streams.secretOf(id) !== undefined });
    if (request.sink) await checkOutboundAddress(request.sink, this.parts.settings.allowPrivate);
    const { secret, ...fields } = request;
    const next: StreamDefinition = { ...current, ...fields };
    const changes: { action: StreamAction; metadata: Record<string, unknown> }[] = [];
    const { paused, ...configuration } = fields;
    if (Object.keys(configuration).length > 0 || secret !== undefined) {
      // Which fields changed, by name; the secret only as "replaced", never its value.
      changes.push({ action: 'stream.changed', metadata: { changed: configuration, ...(secret !== undefined && { replacedFields: ['secret'] }) } });
    }
    if (paused !== undefined && paused !== current.paused) changes.push({ action: paused ? 'stream.paused' : 'stream.resumed', metadata: {} });
    if (changes.length > 0) await this.record(actor, current, changes);
    const sinkReplaced = request.sink !== undefined && request.sink.type !== current.sink.type;
    this.streams.update(next, secret ?? (sinkReplaced ? null : undefined));
    this.runner.changed(id);
    return this.view(next);
  }

  async remove(actor: { readonly name: string }, tenant: string, id: string): Promise<void> {
    const current = this.definition(tenant, id);
    const progress = this.streams.progress(id);
    await this.record(actor, current, [{ action: 'stream.deleted', metadata: { cursor: Number(progress?.cursor ?? 0n) } }]);
    await this.runner.removed(id);
    this.streams.delete(id);
  }

  /** Delivery starts over from leaf `from` (at most the tree size): everything after it is sent again. */
  async replay(actor: { readonly name: string }, tenant: string, id: string, from: bigint): Promise<StreamView> {
    const current = this.definition(tenant, id);
    const size = this.parts.tree.size;
    if (from > size) throw new RangeError(`from ${from} is beyond the log's ${size} leaves`);
    await this.record(actor, current, [{ action: 'stream.replayed', metadata: { from: Number(from) } }]);
    this.streams.resetCursor(id, from);
    this.runner.changed(id);
    return this.view(current);
  }

  /** Sends a batch without records; resolves with the receiver's error, if any. */
  async test(actor: { readonly name: string }, tenant: string, id: string): Promise<{ delivered: boolean; error?: string }> {
    const current = this.definition(tenant, id);
    let outcome: { delivered: boolean; error?: string };
    try {
      await this.runner.test(id);
      outcome = { delivered: true };
    } catch (error) {
      outcome = { delivered: false, error: (error as Error).message };
    }
    await this.record(actor, current, [{ action: 'stream.tested', metadata: { delivered: outcome.delivered } }]);
    return outcome;
  }

  private record(actor: { readonly name: string }, stream: StreamDefinition, changes: { action: StreamAction; metadata: Record<string, unknown> }[]): Promise<void> {
    return recordStreamChanges(this.parts.recorder, actor, stream.tenant, stream.id, changes);
  }

  private definition(tenant: string, id: string): StreamDefinition {
    const definition = this.streams.get(id);
    if (!definition || definition.tenant !== tenant) throw new StreamNotFoundError(`tenant ${tenant} has no stream ${id}`);
    return definition;
  }

  private view(definition: StreamDefinition): StreamView {
    const state = this.runner.state(definition.id);
    const progress = state?.progress;
    const size = this.parts.tree.size;
    const cursor = progress?.cursor ?? 0n;
    return {
      ...definition,
      status: state?.status ?? 'active',
      cursor: Number(cursor),
      rangeStart: Number(progress?.rangeStart ?? 0n),
      lag: Number(size > cursor ? size - cursor : 0n),
      delivered: Number(progress?.delivered ?? 0n),
      failedAttempts: Number(progress?.failedAttempts ?? 0n),
      lastSuccessAt: progress?.lastSuccessAt ?? null,
      lastError: progress?.lastError ?? null,
    };
  }
}

/** What a stream.created event records of the stream: everything but timestamps it already has. */
function publicFields(definition: StreamDefinition): Record<string, unknown> {
  const { id: _id, createdAt: _createdAt, ...rest } = definition;
  return rest as unknown as Record<string, unknown>;
}
