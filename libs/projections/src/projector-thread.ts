import { Worker } from 'node:worker_threads';
import type { Position } from '@trailmark/event-store';
import { LeafCountWaiters } from './leaf-count-waiters.js';
import { ProjectorStoppedError, type ProjectorHandle, type ProjectorStatus } from './projector.js';

/** Where the thread reads the log from, and what it writes: it opens both itself. */
export interface ProjectorThreadOptions {
  /** The embedded store's database file (read only), or an EventStoreDB connection string. */
  readonly store: { readonly sqliteFile: string } | { readonly esdbConnectionString: string };
  /** As for openReadModel. */
  readonly readModel: { readonly url?: string; readonly dataDir: string; readonly schema?: string };
  /** As for Projector. */
  readonly pageSize?: number;
  /** The error that stopped the projector. */
  readonly onError?: (error: Error) => void;
}

/** What the thread is given at its start (workerData). */
export type ProjectorWorkerData = Omit<ProjectorThreadOptions, 'onError'>;

/** The thread's reports: its status after every applied batch and once caught up, or a failure (the thread retries; its next status clears it). */
export type ProjectorReport =
  | { readonly kind: 'status'; readonly leafCount: bigint; readonly position: Position | 'start'; readonly caughtUp: boolean }
  | { readonly kind: 'failed'; readonly error: Error };

/** What the service tells the thread. */
export type ProjectorCommand = 'log-grew' | 'stop';

/**
 * The built worker: this module is also loaded from its TypeScript source in tests, and src/ and dist/ are
 * siblings, so the path holds from either.
 */
const WORKER_FILE = new URL('../dist/projector-worker.js', import.meta.url);

/** Before the thread's first report. */
const NOT_STARTED: ProjectorStatus = { leafCount: 0n, position: 'start', caughtUp: false };

/**
 * A Projector in a worker thread of its own, with its own connections to the log and the read model: its parsing
 * and read-model writes use the other core instead of delaying the ingest path. Readers query the read model
 * on their own connection; this handle mirrors the thread's status for whenProjected and the metrics.
 *
 * An embedded store cannot signal its commits to another thread: call logGrew() after each of them (the
 * sequencer's onIntegrated is the natural place). EventStoreDB pushes events to the thread itself.
 */
export class ProjectorThread implements ProjectorHandle {
  private worker: Worker | undefined;
  private current = NOT_STARTED;
  private readonly waiters = new LeafCountWaiters();
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProjectorThreadOptions) {}

  start(): Promise<void> {
    if (this.worker) throw new Error('the projector thread is running already');
    const { onError, ...workerData } = this.options;
    const worker = new Worker(WORKER_FILE, { workerData: workerData satisfies ProjectorWorkerData, name: 'trailmark-projector' });
    this.worker = worker;
    this.stopping = false;
    this.current = NOT_STARTED;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        if (this.current.failure) return;
        this.current = { ...this.current, failure: error };
        this.waiters.settle(this.current.leafCount, new ProjectorStoppedError(error));
        reject(error);
        onError?.(error);
      };
      worker.on('message', (report: ProjectorReport) => {
        if (report.kind === 'failed') return failed(report.error);
        this.current = { leafCount: report.leafCount, position: report.position, caughtUp: report.caughtUp };
        this.waiters.settle(this.current.leafCount);
        if (report.caughtUp) resolve();
      });
      worker.on('error', failed);
      worker.once('exit', (code) => {
        this.worker = undefined;
        if (this.stopping) {
          reject(new ProjectorStoppedError());
          this.waiters.settle(this.current.leafCount, new ProjectorStoppedError());
        } else {
          failed(new Error(`the projector thread exited (code ${code}) without being stopped`));
        }
      });
    });
  }

  /** The log grew: the thread reads on (see the class comment). */
  logGrew(): void {
    this.worker?.postMessage('log-grew' satisfies ProjectorCommand);
  }

  /** Stops after the batch being applied, if any; resolves once the thread has closed its connections and exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker?.postMessage('stop' satisfies ProjectorCommand);
    await this.exited;
  }

  status(): ProjectorStatus {
    return this.current;
  }

  lag(treeSize: bigint): bigint {
    return treeSize > this.current.leafCount ? treeSize - this.current.leafCount : 0n;
  }

  whenProjected(leafCount: bigint): Promise<void> {
    if (this.current.leafCount >= leafCount) return Promise.resolve();
    if (this.current.failure) return Promise.reject(new ProjectorStoppedError(this.current.failure));
    if (!this.worker || this.stopping) return Promise.reject(new ProjectorStoppedError());
    return this.waiters.wait(leafCount);
  }
}
