import { alertRaisedEvent, type EventBody } from './alert-events.js';
import type { SqliteAlertStore } from './sqlite-alert-store.js';

/** How alert.raised events are recorded: the ledger's write path, idempotent by the body's id. */
export interface AlertSink {
  /** Resolves once the event is in the log (a retry of an event already there resolves too). */
  record(body: EventBody): Promise<void>;
}

/**
 * Records the alerts the engine wrote but the ledger does not hold yet, one at a time, oldest first, and marks
 * each recorded. Run it after every batch that raised alerts and once at start (alerts written before a crash);
 * a failed recording is retried at the next run.
 */
export class AlertOutbox {
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly alerts: SqliteAlertStore,
    private readonly sink: AlertSink,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  drain(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        for (let batch = this.alerts.unrecorded(100); batch.length > 0 && !this.stopped; batch = this.alerts.unrecorded(100)) {
          for (const alert of batch) {
            await this.sink.record(alertRaisedEvent(alert));
            this.alerts.markRecorded(alert.id);
          }
        }
      } while (this.again && !this.stopped);
    })()
      .catch((error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** Resolves once the alerts written so far are recorded (or their recording failed). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }
}
