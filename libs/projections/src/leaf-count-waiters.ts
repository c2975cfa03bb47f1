/** Callers waiting until a read model holds some number of leaves (see whenProjected). */
export class LeafCountWaiters {
  private waiting: { leafCount: bigint; resolve(): void; reject(error: Error): void }[] = [];

  wait(leafCount: bigint): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.push({ leafCount, resolve, reject }));
  }

  /** Resolves the waiters that `leafCount` leaves satisfy; with `error`, rejects every other one. */
  settle(leafCount: bigint, error?: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const waiter of waiting) {
      if (leafCount >= waiter.leafCount) waiter.resolve();
      else if (error) waiter.reject(error);
      else this.waiting.push(waiter);
    }
  }
}
