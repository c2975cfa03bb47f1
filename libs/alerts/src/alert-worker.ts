// The alert thread's entry point (see AlertThread): opens its own connections, judges, and reports.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EsdbEventStore, SqliteEventStore, type EventStore } from '@trailmark/event-store';
import { AlertEngine } from './alert-engine.js';
import type { AlertCommand, AlertReport, AlertWorkerData } from './alert-thread.js';
import { SqliteAlertStore } from './sqlite-alert-store.js';

const port = parentPort!;
const options = workerData as AlertWorkerData;
const report = (message: AlertReport) => port.postMessage(message);

const source = options.store;
let logDatabase: Database.Database | undefined;
// Read only: the thread may read the log, never write it.
const store: EventStore =
  'sqliteFile' in source
    ? new SqliteEventStore((logDatabase = new Database(source.sqliteFile, { readonly: true, timeout: 5_000 })))
    : EsdbEventStore.connect(source.esdbConnectionString);
let stopping = false;
let failed = false;
const fail = (error: unknown) => {
  if (stopping || failed) return;
  failed = true;
  report({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
};

const alerts = SqliteAlertStore.open(options.alertsFile);
const engine = new AlertEngine(store, alerts, { onError: fail });
engine.listen({
  raised: (alert) => report({ kind: 'raised', alert }),
  recorded: (alert, latencyMs) => report({ kind: 'recorded', alert, latencyMs }),
  progress: (status) => report({ kind: 'status', status }),
});

port.on('message', (command: AlertCommand) => {
  if (command === 'log-grew') {
    if (store instanceof SqliteEventStore) store.committedElsewhere();
    return;
  }
  stopping = true;
  void (async () => {
    await engine.stop();
    alerts.close();
    await store.close();
    logDatabase?.close();
    process.exit(0);
  })().catch((error: unknown) => {
    stopping = false;
    fail(error);
    process.exit(1);
  });
});

await engine.start().then(() => report({ kind: 'status', status: engine.status() }), fail);
