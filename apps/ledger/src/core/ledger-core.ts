import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Logger } from '@nestjs/common';
import {
  CheckpointPublisher,
  FileCheckpointMark,
  SqliteCheckpointStore,
  StreamCheckpointClaims,
  verifierKeyFor,
  type NoteSigner,
  type ServedCheckpoint,
  type SignedCheckpoint,
} from '@trailmark/checkpoint';
import { ALERTS_DB_FILE, AlertOutbox, AlertThread, SqliteAlertStore } from '@trailmark/alerts';
import { EventRecorder } from '@trailmark/domain';
import { Sequencer, SqliteLedgerIndex } from '@trailmark/sequencer';
import { EsdbEventStore, SqliteEventStore, type EventStore } from '@trailmark/event-store';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import { openReadModel, ProjectorThread, type ProjectorHandle, type ReadModelStore } from '@trailmark/projections';
import type { LedgerConfig } from '../config.js';
import { recordAlertEvent } from './alert-recording.js';
import { IntegritySampler } from './integrity-sampler.js';
import { LedgerWitnesses } from './ledger-witnesses.js';
import { logClockStep } from './clock-log.js';
import { openLedgerStreams } from './open-ledger-streams.js';
import type { LedgerStreams } from './ledger-streams.js';
import { DataDirLock } from './data-dir-lock.js';
import { checkDataDirStore, recordDataDirStore } from './data-dir-store.js';
import { readModelMismatch } from './read-model-vs-tree.js';
import { loadSigningKey, type SigningKey } from './signing-key.js';
import { refusalOf } from './start-refusal.js';

export const LEDGER_DB_FILE = 'ledger.db';
/** The log's high-water mark (the latest checkpoint served, as its signed note): outside ledger.db on purpose. */
export const CHECKPOINT_MARK_FILE = 'checkpoint.latest';

