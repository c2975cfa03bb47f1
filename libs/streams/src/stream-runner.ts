import { ExponentialBackoff, handleAll, retry, type RetryPolicy } from 'cockatiel';
import type { Hash } from '@trailmark/proofs';
import { checkOutboundAddress } from './outbound-address.js';
import { openSink } from './open-sink.js';
import type { LogSource, StreamCheckpoint } from './log-source.js';
import { formatRecord, type RecordContext } from './record-format.js';
import type { Sink, SinkPayload } from './sinks/sink.js';
import type { StreamDefinition, StreamProgress } from './stream-definition.js';
import { filterActions, streamCarries } from './stream-filter.js';
import { batchTrailer, readRecord, type StreamBatch, type StreamRecord } from './stream-record.js';
import type { StreamStore } from './stream-store.js';

export interface RetrySettings {
  /** The first retry's delay; each next one about doubles, with jitter (cockatiel's decorrelated jitter). */
  readonly initialDelayMs: number;
  /** No delay is longer; once a batch's attempts are spent, the stream is failing and tries again this often. */
  readonly maxDelayMs: number;
  /** Attempts of one batch before the stream is marked failing. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetrySettings = { initialDelayMs: 200, maxDelayMs: 30_000, maxAttempts: 6 };

export interface StreamRunnerOptions {
  readonly store: StreamStore;
  readonly source: LogSource;
  readonly context: RecordContext;
  readonly retry?: RetrySettings;
  readonly allowPrivate: boolean;
  /** At most this many leaves read per batch, matching or not (default 10,000): a rare filter still closes ranges. */
  readonly scanLeaves?: number;
  /**
   * A stream's attempts are spent (it is failing), or an error not the sink's stopped its attempt; `turned`
   * when it was not failing before (once until a batch is taken again).
   */
  readonly onFailing?: (stream: StreamDefinition, error: Error, turned: boolean) => void;
}

/** A stream as `/metrics` and the API show it. */
export interface StreamState {
  readonly progress: StreamProgress;
  readonly status: 'active' | 'paused' | 'failing';
}

/**
 * Runs every stream: one delivery loop each, beside ingest (it only reads the log), from the stream's stored
 * cursor. A loop reads the leaves after its cursor up to the latest signed checkpoint, keeps those of its
 * tenant and filter, and hands them to its sink as one batch; the cursor moves past a batch only once the sink
 * took it. A failed batch is retried with exponential backoff and jitter, then forever at the longest delay
 * with the stream marked failing: it never skips a leaf.
 */
export class StreamRunner {
  private readonly loops = new Map<string, StreamLoop>();
  private stopped = false;

  constructor(private readonly options: StreamRunnerOptions) {}

  /** Starts a loop for every stored stream. */
  start(): void {
    for (const definition of this.options.store.list()) this.ensure(definition.id);
  }

  /** A stream was created, changed, paused, resumed or replayed: its loop starts over from the stored state. */
  changed(id: string): void {
    if (this.stopped) return;
    const loop = this.loops.get(id);
    if (loop) loop.restart();
    else this.ensure(id);
  }

  /** A stream was deleted: its loop ends after the attempt in flight. */
  async removed(id: string): Promise<void> {
    const loop = this.loops.get(id);
    this.loops.delete(id);
    await loop?.stop();
  }

  state(id: string): StreamState | undefined {
    const definition = this.options.store.get(id);
    const progress = this.options.store.progress(id);
    if (!definition || !progress) return undefined;
    return { progress, status: definition.paused ? 'paused' : progress.failing ? 'failing' : 'active' };
  }

  /** Sends a batch with no records (its trailer marked `test`) through a fresh sink; rejects with the receiver's error. */
  async test(id: string): Promise<void> {
    const definition = this.options.store.get(id);
    const checkpoint = this.options.source.latestCheckpoint();
    if (!definition || !checkpoint) throw new Error(definition ? 'the log has no signed checkpoint yet' : `no stream ${id}`);
    await checkOutboundAddress(definition.sink, this.options.allowPrivate);
    const sink = openSink(definition.sink, this.options.store.secretOf(id));
    try {
      const at = checkpoint.size;
      const batch: StreamBatch = { ...batchShape(definition, at, at, checkpoint, [], []), test: true };
      await sink.deliver({ batch, records: [], trailer: batchTrailer(batch) });
    } finally {
      await sink.close();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((loop) => loop.stop()));
  }

