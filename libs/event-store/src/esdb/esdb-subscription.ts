import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent, SubscribeOptions, Subscription, SubscriptionHandler } from '../event-store.js';
import type { Position } from '../position.js';
import { isTransient } from './esdb-errors.js';
import { fromEsdbEvent } from './esdb-events.js';

/** Opens the server-side subscription from a position (EXCLUSIVE) or the start. */
export type OpenSubscription = (from: Position | 'start') => AllStreamSubscription;

/** Tells the store when a subscription is live (caught up with the server) and when it lost the server. */
export interface ReachabilityListener {
  live(subscription: EsdbSubscription): void;
  lost(subscription: EsdbSubscription): void;
}

/** The most events one onEvents call gets. */
export const SUBSCRIPTION_BATCH = 1_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * A catch-up subscription to `$all` that survives the server going away: it delivers events in batches as the
 * port requires, and when the connection drops it subscribes again after the last event it delivered, so nothing
 * is skipped or repeated. `onError` hears only what retrying cannot fix (a handler failure, a refusal).
 *
 * The client's stream is read in paused mode (`read()`), so a slow handler leaves events in gRPC's flow control
 * instead of in memory. `caughtUp` arrives as an event of the stream while the events before it may still sit in
 * its buffer: the count of events received by then tells after which batch the end of the log was reached.
 */
export class EsdbSubscription implements Subscription {
  private closing = false;
  /** Aborted by close(): every wait listens to it, and stops listening when it ends (no listener piles up). */
  private readonly closed = new AbortController();
  private current: AllStreamSubscription | undefined;
  /** While onEvents runs up to its first await: a close() then comes from inside it, and must not wait for it. */
  private inHandlerCall = false;
  private caughtUpReported = false;
  readonly finished: Promise<void>;

  constructor(
    private readonly open: OpenSubscription,
    options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
    private readonly reachability: ReachabilityListener,
  ) {
    this.finished = this.run(options.from);
  }

  close(): Promise<void> {
    this.closing = true;
    this.closed.abort();
    this.current?.unsubscribe().catch(() => undefined);
    return this.inHandlerCall ? Promise.resolve() : this.finished;
  }

  private async run(from: Position | 'start'): Promise<void> {
    await Promise.resolve();
    let after = from;
    let retryMs = RETRY_MIN_MS;
    while (!this.closing) {
      try {
        after = await this.follow(after, () => {
          retryMs = RETRY_MIN_MS;
          this.reachability.live(this);
        });
        return;
      } catch (failure) {
        if (this.closing) return;
        const cause = failure instanceof Interrupted ? failure.cause : failure;
        if (failure instanceof HandlerFailure || !(isTransient(cause) || cause instanceof UnavailableEnd)) {
          this.closing = true;
          this.report(failure instanceof HandlerFailure ? failure.cause : cause);
          return;
        }
        this.reachability.lost(this);
        after = failure instanceof Interrupted ? failure.after : after;
        await sleep(retryMs, undefined, { signal: this.closed.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  /**
   * Delivers from one server-side subscription until it ends. Resolves (with the last position delivered) only
   * on close; rejects with `Interrupted` carrying that position when the connection fails.
   */
  private async follow(from: Position | 'start', caughtUp: () => void): Promise<Position | 'start'> {
    const subscription = this.open(from);
    this.current = subscription;
    let after = from;
    let received = 0;
    let caughtUpAfter: number | undefined;
    let failure: unknown;
    let ended = false;
    subscription.on('caughtUp', () => {
      caughtUp();
      caughtUpAfter ??= received + subscription.readableLength;
    });
    subscription.on('error', (error: unknown) => (failure ??= error));
    subscription.on('end', () => (ended = true));
    subscription.on('close', () => (ended = true));
    try {
      while (!this.closing) {
        const batch: RecordedEvent[] = [];
        for (let resolved: AllStreamResolvedEvent | null; batch.length < SUBSCRIPTION_BATCH && (resolved = subscription.read()) !== null; ) {
          received += 1;
          if (resolved.event !== undefined) batch.push(fromEsdbEvent(resolved.event));
        }
        if (batch.length > 0) {
          await this.deliver(batch);
          after = batch[batch.length - 1]!.position;
        }
        if (caughtUpAfter !== undefined && received >= caughtUpAfter && !this.caughtUpReported) {
          this.caughtUpReported = true;
          this.handler.onCaughtUp?.();
        }
        if (batch.length > 0 || subscription.readableLength > 0) continue;
        if (failure !== undefined || ended) break;
        await this.nextSignal(subscription);
      }
    } finally {
      this.current = undefined;
      subscription.unsubscribe().catch(() => undefined);
    }
    if (this.closing) return after;
    throw new Interrupted(after, failure ?? new UnavailableEnd());
  }

  /** Waits for more to read, the end of the log, the end of the stream, or close(). */
  private async nextSignal(subscription: AllStreamSubscription): Promise<void> {
    const stopListening = new AbortController();
    const stop = () => stopListening.abort();
    this.closed.signal.addEventListener('abort', stop);
    const event = (name: string) => once(subscription, name, { signal: stopListening.signal });
    try {
      await Promise.race([event('readable'), event('caughtUp'), event('close'), event('end')]);
    } catch {
      // An 'error' event (the listener in follow() keeps it), or close().
    } finally {
      this.closed.signal.removeEventListener('abort', stop);
      stopListening.abort();
    }
  }

  private async deliver(batch: readonly RecordedEvent[]): Promise<void> {
    this.inHandlerCall = true;
    try {
      const call = this.handler.onEvents(batch);
      this.inHandlerCall = false;
      await call;
    } catch (error) {
      throw new HandlerFailure(error);
    } finally {
      this.inHandlerCall = false;
    }
  }

  private report(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(`subscription failed: ${String(error)}`);
    try {
      if (!this.handler.onError) throw failure;
      this.handler.onError(failure);
    } catch (unhandled) {
      void Promise.reject(unhandled);
    }
  }
}

/** The handler's own failure: never retried. */
class HandlerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('subscription handler failed');
  }
}

/** The server-side subscription failed after delivering up to `after`. */
class Interrupted extends Error {
  constructor(
    readonly after: Position | 'start',
    override readonly cause: unknown,
  ) {
    super(`subscription interrupted: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The server ended a subscription without an error: it went away (a subscription never ends on its own). */
class UnavailableEnd extends Error {
  constructor() {
    super('the server ended the subscription');
  }
}
