import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CheckpointPublisher,
  SqliteCheckpointStore,
  verifierKeyFor,
  type NoteSigner,
  type SignedCheckpoint,
} from '@trailmark/checkpoint';
import { ALERTS_DB_FILE, AlertOutbox, AlertThread, SqliteAlertStore } from '@trailmark/alerts';
import { EventRecorder, Sequencer, SqliteLedgerIndex } from '@trailmark/domain';
import { EsdbEventStore, SqliteEventStore, type EventStore } from '@trailmark/event-store';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { openReadModel, ProjectorThread, type ProjectorHandle, type ReadModelStore } from '@trailmark/projections';
import type { LedgerConfig } from '../config.js';
import { recordAlertEvent } from './alert-recording.js';
import { StreamCheckpointClaims } from './checkpoint-stream.js';
import { loadSigningKey } from './signing-key.js';

export const LEDGER_DB_FILE = 'ledger.db';

/** A checkpoint did not cover a leaf in time: publishing is failing (the logs say why). */
export class CheckpointTimeoutError extends Error {
  constructor(size: bigint, waitedMs: number) {
    super(`no signed checkpoint covered tree size ${size} within ${waitedMs} ms; checkpoints are not being published`);
  }
}

/**
 * The WAL is copied back into the database file once it holds this many pages (~40 MB) rather than SQLite's
 * 1,000: each event dirties a page of its stream's index, and between two copies a page is copied once however
 * often it was written. The event store's appends took a third less time for it in a group-commit micro-benchmark.
 */
const LEDGER_CHECKPOINT_PAGES = 10_000;

