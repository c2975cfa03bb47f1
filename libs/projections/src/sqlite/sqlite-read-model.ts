import { availableParallelism } from 'node:os';
import Database from 'better-sqlite3';
import { comparePositions, type Position } from '@trailmark/event-store';
import type { AccessHolding } from '../access.js';
import { checkSearchOptions, filterTerms, type EventFilter, type ScanOptions, type SearchOptions } from '../event-filter.js';
import type { ProjectedEvent } from '../projected-event.js';
import { checkContinues, eventOf, rowOf } from '../projected-row.js';
import type { ProjectionState, ReadModelStore } from '../read-model-store.js';
import { scanPages } from '../scan-pages.js';
import { accessAtSql } from '../read-model-sql.js';
import { CREATE_SEARCH_INDEXES, DROP_SEARCH_INDEXES } from '../search-indexes.js';
import { SCHEMA, SCHEMA_VERSION, TABLES } from './sqlite-schema.js';
import { NARROW_TIME_RANGE_ROWS, sqliteSearch, timeRangeCount } from './sqlite-search.js';

interface StateRow {
  position_commit: string | null;
  position_prepare: string | null;
  leaf_count: bigint;
}

interface EventRow {
  leaf_index: bigint;
  leaf: Uint8Array;
  detail: string | null;
}

/** SQLite's default: the WAL is copied into the file (and the file synced) once it holds this many pages. */
const CHECKPOINT_PAGES = 1000;
/** While loading in bulk, every ~80 MB of WAL rather than every 4 MB: a tenth of a full catch-up's syncs. */
const BULK_LOAD_CHECKPOINT_PAGES = 20_000;

/** Distinct statement texts kept prepared: one per filter shape, and there are few shapes. */
const STATEMENT_CACHE_SIZE = 128;

/**
 * The embedded read model: better-sqlite3, in a database file of its own (`open`), beside the event store's.
 * Derived state, so WAL with synchronous=NORMAL: a power cut may lose the last transactions, never corrupt the
 * file, and the projector projects again whatever the stored position does not cover.
 */
export class SqliteReadModel implements ReadModelStore {
  private readonly statements = new Map<string, Database.Statement>();
  /** Between deferIndexes and createIndexes: a search must not name an index (INDEXED BY) that is not there. */
  private indexesDeferred = false;
  private readonly applyTransaction: Database.Transaction<(batch: readonly ProjectedEvent[], position: Position) => void>;

  constructor(private readonly db: Database.Database) {
    db.defaultSafeIntegers(true);
    migrate(db);
    this.applyTransaction = db.transaction((batch: readonly ProjectedEvent[], position: Position) => this.applyNow(batch, position));
  }

  /** Opens (or creates) the read model in the file `path`, e.g. `<data dir>/projections.db`. */
  static open(path: string): SqliteReadModel {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return new SqliteReadModel(db);
  }

  async apply(batch: readonly ProjectedEvent[], position: Position): Promise<void> {
    // IMMEDIATE: the position is read and written under one write lock, whoever else opened the file.
    this.applyTransaction.immediate(batch, position);
  }

  async position(): Promise<ProjectionState> {
    return this.state();
  }

  async leaf(leafIndex: bigint): Promise<Uint8Array | undefined> {
    const row = this.statement('SELECT leaf FROM projected_events WHERE leaf_index = ?').get(leafIndex) as { leaf: Uint8Array } | undefined;
    return row && new Uint8Array(row.leaf);
  }

  async search(filter: EventFilter, options: SearchOptions): Promise<ProjectedEvent[]> {
    checkSearchOptions(options);
    const terms = filterTerms(filter);
    if (terms === undefined) return [];
    const count = timeRangeCount(terms);
    const narrow = count !== undefined && !this.indexesDeferred && (this.statement(count.sql).get(...count.params) as { n: number }).n < NARROW_TIME_RANGE_ROWS;
    const { sql, params } = sqliteSearch(terms, options, narrow);
    const rows = this.statement(sql).all(...params) as EventRow[];
    return rows.map((row) => eventOf(row.leaf_index, row.leaf, row.detail));
  }

  scan(filter: EventFilter, options: ScanOptions): AsyncIterable<ProjectedEvent> {
    return scanPages((f, o) => this.search(f, o), filter, options);
  }