/** A checkpoint did not cover a leaf in time: publishing is failing (the logs say why). */
export class CheckpointTimeoutError extends Error {
  constructor(size: bigint, waitedMs: number) {
    super(
      `no signed checkpoint covered tree size ${size} within ${waitedMs} ms; checkpoints are not being published ` +
        '(or, with a witness policy, not cosigned by its quorum: see /health/ready)',
    );
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
  /** Set when TRAILMARK_WITNESS_POLICY names witnesses. */
  readonly witnesses: LedgerWitnesses | undefined;
  readonly signer: NoteSigner;
  /**
   * The alert engine (libs/alerts) in a thread of its own, started after the projector; its store, read here;
   * and the outbox that records the alerts it raises through this thread's recorder.
   */
  readonly alertStore: SqliteAlertStore;
  readonly alerts: AlertThread;
  readonly alertOutbox: AlertOutbox;
  /** The log-integrity alerts (sequencer halted, checkpoints overdue, witnesses refusing), for the operator. */
  readonly integrity: IntegritySampler;
  private started = false;
  private stopped = false;
  private readonly logger = new Logger('LedgerCore');
  /**
   * The read models (search, export, access review), queried on this thread, and the projector that feeds them
   * in a thread of its own: opened by start().
   */
  private projection: { readModel: ReadModelStore; projector: ProjectorThread } | undefined;
  /** The log streams, delivering beside ingest: opened by start(), once the log is caught up. */
  private logStreams: LedgerStreams | undefined;

  private constructor(
    readonly config: LedgerConfig,
    private readonly lock: DataDirLock,
    private readonly db: Database.Database,
    private readonly key: SigningKey,
    private readonly onError: (error: Error) => void,
  ) {
    const { signer } = key;
    this.signer = signer;
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
      mark: new FileCheckpointMark(join(config.dataDir, CHECKPOINT_MARK_FILE)),
    });
    this.recorder = new EventRecorder(this.store, this.sequencer, this.index, { stepBoundMs: config.clockStepMs, onStep: logClockStep });
    this.sequencer.onIntegrated(() => this.publisher.treeGrew());
    const policy = LedgerWitnesses.loadPolicy(config);
    this.witnesses =
      policy &&
      new LedgerWitnesses(policy, {
        db,
        publisher: this.publisher,
        checkpoints: this.checkpoints,
        verifierKey: this.verifierKey,
        proveConsistency: (from, to) => this.tree.proveConsistency(from, to),
        serveUnwitnessed: config.serveUnwitnessed,
        onError,
      });
    const alertsFile = join(config.dataDir, ALERTS_DB_FILE);
    this.alertStore = SqliteAlertStore.open(alertsFile);
    this.alertOutbox = new AlertOutbox(this.alertStore, { record: (body) => recordAlertEvent(this.recorder, body).then(() => {}) }, onError);
    const { esdbConnectionString } = config;
    const source = esdbConnectionString === undefined ? { sqliteFile: join(config.dataDir, LEDGER_DB_FILE) } : { esdbConnectionString };
    this.alerts = new AlertThread({ store: source, alertsFile, onError });
    this.alerts.listen({ raised: () => this.alertOutbox.drain() });
    this.integrity = new IntegritySampler(
      {
        sequencerHalted: () => this.sequencer.failure?.message,
        treeSize: () => this.tree.size,
        servedSize: () => this.servedCheckpoint()?.size,
        refusingWitnesses: () => (this.witnesses?.status() ?? []).flatMap(({ name, conflict }) => (conflict === undefined ? [] : [{ witness: name, reason: conflict }])),
      },
      { intervalMs: config.checkpointIntervalMs, alertStore: this.alertStore, outbox: this.alertOutbox },
    );
  }

  /**
   * Refuses a data dir of the other store (DataDirStoreError) before writing anything, takes the data dir's lock
   * (DataDirLockedError when another process holds it), then opens what is in it.
   */
  static open(config: LedgerConfig, onError: (error: Error) => void = () => {}): LedgerCore {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    checkDataDirStore(config);
    const lock = DataDirLock.acquire(config.dataDir);
    try {
      const key = loadSigningKey(config.dataDir, config.signingKey, config.origin);
      recordDataDirStore(config, key.signer.name);
      return new LedgerCore(config, lock, openLedgerDatabase(config.dataDir), key, onError);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Refuses a key that is not the log's, catches the tree up with the store, refuses a forked or rolled back
   * log, starts publishing checkpoints, checks the read models against the tree (rebuilding them if they do not
   * match), then catches them up with the store. A refusal closes everything it opened.
   */
  async start(): Promise<void> {
    try {
      await this.startOrRefuse();
    } catch (error) {
      await this.stop().catch(() => {});
      throw refusalOf(error, this.key, this.config.dataDir);
    }
  }

  private async startOrRefuse(): Promise<void> {
    await this.publisher.verifyKey();
    // Only now: a key made for data that already held checkpoints would not be this log's key.
    this.key.save?.();
    await this.sequencer.start();
    await this.recorder.resumeClock();
    await this.publisher.verifyAgainstTree();
    await this.publisher.start();
    this.witnesses?.start();
    const readModelOptions = { url: this.config.readDbUrl, dataDir: this.config.dataDir };
    // Opened here first: a read model of an older schema is replaced before the projector thread opens it.
    const readModel = await openReadModel(readModelOptions);
    const mismatch = await readModelMismatch(readModel, this.tree);
    if (mismatch !== undefined) {
      this.logger.warn(`the read model does not match the tree (${mismatch}): rebuilding it from the event store`);
      await readModel.reset();
    }
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
    this.logStreams = openLedgerStreams(this, this.onError);
    if (this.config.alerts !== false) {
      if (esdbConnectionString === undefined) this.sequencer.onIntegrated(() => this.alerts.logGrew());
      // Alerts written before a stop but not yet recorded.
      this.alertOutbox.drain();
      await this.alerts.start();
      this.integrity.start();
    }
    this.started = true;
  }

  get streams(): LedgerStreams {
    if (!this.logStreams) throw new Error('the ledger is not started: no streams yet');
    return this.logStreams;
  }

  get readModel(): ReadModelStore {
    if (!this.projection) throw new Error('the ledger is not started: no read model yet');
    return this.projection.readModel;
  }

  get projector(): ProjectorHandle {
    if (!this.projection) throw new Error('the ledger is not started: no projector yet');
    return this.projection.projector;
  }

  /**
   * The checkpoint the log serves now, with its cosignatures: the one rule behind GET /v1/log/checkpoint and the
   * tiles checkpoint (chooseServedCheckpoint).
   */
  servedCheckpoint(): ServedCheckpoint | undefined {
    if (this.witnesses) return this.witnesses.servedCheckpoint();
    const latest = this.publisher.latest();
    return latest && { ...latest, witnessed: undefined };
  }

  /** The checkpoint signed for exactly this size, with the cosignatures collected for it. */
  checkpointOfSize(size: bigint): SignedCheckpoint | undefined {
    const checkpoint = this.checkpoints.bySize(size);
    return checkpoint && this.witnesses ? this.witnesses.withCosignatures(checkpoint) : checkpoint;
  }

  /** The first served checkpoint of at least `size`, waiting at most ten intervals (and 5 s) for it. */
  async checkpointCovering(size: bigint): Promise<SignedCheckpoint> {
    const waitMs = Math.max(5_000, 10 * this.config.checkpointIntervalMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CheckpointTimeoutError(size, waitMs)), waitMs);
    });
    try {
      return await Promise.race([this.witnesses ? this.witnesses.waitForServed(size) : this.publisher.waitFor(size), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Serving: caught up, publishing, the sequencer and the projector still following, the event store answering, and
   * its last append committed (a full disk makes appends fail on a store that still answers).
   */
  get ready(): boolean {
    return (
      this.started &&
      this.sequencer.failure === undefined &&
      this.projector.status().failure === undefined &&
      this.store.reachable &&
      this.recorder.appendFailure === undefined
    );
  }

  /** Closes everything and releases the data dir; a second call does nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.started = false;
    await this.logStreams?.stop();
    this.publisher.stop();
    this.witnesses?.stop();
    this.integrity.stop();
    try {
      await this.alertOutbox.stop();
      await this.alerts.stop();
      this.alertStore.close();
      await this.projection?.projector.stop();
      await this.projection?.readModel.close();
      await this.sequencer.stop();
      await this.store.close();
      this.db.close();
    } finally {
      this.lock.release();
    }
  }
}
