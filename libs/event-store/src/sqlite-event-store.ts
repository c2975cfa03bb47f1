import Database from 'better-sqlite3';
import { CatchUpSubscription } from './catch-up-subscription.js';
import { CommitSignal } from './commit-signal.js';
import { DuplicateEventError, StoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from './errors.js';
import {
  eventBytes,
  type AppendRequest,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from './event-store.js';
import type { Position } from './position.js';

// `position` is the rowid: SQLite assigns max(position) + 1, and rows are never deleted, so the global order has no
// gaps and a rolled-back savepoint leaves none either. Positions start at 1.
// INSERT OR REPLACE would delete a conflicting row without firing the DELETE trigger (recursive_triggers is off),
// hence the INSERT triggers; they also keep each stream's revisions contiguous from 0.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  id       TEXT    NOT NULL UNIQUE,
  stream   TEXT    NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 0),
  type     TEXT    NOT NULL,
  data     BLOB    NOT NULL,
  metadata BLOB    NOT NULL,
  UNIQUE (stream, revision)
);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM events WHERE position = NEW.position)
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_contiguous_revisions BEFORE INSERT ON events
WHEN NEW.revision IS NOT coalesce((SELECT max(revision) FROM events WHERE stream = NEW.stream) + 1, 0)
BEGIN SELECT RAISE(ABORT, 'events are append-only: a stream''s revisions run 0, 1, 2, ... without gaps'); END;
`;

const COLUMNS = 'position, id, stream, revision, type, data, metadata';

/**
 * Live subscriptions read the log in pages of this many events, or of this many bytes of data and metadata when
 * that comes first (a thousand events near the 64 KiB leaf limit would be 64 MB), so a long catch-up never holds
 * one huge array.
 */
const SUBSCRIPTION_PAGE_SIZE = 1_000;
export const SUBSCRIPTION_PAGE_BYTES = 4 * 1024 * 1024;

/** A row of COLUMNS, in their order: read raw (arrays rather than objects), a fifth cheaper on a long catch-up. */
type EventRow = [position: bigint, id: string, stream: string, revision: bigint, type: string, data: Uint8Array, metadata: Uint8Array];

interface StoredId {
  position: bigint;
  stream: string;
  revision: bigint;
}

/** One append() or appendAtomically() call waiting for the next group commit. */
interface PendingAppend {
  requests: readonly AppendRequest[];
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

type Outcome = { results: AppendResult[] } | { error: unknown };

function positionAt(value: bigint): Position {
  return { commit: value, prepare: value };
}

/** Both `'start'` and the SQL bounds used with it rely on positions starting at 1. */
function positionValue(from: Position | 'start'): bigint {
  return from === 'start' ? 0n : from.commit;
}

function toRecordedEvent([position, id, stream, revision, type, data, metadata]: EventRow): RecordedEvent {
  return {
    id,
    type,
    data: plainBytes(data),
    metadata: plainBytes(metadata),
    stream,
    revision,
    position: positionAt(position),
  };
}

/**
 * better-sqlite3 hands out a Buffer of its own per value (copied out of SQLite, not from Node's shared pool);
 * callers get a plain Uint8Array over the same memory, without a second copy.
 */
function plainBytes(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkMaxCount(maxCount: number): void {
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
}

/**
 * The embedded event store: one `events` table in a better-sqlite3 database, shared with the service's other
 * tables or in a file of its own (`open`).
 *
 * Group commit: append() and appendAtomically() calls made in the same event-loop turn are written in ONE
 * transaction on the next setImmediate (one fsync for all of them), in call order. A call that fails (wrong
 * expected revision, duplicate id) is rolled back alone while the others commit (see writeGroup); its promise,
 * like every other, settles only after the transaction committed. A later call in a group sees the earlier ones'
 * writes: reusing an earlier call's event ids is checked as a retry of it.
 */
export class SqliteEventStore implements EventStore {
  readonly guarantees = { atomicAcrossStreams: true, strictEventIds: true };
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private pending: PendingAppend[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;
  private ownsDatabase = false;

  private readonly selectStreamRevision: Database.Statement<[string], { revision: bigint | null }>;
  private readonly selectById: Database.Statement<[string], StoredId>;
  private readonly insertEvent: Database.Statement<[string, string, bigint, string, Uint8Array, Uint8Array]>;
  /** Transaction control, prepared once: a group runs two of these per append call. */
  private readonly control: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackToSavepoint', Database.Statement>;
  private readonly selectStream: Database.Statement<[string, bigint, number], EventRow>;
  private readonly selectFrom: Database.Statement<[bigint, number], EventRow>;
  private readonly selectFromWithPrefix: Database.Statement<[bigint, string, number], EventRow>;
  private readonly selectAfter: Database.Statement<[bigint, number], EventRow>;

  /** Uses `db` as it is (journal mode and synchronous are the owner's choice) and leaves it open on close(). */
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    const prepare = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql).safeIntegers(true);
    const prepareRaw = <P extends unknown[]>(sql: string) => prepare<P, EventRow>(sql).raw(true);
    this.selectStreamRevision = prepare('SELECT max(revision) AS revision FROM events WHERE stream = ?');
    this.selectById = prepare('SELECT position, stream, revision FROM events WHERE id = ?');
    this.insertEvent = prepare('INSERT INTO events (id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    this.control = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT append_call'),
      release: db.prepare('RELEASE append_call'),
      rollbackToSavepoint: db.prepare('ROLLBACK TO append_call'),
    };
    this.selectStream = prepareRaw(
      `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    );
    this.selectFrom = prepareRaw(`SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`);
    // instr(...) = 1 is an exact, case-sensitive prefix test (LIKE would treat % and _ as wildcards and fold case).
    this.selectFromWithPrefix = prepareRaw(
      `SELECT ${COLUMNS} FROM events WHERE position >= ? AND instr(stream, ?) = 1 ORDER BY position LIMIT ?`,
    );
    this.selectAfter = prepareRaw(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
  }

  /** Opens (or creates) an event database file of its own: WAL, fully synchronous; close() closes it. */
  static open(path: string): SqliteEventStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const store = new SqliteEventStore(db);
    store.ownsDatabase = true;
    return store;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.enqueue([request]).then((results) => results[0]!);
  }

  appendAtomically(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    if (requests.length === 0 && !this.closing) return Promise.resolve([]);
    return this.enqueue(requests);
  }

  async readStream(stream: string, options: { fromRevision?: bigint; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    this.checkOpen();
    const { fromRevision = 0n, maxCount } = options;
    if (maxCount !== undefined) checkMaxCount(maxCount);
    // LIMIT -1: no limit.
    const rows = this.selectStream.all(stream, fromRevision, maxCount ?? -1);
    if (rows.length === 0 && this.streamRevision(stream) === undefined) throw new StreamNotFoundError(stream);
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.checkOpen();
    checkMaxCount(options.maxCount);
    const from = positionValue(options.from);
    const rows = options.streamPrefix
      ? this.selectFromWithPrefix.all(from, options.streamPrefix, options.maxCount)
      : this.selectFrom.all(from, options.maxCount);
    return rows.map(toRecordedEvent);
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    this.checkOpen();
    // A page ends with the event that reaches SUBSCRIPTION_PAGE_BYTES, so it is never empty.
    const readPage = (after: Position | 'start') => {
      const events: RecordedEvent[] = [];
      let bytes = 0;
      for (const row of this.selectAfter.iterate(positionValue(after), SUBSCRIPTION_PAGE_SIZE)) {
        const event = toRecordedEvent(row);
        events.push(event);
        bytes += eventBytes(event);
        if (bytes >= SUBSCRIPTION_PAGE_BYTES) return { events, full: true };
      }
      return { events, full: events.length === SUBSCRIPTION_PAGE_SIZE };
    };
    const subscription = new CatchUpSubscription(readPage, this.commits, options, handler);
    this.subscriptions.add(subscription);
    void subscription.finished.then(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /**
   * Another connection to the same file committed (a store in another thread or process, whose commits this one
   * cannot hear of): live subscriptions read on.
   */
  committedElsewhere(): void {
    this.commits.notify();
  }

  get reachable(): boolean {
    return this.closing === undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.flush();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.ownsDatabase) this.db.close();
  }

  private checkOpen(): void {
    if (this.closing) throw new StoreUnavailableError('the event store is closed');
  }

  private enqueue(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    if (this.closing) return Promise.reject(new StoreUnavailableError('the event store is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ requests, resolve, reject });
      this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  /** Writes every pending call in one transaction, then settles their promises. */
  private flush(): void {
    if (this.flushTimer !== undefined) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;

    let outcomes: Outcome[];
    try {
      outcomes = this.writeGroup(group);
    } catch (error) {
      const failure = new StoreUnavailableError(
        `append failed: the write transaction did not commit (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
      for (const call of group) call.reject(failure);
      return;
    }
    group.forEach((call, i) => {
      const outcome = outcomes[i]!;
      if ('results' in outcome) call.resolve(outcome.results);
      else call.reject(outcome.error);
    });
    if (outcomes.some((outcome) => 'results' in outcome)) this.commits.notify();
  }

  /**
   * A call rarely fails, and a savepoint per call costs a copy of every page it first changes: the group is first
   * written without them. Only if a call fails is that transaction rolled back and the group written again, each
   * call in a savepoint of its own, so that the failure is that call's alone.
   */
  private writeGroup(group: readonly PendingAppend[]): Outcome[] {
    const outcomes = this.inTransaction(() => {
      try {
        return group.map((call): Outcome => ({ results: call.requests.map((request) => this.write(request)) }));
      } catch (error) {
        // SQLite itself aborted the transaction (I/O error, disk full): the group cannot commit.
        if (!this.db.inTransaction) throw error;
        return undefined;
      }
    });
    return outcomes ?? this.inTransaction(() => group.map((call) => this.writeInSavepoint(call.requests)))!;
  }

  /** Runs `write` in a transaction, committed unless it returns undefined. */
  private inTransaction(write: () => Outcome[] | undefined): Outcome[] | undefined {
    this.control.begin.run();
    try {
      const outcomes = write();
      if (outcomes === undefined) this.control.rollback.run();
      else this.control.commit.run();
      return outcomes;
    } catch (error) {
      if (this.db.inTransaction) this.control.rollback.run();
      throw error;
    }
  }

  /** All of `requests` or none of them: a failure rolls back to the savepoint and becomes this call's outcome. */
  private writeInSavepoint(requests: readonly AppendRequest[]): Outcome {
    this.control.savepoint.run();
    try {
      const results = requests.map((request) => this.write(request));
      this.control.release.run();
      return { results };
    } catch (error) {
      // SQLite itself aborted the whole transaction (I/O error, disk full): the group cannot commit.
      if (!this.db.inTransaction) throw error;
      this.control.rollbackToSavepoint.run();
      this.control.release.run();
      return { error };
    }
  }

  private write(request: AppendRequest): AppendResult {
    const { stream, expectedRevision, events } = request;
    if (events.length === 0) throw new RangeError(`append to stream "${stream}": no events to append`);

    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.id)) throw new DuplicateEventError(event.id, 'it appears twice in one append');
      seen.add(event.id);
    }

    const stored = events.map((event) => this.selectById.get(event.id));
    const retried = this.retriedResult(stream, stored);
    if (retried) return retried;
    stored.forEach((row, i) => {
      if (row === undefined) return;
      throw new DuplicateEventError(
        events[i]!.id,
        row.stream === stream
          ? `stored at revision ${row.revision} of stream "${stream}", and this append is not an exact retry of that one`
          : `stored in stream "${row.stream}", not "${stream}"`,
      );
    });

    const current = this.streamRevision(stream);
    if (!revisionMatches(expectedRevision, current)) {
      throw new WrongExpectedVersionError(stream, expectedRevision, current ?? 'no_stream');
    }
    let revision = current ?? -1n;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      const { lastInsertRowid } = this.insertEvent.run(event.id, stream, revision, event.type, event.data, event.metadata);
      position = BigInt(lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position: positionAt(position) };
  }

  /** The original result when every event is already stored, in order, at consecutive revisions of `stream`. */
  private retriedResult(stream: string, stored: readonly (StoredId | undefined)[]): AppendResult | undefined {
    const first = stored[0];
    if (first === undefined) return undefined;
    const isRetry = stored.every(
      (row, i) => row !== undefined && row.stream === stream && row.revision === first.revision + BigInt(i),
    );
    if (!isRetry) return undefined;
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.revision, position: positionAt(last.position) };
  }

  private streamRevision(stream: string): bigint | undefined {
    return this.selectStreamRevision.get(stream)?.revision ?? undefined;
  }
}

function revisionMatches(expected: ExpectedRevision, current: bigint | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === undefined;
    case 'stream_exists':
      return current !== undefined;
    default:
      return current === expected;
  }
}
