/**
 * Tells in-process readers that the store committed new events. `generation` counts commits, so a reader that
 * noted it before a read can tell whether it may have missed one, instead of waiting for a wake-up that
 * already happened.
 */
export class CommitSignal {
  private count = 0;
  private waiters: (() => void)[] = [];

  get generation(): number {
    return this.count;
  }

  /** Resolves at the next `notify()`. */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    this.count += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