  async accessAt(tenant: string, at: string, role?: string): Promise<AccessHolding[]> {
    return accessAtSql(tenant, at, role, () => '?', async <Row>(sql: string, params: readonly unknown[]) => {
      return this.statement(sql).all(...params) as Row[];
    });
  }

  async reset(): Promise<void> {
    this.statements.clear();
    this.db.transaction(() => {
      for (const table of TABLES) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
      this.db.exec(SCHEMA + CREATE_SEARCH_INDEXES);
    })();
    this.indexesDeferred = false;
  }

  async deferIndexes(): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.state().leafCount !== 0n) return false;
        this.db.exec(DROP_SEARCH_INDEXES);
        this.db.pragma(`wal_autocheckpoint = ${BULK_LOAD_CHECKPOINT_PAGES}`);
        this.indexesDeferred = true;
        return true;
      })
      .immediate();
  }

  async createIndexes(): Promise<void> {
    // Sorting a bulk load's index entries is most of building them: SQLite may sort on the other cores too.
    this.db.pragma(`threads = ${availableParallelism() - 1}`);
    try {
      this.db.exec(CREATE_SEARCH_INDEXES);
    } finally {
      this.db.pragma('threads = 0');
    }
    this.db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    this.indexesDeferred = false;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private state(): ProjectionState {
    const row = this.statement('SELECT position_commit, position_prepare, leaf_count FROM projection_state').get() as StateRow;
    const position =
      row.position_commit === null || row.position_prepare === null
        ? 'start'
        : { commit: BigInt(row.position_commit), prepare: BigInt(row.position_prepare) };
    return { position, leafCount: row.leaf_count };
  }

  private applyNow(batch: readonly ProjectedEvent[], position: Position): void {
    const state = this.state();
    if (state.position !== 'start' && comparePositions(position, state.position) <= 0) return;
    checkContinues(batch, state);
    const insertEvent = this.statement(
      `INSERT INTO projected_events (leaf_index, id, tenant, time, action, outcome, actor_type, actor_id, reason, reason_folded,
         request_id, correlation_id, leaf, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertActorKey = this.statement('INSERT INTO projected_actor_keys (tenant, key, leaf_index) VALUES (?, ?, ?)');
    const insertTargetKey = this.statement('INSERT INTO projected_target_keys (tenant, key, leaf_index) VALUES (?, ?, ?)');
    const insertChange = this.statement(
      `INSERT INTO role_changes (leaf_index, role, tenant, kind, subject_type, subject_id, time, event_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // A grant of a role already held keeps the first grant: "since" is when the unbroken holding began.
    const grant = this.statement(
      `INSERT INTO role_holdings (tenant, role, subject_type, subject_id, since, granted_event_id, granted_leaf_index)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const revoke = this.statement('DELETE FROM role_holdings WHERE tenant = ? AND role = ? AND subject_type = ? AND subject_id = ?');
    for (const event of batch) {
      const row = rowOf(event);
      insertEvent.run(
        row.leafIndex, row.id, row.tenant, row.time, row.action, row.outcome, row.actorType, row.actorId, row.reason,
        row.reasonFolded, row.requestId, row.correlationId, row.leaf, row.detail,
      );
      for (const key of row.actorKeys) insertActorKey.run(row.tenant, key, row.leafIndex);
      for (const key of row.targetKeys) insertTargetKey.run(row.tenant, key, row.leafIndex);
      for (const change of row.roleChanges) {
        const { type, id } = change.subject;
        insertChange.run(row.leafIndex, change.role, row.tenant, change.kind, type, id, row.time, row.id);
        if (change.kind === 'granted') grant.run(row.tenant, change.role, type, id, row.time, row.id, row.leafIndex);
        else revoke.run(row.tenant, change.role, type, id);
      }
    }
    this.statement('UPDATE projection_state SET position_commit = ?, position_prepare = ?, leaf_count = ?').run(
      position.commit.toString(),
      position.prepare.toString(),
      state.leafCount + BigInt(batch.length),
    );
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Creates the tables, or drops those of another schema version first (derived state: the projector rebuilds it). */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version !== SCHEMA_VERSION) {
      for (const table of TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
    // The search indexes too: after a bulk load cut short, the next open builds them over what was loaded.
    db.exec(SCHEMA + CREATE_SEARCH_INDEXES);
  }).immediate();
}