  private ensure(id: string): void {
    if (this.loops.has(id)) return;
    const loop = new StreamLoop(id, this.options);
    this.loops.set(id, loop);
    loop.start();
  }
}

function batchShape(
  definition: StreamDefinition,
  from: bigint,
  to: bigint,
  checkpoint: StreamCheckpoint,
  records: StreamRecord[],
  proof: readonly Hash[],
): StreamBatch {
  const actions = filterActions(definition.filter);
  const outcomes = definition.filter.outcomes ?? [];
  return {
    streamId: definition.id,
    tenant: definition.tenant,
    from,
    to,
    checkpoint,
    records,
    proof,
    filter: { ...(actions && { actions }), ...(outcomes.length > 0 && { outcomes }) },
  };
}

const READ_PAGE = 1000;

interface PreparedBatch {
  readonly payload?: SinkPayload;
  /** The leaves read end here. */
  readonly scannedTo: bigint;
}

/** One stream's delivery loop. */
class StreamLoop {
  private controller = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private ended = false;
  private readonly retry: RetrySettings;

  constructor(
    private readonly id: string,
    private readonly options: StreamRunnerOptions,
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  start(): void {
    this.running = this.run(this.controller.signal);
  }

  /** Abandons the attempt in flight (its batch is sent again) and reads the stream's state afresh. */
  restart(): void {
    this.controller.abort();
    this.wakeUp?.();
    const previous = this.running;
    this.controller = new AbortController();
    const signal = this.controller.signal;
    this.running = previous.then(() => (this.ended ? undefined : this.run(signal)));
  }

  async stop(): Promise<void> {
    this.ended = true;
    this.controller.abort();
    this.wakeUp?.();
    await this.running;
  }

  /** Until stopped or restarted: an error that is not the sink's (a leaf unreadable, the store away) is retried too. */
  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if ((await this.deliverAll(signal)) === 'deleted') return;
      } catch (error) {
        if (signal.aborted) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        const turned = this.options.store.progress(this.id)?.failing === false;
        this.options.store.recordFailure(this.id, failure.message, true);
        const definition = this.options.store.get(this.id);
        if (!definition) return;
        this.options.onFailing?.(definition, failure, turned);
        await this.sleep(signal, delay(this.retry.maxDelayMs));
      }
    }
  }

  private async deliverAll(signal: AbortSignal): Promise<'deleted' | 'stopped'> {
    const { store, source } = this.options;
    let sink: Sink | undefined;
    let policy: RetryPolicy | undefined;
    let ahead: { cursor: bigint; prepared: Promise<PreparedBatch> } | undefined;
    try {
      while (!signal.aborted) {
        const definition = store.get(this.id);
        const progress = store.progress(this.id);
        if (!definition || !progress) return 'deleted';
        if (definition.paused) {
          await this.sleep(signal);
          continue;
        }
        const checkpoint = source.latestCheckpoint();
        if (!checkpoint || checkpoint.size <= progress.cursor) {
          await this.sleep(signal, source.waitForCheckpoint((checkpoint?.size ?? progress.cursor) + 1n));
          continue;
        }
        if (!sink) {
          await checkOutboundAddress(definition.sink, this.options.allowPrivate);
          sink = openSink(definition.sink, store.secretOf(this.id));
          policy = this.retryPolicy(definition);
        }
        const prepared = ahead?.cursor === progress.cursor && progress.rangeStart === progress.cursor ? await ahead.prepared : await this.prepare(definition, progress, checkpoint, sink.maxRecords);
        ahead = undefined;
        if (!prepared.payload) {
          store.skip(this.id, prepared.scannedTo);
          continue;
        }
        const { payload } = prepared;
        const { batch } = payload;
        // The next batch is read, proven and formatted while this one is on its way, as if it will be taken:
        // the receiver's round trip hides the reading. It is dropped unless the cursor lands where it starts.
        const latest = source.latestCheckpoint();
        if (latest && latest.size > batch.to) {
          const following: StreamProgress = { ...progress, cursor: batch.to, rangeStart: batch.to };
          ahead = { cursor: batch.to, prepared: this.prepare(definition, following, latest, sink.maxRecords) };
          ahead.prepared.catch(() => {}); // a failure surfaces where it is awaited, or not at all when dropped
        }
        const delivering = sink;
        const delivered = await this.deliverUntilTaken(definition, policy!, () => delivering.deliver(payload), signal);
        if (delivered && !signal.aborted) store.advance(this.id, batch.to, batch.records.length, new Date().toISOString());
      }
      return 'stopped';
    } finally {
      await sink?.close().catch(() => {});
    }
  }

  /** The next batch in the stream's format, ready to send; no payload when none of the leaves read is carried. */
  private async prepare(definition: StreamDefinition, progress: StreamProgress, checkpoint: StreamCheckpoint, maxRecords: number): Promise<PreparedBatch> {
    const { batch, scannedTo } = await this.nextBatch(definition, progress, checkpoint, maxRecords);
    if (!batch) return { scannedTo };
    const records = batch.records.map((record) => formatRecord(definition.format, record, this.options.context));
    return { scannedTo, payload: { batch, records, trailer: batchTrailer(batch) } };
  }

  /**
   * The leaves after the cursor up to the checkpoint (at most scanLeaves of them), those the stream carries
   * made into a batch that starts where the last delivered one ended. No batch when none of them is carried.
   */
  private async nextBatch(
    definition: StreamDefinition,
    progress: StreamProgress,
    checkpoint: StreamCheckpoint,
    maxRecords: number,
  ): Promise<{ batch?: StreamBatch; scannedTo: bigint }> {
    const scanLimit = BigInt(this.options.scanLeaves ?? 10_000);
    const end = checkpoint.size - progress.cursor > scanLimit ? progress.cursor + scanLimit : checkpoint.size;
    const records: StreamRecord[] = [];
    let at = progress.cursor;
    while (at < end && records.length < maxRecords) {
      const leaves = await this.options.source.leaves(at, READ_PAGE, end);
      if (leaves.length === 0) throw new Error(`the log holds no leaf ${at} below its checkpoint of size ${checkpoint.size}`);
      for (const leaf of leaves) {
        at = leaf.leafIndex + 1n;
        const record = readRecord(leaf);
        if (!streamCarries(definition.tenant, definition.filter, record.envelope)) continue;
        records.push(record);
        if (records.length === maxRecords) break;
      }
    }
    if (records.length === 0) return { scannedTo: at };
    const proof = this.options.source.proveBatch(records.map((record) => record.leafIndex), checkpoint.size);
    return { batch: batchShape(definition, progress.rangeStart, at, checkpoint, records, proof), scannedTo: at };
  }

  /** Retries with backoff; once the attempts are spent, marks the stream failing and starts over at the longest delay. */
  private async deliverUntilTaken(definition: StreamDefinition, policy: RetryPolicy, attempt: () => Promise<void>, signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      try {
        await policy.execute(() => attempt(), signal);
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        const failure = error instanceof Error ? error : new Error(String(error));
        const turned = this.options.store.progress(this.id)?.failing === false;
        this.options.store.markFailing(this.id, failure.message);
        this.options.onFailing?.(definition, failure, turned);
        await this.sleep(signal, delay(this.retry.maxDelayMs));
      }
    }
    return false;
  }

  private retryPolicy(definition: StreamDefinition): RetryPolicy {
    const policy = retry(handleAll, {
      maxAttempts: this.retry.maxAttempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: this.retry.initialDelayMs, maxDelay: this.retry.maxDelayMs }),
    });
    policy.onFailure(({ reason }) => {
      if ('error' in reason) this.options.store.recordFailure(definition.id, (reason.error as Error).message ?? String(reason.error), false);
    });
    return policy;
  }

  /** Until woken (a change, a stop), or `until` settles. */
  private sleep(signal: AbortSignal, until?: Promise<unknown>): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      until?.then(
        () => resolve(),
        () => resolve(),
      );
    }).finally(() => (this.wakeUp = undefined));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
