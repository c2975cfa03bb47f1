import pg from 'pg';
import { comparePositions, type Position } from '@trailmark/event-store';
import type { AccessHolding } from '../access.js';
import { checkSearchOptions, filterTerms, type EventFilter, type ScanOptions, type SearchOptions } from '../event-filter.js';
import type { ProjectedEvent } from '../projected-event.js';
import { checkContinues, eventOf, rowOf, type ProjectedRow } from '../projected-row.js';
import type { ProjectionState, ReadModelStore } from '../read-model-store.js';
import { scanPages } from '../scan-pages.js';
import { accessAtSql } from '../read-model-sql.js';
import { CREATE_SEARCH_INDEXES, DROP_SEARCH_INDEXES } from '../search-indexes.js';
import { SCHEMA, SCHEMA_VERSION, TABLES } from './postgres-schema.js';
import { postgresSearch } from './postgres-search.js';

export interface PostgresReadModelOptions {
  /** The PostgreSQL schema holding the tables (created if missing); default `trailmark_projections`. */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
}

/** bigint and numeric come back as decimal strings: node-postgres does not guess at precision. */
interface StateRow {
  position_commit: string | null;
  position_prepare: string | null;
  leaf_count: string;
}

interface EventRow {
  leaf_index: string;
  leaf: Uint8Array;
  detail: string | null;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The read model on PostgreSQL (node-postgres), for deployments that outgrow one machine or share the read side
 * between service replicas. Same tables, indexes and semantics as SqliteReadModel; its SQL is its own.
 */
export class PostgresReadModel implements ReadModelStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /** Connects with `url` (`postgres://user:password@host:port/database`) and creates the tables if need be. */
  static async open(url: string, options: PostgresReadModelOptions = {}): Promise<PostgresReadModel> {
    const schema = options.schema ?? 'trailmark_projections';
    if (!SCHEMA_NAME.test(schema)) throw new RangeError(`schema must be a plain lowercase SQL name, not ${JSON.stringify(schema)}`);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      // Every statement names its tables unqualified: each connection looks in the read model's schema only.
      options: `-c search_path=${schema}`,
    });
    // An idle client that loses its server must not crash the process; the next query reports the failure.
    pool.on('error', () => {});
    const model = new PostgresReadModel(pool, schema);
    try {
      await model.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return model;
  }

  async apply(batch: readonly ProjectedEvent[], position: Position): Promise<void> {
    await this.transaction(async (client) => {
      // FOR UPDATE: the position is read and written under one row lock, whichever process applies.
      const locked = await client.query<StateRow>('SELECT position_commit, position_prepare, leaf_count FROM projection_state FOR UPDATE');
      const state = stateOf(locked.rows[0]!);
      if (state.position !== 'start' && comparePositions(position, state.position) <= 0) return;
      checkContinues(batch, state);
      const rows = batch.map(rowOf);
      await insertEvents(client, rows);
      const keys = (pick: (row: ProjectedRow) => readonly string[]) =>
        rows.flatMap((row) => pick(row).map((key) => [row.tenant, key, row.leafIndex] as const));
      await insertKeys(client, 'projected_actor_keys', keys((row) => row.actorKeys));
      await insertKeys(client, 'projected_target_keys', keys((row) => row.targetKeys));
      await applyRoleChanges(client, rows);
      await client.query('UPDATE projection_state SET position_commit = $1, position_prepare = $2, leaf_count = $3', [
        position.commit.toString(),
        position.prepare.toString(),
        (state.leafCount + BigInt(batch.length)).toString(),
      ]);
    });
  }

  async position(): Promise<ProjectionState> {
    return stateOf((await this.pool.query<StateRow>('SELECT position_commit, position_prepare, leaf_count FROM projection_state')).rows[0]!);
  }

  async leaf(leafIndex: bigint): Promise<Uint8Array | undefined> {
    const { rows } = await this.pool.query<{ leaf: Uint8Array }>('SELECT leaf FROM projected_events WHERE leaf_index = $1', [leafIndex.toString()]);
    return rows[0] && new Uint8Array(rows[0].leaf);
  }

  async search(filter: EventFilter, options: SearchOptions): Promise<ProjectedEvent[]> {
    checkSearchOptions(options);
    const terms = filterTerms(filter);
    if (terms === undefined) return [];
    const { rows } = await this.pool.query<EventRow>(postgresSearch(terms, options));
    return rows.map((row) => eventOf(BigInt(row.leaf_index), row.leaf, row.detail));
  }

  scan(filter: EventFilter, options: ScanOptions): AsyncIterable<ProjectedEvent> {
    return scanPages((f, o) => this.search(f, o), filter, options);
  }

  async accessAt(tenant: string, at: string, role?: string): Promise<AccessHolding[]> {
    return accessAtSql(tenant, at, role, (n) => `$${n}`, async <Row>(sql: string, params: readonly unknown[]) => {
      return (await this.pool.query(sql, [...params])).rows as Row[];
    });
  }

  async reset(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.schema]);
      await client.query(TABLES.map((table) => `DROP TABLE IF EXISTS ${table};`).join('\n'));
      await createTables(client);
    });
  }

  async deferIndexes(): Promise<boolean> {
    let dropped = false;
    await this.transaction(async (client) => {
      const locked = await client.query<StateRow>('SELECT position_commit, position_prepare, leaf_count FROM projection_state FOR UPDATE');
      if (stateOf(locked.rows[0]!).leafCount !== 0n) return;
      await client.query(DROP_SEARCH_INDEXES);
      dropped = true;
    });
    return dropped;
  }

  async createIndexes(): Promise<void> {
    await this.pool.query(CREATE_SEARCH_INDEXES);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * Creates the schema and tables, or replaces tables of another schema version. Under an advisory lock:
   * replicas starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
   */
  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      const found = await client.query<{ name: string | null }>("SELECT to_regclass('read_model_schema')::text AS name");
      const stored = found.rows[0]!.name === null ? undefined : await client.query<{ version: number }>('SELECT version FROM read_model_schema');
      const version = stored?.rows[0]?.version;
      if (version !== SCHEMA_VERSION) await client.query(TABLES.map((table) => `DROP TABLE IF EXISTS ${table};`).join('\n'));
      await createTables(client);
    });
  }

  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The tables and, after a bulk load cut short, the search indexes it dropped. */
