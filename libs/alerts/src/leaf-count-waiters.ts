/** Callers waiting until the engine has judged some number of leaves (see whenProcessed). */
export class LeafCountWaiters {
  private waiting: { leafCount: number; resolve(): void; reject(error: Error): void }[] = [];

  wait(leafCount: number): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.push({ leafCount, resolve, reject }));
  }

  /** Resolves the waiters that `leafCount` leaves satisfy; with `error`, rejects every other one. */
  settle(leafCount: number, error?: Error): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const waiter of waiting) {
      if (leafCount >= waiter.leafCount) waiter.resolve();
      else if (error) waiter.reject(error);
      else this.waiting.push(waiter);
    }
  }
}
