// The projector thread's entry point (see ProjectorThread): opens its own connections, projects, and reports.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EsdbEventStore, SqliteEventStore, type EventStore } from '@trailmark/event-store';
import { openReadModel } from './open-read-model.js';
import { Projector } from './projector.js';
import type { ReadModelStore } from './read-model-store.js';
import type { ProjectorCommand, ProjectorReport, ProjectorWorkerData } from './projector-thread.js';

const port = parentPort!;
const options = workerData as ProjectorWorkerData;
const report = (message: ProjectorReport) => port.postMessage(message);

const source = options.store;
let logDatabase: Database.Database | undefined;
// Read only: the thread may read the log, never write it.
const store: EventStore =
  'sqliteFile' in source
    ? new SqliteEventStore((logDatabase = new Database(source.sqliteFile, { readonly: true, timeout: 5_000 })))
    : EsdbEventStore.connect(source.esdbConnectionString);
// Assigned once, below; `let` because a stop may arrive while it is still being opened.
// eslint-disable-next-line prefer-const
let readModel: ReadModelStore | undefined;
let projector: Projector | undefined;
let stopping = false;
let failed = false;

const reportStatus = () => {
  if (!projector) return;
  const { leafCount, position, caughtUp } = projector.status();
  report({ kind: 'status', leafCount, position, caughtUp });
};
/** The first wait before projecting again after a failure (a full disk, an I/O error), and the longest. */
const RETRY_FIRST_DELAY_MS = 100;
const RETRY_MAX_DELAY_MS = 5_000;
let retries = 0;

const fail = (error: unknown) => {
  if (stopping || failed) return;
  failed = true;
  report({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
  if (projector) retryLater(projector);
};
/**
 * A failed projector starts again from the read model's stored position after a doubling delay: a disk that gets
 * space back resumes it without a restart. Its next status report clears the failure the thread reported.
 */
const retryLater = (failedProjector: Projector) => {
  const delay = Math.min(RETRY_MAX_DELAY_MS, RETRY_FIRST_DELAY_MS * 2 ** retries);
  retries++;
  setTimeout(() => {
    if (stopping) return;
    failed = false;
    void failedProjector.start().then(() => {
      retries = 0;
      reportStatus();
    }, fail);
  }, delay).unref();
};

port.on('message', (command: ProjectorCommand) => {
  if (command === 'log-grew') {
    if (store instanceof SqliteEventStore) store.committedElsewhere();
    return;
  }
  stopping = true;
  void (async () => {
    await projector?.stop();
    await readModel?.close();
    await store.close();
    logDatabase?.close();
    process.exit(0);
  })().catch((error: unknown) => {
    stopping = false;
    fail(error);
    process.exit(1);
  });
});

readModel = await openReadModel(options.readModel).catch((error: unknown) => {
  fail(error);
  return undefined;
});
if (readModel && !stopping) {
  projector = new Projector(store, readModel, {
    ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
    onProgress: reportStatus,
    onError: fail,
  });
  await projector.start().then(reportStatus, fail);
}