async function createTables(client: pg.PoolClient): Promise<void> {
  await client.query(SCHEMA + CREATE_SEARCH_INDEXES);
  await client.query('DELETE FROM read_model_schema');
  await client.query('INSERT INTO read_model_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
}

function stateOf(row: StateRow): ProjectionState {
  const position =
    row.position_commit === null || row.position_prepare === null
      ? 'start'
      : { commit: BigInt(row.position_commit), prepare: BigInt(row.position_prepare) };
  return { position, leafCount: BigInt(row.leaf_count) };
}

/** One statement per table and batch: unnest turns column arrays into rows, whatever the batch size. */
async function insertEvents(client: pg.PoolClient, rows: readonly ProjectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: ProjectedRow) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO projected_events (leaf_index, id, tenant, time, action, outcome, actor_type, actor_id, reason, reason_folded,
       request_id, correlation_id, leaf, detail)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::text[])`,
    [
      column((row) => row.leafIndex.toString()),
      column((row) => row.id),
      column((row) => row.tenant),
      column((row) => row.time),
      column((row) => row.action),
      column((row) => row.outcome),
      column((row) => row.actorType),
      column((row) => row.actorId),
      column((row) => row.reason),
      column((row) => row.reasonFolded),
      column((row) => row.requestId),
      column((row) => row.correlationId),
      column((row) => row.leaf),
      column((row) => row.detail),
    ],
  );
}

async function insertKeys(client: pg.PoolClient, table: string, keys: readonly (readonly [string, string, bigint])[]): Promise<void> {
  if (keys.length === 0) return;
  await client.query(`INSERT INTO ${table} (tenant, key, leaf_index) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`, [
    keys.map(([tenant]) => tenant),
    keys.map(([, key]) => key),
    keys.map(([, , leafIndex]) => leafIndex.toString()),
  ]);
}

/**
 * A batch's role changes in three statements, however many there are (a round trip each would dominate a
 * catch-up): the change rows; then the batch's net effect on each holding (tenant, role, subject), replayed in
 * leaf order. A revoke in the batch ends the stored holding; the first grant after the batch's last revoke, or
 * without one the first grant, begins a holding unless the role is held already ("since" is when the unbroken
 * holding began).
 */
async function applyRoleChanges(client: pg.PoolClient, rows: readonly ProjectedRow[]): Promise<void> {
  const changes = rows.flatMap((row) => row.roleChanges.map((change) => ({ row, change })));
  if (changes.length === 0) return;
  await client.query(
    `INSERT INTO role_changes (leaf_index, role, tenant, kind, subject_type, subject_id, time, event_id)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [
      changes.map(({ row }) => row.leafIndex.toString()),
      changes.map(({ change }) => change.role),
      changes.map(({ row }) => row.tenant),
      changes.map(({ change }) => change.kind),
      changes.map(({ change }) => change.subject.type),
      changes.map(({ change }) => change.subject.id),
      changes.map(({ row }) => row.time),
      changes.map(({ row }) => row.id),
    ],
  );

  interface Holding {
    readonly key: readonly [tenant: string, role: string, subjectType: string, subjectId: string];
    revoked: boolean;
    grant?: ProjectedRow;
  }
  const holdings = new Map<string, Holding>();
  for (const { row, change } of changes) {
    const key = [row.tenant, change.role, change.subject.type, change.subject.id] as const;
    const id = JSON.stringify(key);
    const holding = holdings.get(id) ?? { key, revoked: false };
    holdings.set(id, holding);
    if (change.kind === 'revoked') {
      holding.revoked = true;
      delete holding.grant;
    } else {
      holding.grant ??= row;
    }
  }
  const ended = [...holdings.values()].filter((holding) => holding.revoked);
  if (ended.length > 0) {
    await client.query(
      `DELETE FROM role_holdings h USING unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r (tenant, role, subject_type, subject_id)
       WHERE h.tenant = r.tenant AND h.role = r.role AND h.subject_type = r.subject_type AND h.subject_id = r.subject_id`,
      [0, 1, 2, 3].map((i) => ended.map((holding) => holding.key[i])),
    );
  }
  const begun = [...holdings.values()].flatMap((holding) => (holding.grant ? [{ key: holding.key, grant: holding.grant }] : []));
  if (begun.length > 0) {
    await client.query(
      `INSERT INTO role_holdings (tenant, role, subject_type, subject_id, since, granted_event_id, granted_leaf_index)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) ON CONFLICT DO NOTHING`,
      [
        ...[0, 1, 2, 3].map((i) => begun.map(({ key }) => key[i])),
        begun.map(({ grant }) => grant.time),
        begun.map(({ grant }) => grant.id),
        begun.map(({ grant }) => grant.leafIndex.toString()),
      ],
    );
  }
}