/** Opens the ledger database: WAL, and every commit durable before it is acknowledged. */
export function openLedgerDatabase(dataDir: string, options: { readonly?: boolean } = {}): Database.Database {
  const db = new Database(join(dataDir, LEDGER_DB_FILE), { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`wal_autocheckpoint = ${LEDGER_CHECKPOINT_PAGES}`);
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The event store the configuration names: EventStoreDB, or the embedded store in the ledger database. */
export function openEventStore(config: LedgerConfig, db: Database.Database): EventStore {
  return config.esdbConnectionString === undefined ? new SqliteEventStore(db) : EsdbEventStore.connect(config.esdbConnectionString);
}

/**
 * Everything behind the API, wired once: the event store, the tree and ledger index in the same
 * SQLite file, the sequencer that feeds the tree from the store's order, the checkpoint publisher.
 *
 * On EventStoreDB the SQLite file holds only what can be derived again (tiles, ledger index, a copy of
 * the checkpoints); the checkpoints of record are the `trailmark-checkpoints` stream, which every
 * instance on that EventStoreDB claims its checkpoints in.
 */
export class LedgerCore {
  readonly store: EventStore;
  readonly tree: MerkleTree;
  readonly index: SqliteLedgerIndex;
  readonly sequencer: Sequencer;
  readonly checkpoints: SqliteCheckpointStore;
  readonly publisher: CheckpointPublisher;
  readonly recorder: EventRecorder;
  readonly verifierKey: string;
  /**
   * The alert engine (libs/alerts) in a thread of its own, started after the projector; its store, read here;
   * and the outbox that records the alerts it raises through this thread's recorder.
   */
  readonly alertStore: SqliteAlertStore;
  readonly alerts: AlertThread;
  readonly alertOutbox: AlertOutbox;
  private started = false;
  /**
   * The read models (search, export, access review), queried on this thread, and the projector that feeds them
   * in a thread of its own: opened by start().
   */
  private projection: { readModel: ReadModelStore; projector: ProjectorThread } | undefined;

  private constructor(
    readonly config: LedgerConfig,
    private readonly db: Database.Database,
    readonly signer: NoteSigner,
    private readonly onError: (error: Error) => void,
  ) {
    this.verifierKey = verifierKeyFor(signer);
    this.store = openEventStore(config, db);
    this.tree = MerkleTree.open(new SqliteTileStore(db));
    this.index = new SqliteLedgerIndex(db);
    this.sequencer = new Sequencer(this.store, this.tree, this.index, onError);
    this.checkpoints = new SqliteCheckpointStore(db);
    this.publisher = new CheckpointPublisher({
      origin: signer.name,
      signer,
      tree: this.tree,
      store: this.checkpoints,
      intervalMs: config.checkpointIntervalMs,
      onError,
      claims: config.esdbConnectionString === undefined ? undefined : new StreamCheckpointClaims(this.store, this.verifierKey),
    });
    this.recorder = new EventRecorder(this.store, this.sequencer, this.index);
    this.sequencer.onIntegrated(() => this.publisher.treeGrew());
    const alertsFile = join(config.dataDir, ALERTS_DB_FILE);
    this.alertStore = SqliteAlertStore.open(alertsFile);
    this.alertOutbox = new AlertOutbox(this.alertStore, { record: (body) => recordAlertEvent(this.recorder, body).then(() => {}) }, onError);
    const { esdbConnectionString } = config;
    const source = esdbConnectionString === undefined ? { sqliteFile: join(config.dataDir, LEDGER_DB_FILE) } : { esdbConnectionString };
    this.alerts = new AlertThread({ store: source, alertsFile, onError });
    this.alerts.listen({ raised: () => this.alertOutbox.drain() });
  }

  static open(config: LedgerConfig, onError: (error: Error) => void = () => {}): LedgerCore {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const signer = loadSigningKey(config.dataDir, config.signingKey, config.origin);
    return new LedgerCore(config, openLedgerDatabase(config.dataDir), signer, onError);
  }

  /**
   * Catches the tree up with the store, refuses a forked log, starts publishing checkpoints, then catches the
   * read models up with the store.
   */
  async start(): Promise<void> {
    await this.sequencer.start();
    await this.recorder.resumeClock();
    await this.publisher.verifyAgainstTree();
    await this.publisher.start();
    const readModelOptions = { url: this.config.readDbUrl, dataDir: this.config.dataDir };
    // Opened here first: a read model of an older schema is replaced before the projector thread opens it.
    const readModel = await openReadModel(readModelOptions);
    const { esdbConnectionString } = this.config;
    const projector = new ProjectorThread({
      store: esdbConnectionString === undefined ? { sqliteFile: join(this.config.dataDir, LEDGER_DB_FILE) } : { esdbConnectionString },
      readModel: readModelOptions,
      onError: this.onError,
    });
    this.projection = { readModel, projector };
    // EventStoreDB pushes new events to the thread's own subscription; only the embedded store needs telling.
    if (esdbConnectionString === undefined) this.sequencer.onIntegrated(() => projector.logGrew());
    await projector.start();
    if (this.config.alerts !== false) {
      if (esdbConnectionString === undefined) this.sequencer.onIntegrated(() => this.alerts.logGrew());
      // Alerts written before a stop but not yet recorded.
      this.alertOutbox.drain();
      await this.alerts.start();
    }
    this.started = true;
  }

  get readModel(): ReadModelStore {
    if (!this.projection) throw new Error('the ledger is not started: no read model yet');
    return this.projection.readModel;
  }

  get projector(): ProjectorHandle {
    if (!this.projection) throw new Error('the ledger is not started: no projector yet');
    return this.projection.projector;
  }

  /** The first checkpoint of at least `size`, waiting at most ten intervals (and 5 s) for it. */
  async checkpointCovering(size: bigint): Promise<SignedCheckpoint> {
    const waitMs = Math.max(5_000, 10 * this.config.checkpointIntervalMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckpointTimeoutError(size, waitMs)), waitMs);
    });
    try {
      return await Promise.race([this.publisher.waitFor(size), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Serving: caught up, publishing, the sequencer and the projector still following, and the event store answering. */
  get ready(): boolean {
    return this.started && this.sequencer.failure === undefined && this.projector.status().failure === undefined && this.store.reachable;
  }

  async stop(): Promise<void> {
    this.started = false;
    this.publisher.stop();
    await this.alertOutbox.stop();
    await this.alerts.stop();
    this.alertStore.close();
    await this.projection?.projector.stop();
    await this.projection?.readModel.close();
    await this.sequencer.stop();
    await this.store.close();
    this.db.close();
  }
}
