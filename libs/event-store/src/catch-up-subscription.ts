import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CommitSignal } from './commit-signal.js';
import type { RecordedEvent, SubscribeOptions, Subscription, SubscriptionHandler } from './event-store.js';
import type { Position } from './position.js';

/**
 * The next page of the global order strictly after `after`, unfiltered, in order, never empty unless the log ends
 * there. `full`: the page stopped at the reader's bound, not at the end of the log, so more may follow at once.
 */
export type PageReader = (after: Position | 'start') => { events: RecordedEvent[]; full: boolean };

/**
 * A subscription over a store that can be read by position and signals its commits in-process: it reads pages
 * until one comes back short (the end of the log), then sleeps until the next commit, and so on. One loop per
 * subscription, so handler calls never overlap and a slow handler simply delays the next read (back-pressure).
 */
export class CatchUpSubscription implements Subscription {
  private closing = false;
  /** Ends the current sleep (see sleepUntilCommit). */
  private wakeUp: (() => void) | undefined;
  /** While onEvents runs up to its first await: a close() then comes from inside it, and must not wait for it. */
  private inHandlerCall = false;
  /** Settles when the loop has stopped; never rejects. */
  readonly finished: Promise<void>;

  constructor(
    private readonly readPage: PageReader,
    private readonly commits: CommitSignal,
    options: SubscribeOptions,
    private readonly handler: SubscriptionHandler,
  ) {
    this.finished = this.run(options.from, options.streamPrefix);
  }

  close(): Promise<void> {
    this.closing = true;
    this.wakeUp?.();
    return this.inHandlerCall ? Promise.resolve() : this.finished;
  }

  private async run(from: Position | 'start', streamPrefix: string | undefined): Promise<void> {
    // Let subscribeToAll return before the first delivery, so a handler can already use the subscription.
    await Promise.resolve();
    let after = from;
    let caughtUp = false;
    // A batch is delivered once the next one is read (more follow) or the end of the log is reached (none do), so
    // that `more` never promises events that are not there.
    let held: RecordedEvent[] | undefined;
    try {
      while (!this.closing) {
        const generation = this.commits.generation;
        const { events: page, full } = this.readPage(after);
        const last = page.at(-1);
        if (last !== undefined) after = last.position;
        const batch = streamPrefix === undefined ? page : page.filter((event) => event.stream.startsWith(streamPrefix));
        if (batch.length > 0) {
          const earlier = held;
          held = batch;
          if (earlier) await this.deliver(earlier, true);
        }
        if (this.closing) break;
        if (full) {
          // Reading and handling a backlog alone never leaves the microtask queue: let timers, I/O and messages
          // (a request to stop, above all) run between pages.
          await nextTurn();
          continue;
        }
        if (held) {
          const latest = held;
          held = undefined;
          await this.deliver(latest, false);
          if (this.closing) break;
        }
        if (!caughtUp) {
          caughtUp = true;
          this.handler.onCaughtUp?.();
        }
        // A commit during the read or the handler call means the log may already be longer than what was read.
        if (this.commits.generation === generation) await this.sleepUntilCommit();
      }
    } catch (error) {
      this.closing = true;
      this.report(error instanceof Error ? error : new Error(`subscription handler failed: ${String(error)}`));
    }
  }

  /**
   * Until the next commit or close(). Not Promise.race against a promise settled only by close(): each race would
   * leave a reaction on that promise for the life of the subscription, about 500 bytes a commit.
   */
  private sleepUntilCommit(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      void this.commits.next().then(resolve);
    }).finally(() => (this.wakeUp = undefined));
  }

  private async deliver(batch: readonly RecordedEvent[], more: boolean): Promise<void> {
    let call: void | Promise<void>;
    this.inHandlerCall = true;
    try {
      call = this.handler.onEvents(batch, more);
    } finally {
      this.inHandlerCall = false;
    }
    await call;
  }

  /** Without `onError` (or when it throws), the error surfaces as an unhandled rejection rather than vanishing. */
  private report(error: Error): void {
    try {
      if (!this.handler.onError) throw error;
      this.handler.onError(error);
    } catch (unhandled) {
      void Promise.reject(unhandled);
    }
  }
}
