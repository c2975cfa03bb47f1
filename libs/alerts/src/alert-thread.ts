import { Worker } from 'node:worker_threads';
import type { AlertRecord } from './alert-record.js';
import { AlertEngineStoppedError, type AlertEngineStatus, type AlertListener } from './alert-engine.js';
import { LeafCountWaiters } from './leaf-count-waiters.js';

/** Where the thread reads the log from and keeps its file: it opens both itself. */
export interface AlertThreadOptions {
  /** The embedded store's database file (read only), or an EventStoreDB connection string. */
  readonly store: { readonly sqliteFile: string } | { readonly esdbConnectionString: string };
  /** The alert store's file (alerts.db in the data directory). */
  readonly alertsFile: string;
  readonly onError?: (error: Error) => void;
}

export type AlertWorkerData = Omit<AlertThreadOptions, 'onError'>;

export type AlertReport =
  | { readonly kind: 'status'; readonly status: AlertEngineStatus }
  | { readonly kind: 'raised'; readonly alert: AlertRecord }
  | { readonly kind: 'recorded'; readonly alert: AlertRecord; readonly latencyMs: number }
  | { readonly kind: 'failed'; readonly error: Error };

export type AlertCommand = 'log-grew' | 'stop';

/** The built worker; src/ and dist/ are siblings, so the path holds from either (as the projector's). */
const WORKER_FILE = new URL('../dist/alert-worker.js', import.meta.url);

const NOT_STARTED: AlertEngineStatus = { leafCount: 0, caughtUp: false, stateKeys: 0 };

/**
 * An AlertEngine in a worker thread of its own, with its own connections to the log and to alerts.db: judging
 * uses the other core instead of the ingest path's. This handle mirrors the thread's status (for whenProcessed
 * and the metrics) and relays its alerts to the listeners; recording them (AlertOutbox) stays on the service's
 * thread, where the ledger's write path is. On the embedded store call logGrew() after each commit.
 */
export class AlertThread {
  private worker: Worker | undefined;
  private current = NOT_STARTED;
  private readonly waiters = new LeafCountWaiters();
  private readonly listeners: AlertListener[] = [];
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: AlertThreadOptions) {}

  listen(listener: AlertListener): void {
    this.listeners.push(listener);
  }

  start(): Promise<void> {
    if (this.worker) throw new Error('the alert thread is running already');
    const { onError, ...workerData } = this.options;
    const worker = new Worker(WORKER_FILE, { workerData: workerData satisfies AlertWorkerData, name: 'trailmark-alerts' });
    this.worker = worker;
    this.stopping = false;
    this.current = NOT_STARTED;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        if (this.current.failure) return;
        this.current = { ...this.current, failure: error };
        this.waiters.settle(this.current.leafCount, new AlertEngineStoppedError(error));
        reject(error);
        onError?.(error);
      };
      worker.on('message', (report: AlertReport) => {
        switch (report.kind) {
          case 'failed':
            return failed(report.error);
          case 'raised':
            for (const listener of this.listeners) listener.raised?.(report.alert);
            return;
          case 'recorded':
            for (const listener of this.listeners) listener.recorded?.(report.alert, report.latencyMs);
            return;
          case 'status':
            this.current = report.status;
            this.waiters.settle(this.current.leafCount);
            for (const listener of this.listeners) listener.progress?.(report.status);
            if (report.status.caughtUp) resolve();
        }
      });
      worker.on('error', failed);
      worker.once('exit', (code) => {
        this.worker = undefined;
        if (this.stopping) {
          reject(new AlertEngineStoppedError());
          this.waiters.settle(this.current.leafCount, new AlertEngineStoppedError());
        } else {
          failed(new Error(`the alert thread exited (code ${code}) without being stopped`));
        }
      });
    });
  }

  logGrew(): void {
    this.worker?.postMessage('log-grew' satisfies AlertCommand);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.worker?.postMessage('stop' satisfies AlertCommand);
    await this.exited;
  }

  status(): AlertEngineStatus {
    return this.current;
  }

  lag(treeSize: bigint): number {
    return Math.max(0, Number(treeSize) - this.current.leafCount);
  }

  whenProcessed(leafCount: number): Promise<void> {
    if (this.current.leafCount >= leafCount) return Promise.resolve();
    if (this.current.failure) return Promise.reject(new AlertEngineStoppedError(this.current.failure));
    if (!this.worker || this.stopping) return Promise.reject(new AlertEngineStoppedError());
    return this.waiters.wait(leafCount);
  }
}
