import { sortHoldings, type AccessHolding } from './access.js';
import type { ActionTerm, FilterTerms, SearchOptions } from './event-filter.js';
import { checkServerTime } from './server-time.js';

/** What the two adapters' SQL differs in: how a value is bound, how a tenant list is tested, how a substring is found. */
export interface SqlDialect {
  /** Binds `value` and returns its placeholder; `type` is the PostgreSQL type it is cast to. */
  bind(value: unknown, type: 'text' | 'text[]' | 'bigint' | 'integer'): string;
  /** The condition that `column` is one of `tenants` (never empty). */
  tenantIn(column: string, tenants: readonly string[]): string;
  /** The condition that `text` occurs in `column` as a plain substring (no LIKE wildcards). */
  contains(column: string, text: string): string;
}

/**
 * A search as one statement, its values bound through `dialect`. The rows driving it: the key table when the
 * filter names a target or an actor, so the query walks one index range of (tenant, key, leaf_index) in leaf order
 * and stops after `limit` matches; else `events` (the events table, aliased `e`), where the planner picks the
 * (tenant, ..., leaf_index) index the equalities fit. A second key filter is a point lookup per candidate (EXISTS
 * on the whole index key).
 */
export function searchSql(terms: FilterTerms, options: SearchOptions, dialect: SqlDialect, events = 'projected_events e'): string {
  const { bind } = dialect;
  const where: string[] = [];
  const tenantIn = (column: string) => {
    if (terms.tenants !== '*') where.push(dialect.tenantIn(column, terms.tenants));
  };

  let from = events;
  let driver = 'e';
  const keyed: [string, string | undefined][] = [
    ['projected_target_keys', terms.targetKey],
    ['projected_actor_keys', terms.actorKey],
  ];
  for (const [table, key] of keyed) {
    if (key === undefined) continue;
    if (driver === 'e') {
      driver = 'k';
      from = `${table} k JOIN projected_events e ON e.leaf_index = k.leaf_index`;
      where.push(`k.key = ${bind(key, 'text')}`);
      tenantIn('k.tenant');
    } else {
      where.push(`EXISTS (SELECT 1 FROM ${table} x WHERE x.tenant = e.tenant AND x.key = ${bind(key, 'text')} AND x.leaf_index = e.leaf_index)`);
    }
  }
  // The events' own tenant is checked too, whatever drives: isolation does not rest on one join.
  tenantIn('e.tenant');

  const descending = options.order === 'desc';
  if (options.after !== undefined) where.push(`${driver}.leaf_index ${descending ? '<' : '>'} ${bind(options.after, 'bigint')}`);
  if (options.upTo !== undefined) where.push(`${driver}.leaf_index < ${bind(options.upTo, 'bigint')}`);
  const actionIs = (action: ActionTerm) =>
    'exact' in action ? `e.action = ${bind(action.exact, 'text')}` : `e.action >= ${bind(action.from, 'text')} AND e.action < ${bind(action.below, 'text')}`;
  if (terms.action !== undefined) where.push(actionIs(terms.action));
  for (const excluded of terms.excludeActions ?? []) where.push(`NOT (${actionIs(excluded)})`);
  if (terms.outcome !== undefined) where.push(`e.outcome = ${bind(terms.outcome, 'text')}`);
  if (terms.from !== undefined) where.push(`e.time >= ${bind(terms.from, 'text')}`);
  if (terms.to !== undefined) where.push(`e.time <= ${bind(terms.to, 'text')}`);
  if (terms.requestId !== undefined) where.push(`e.request_id = ${bind(terms.requestId, 'text')}`);
  if (terms.correlationId !== undefined) where.push(`e.correlation_id = ${bind(terms.correlationId, 'text')}`);
  if (terms.text !== undefined) where.push(dialect.contains('e.reason_folded', terms.text));

  return (
    `SELECT e.leaf_index, e.leaf, e.detail FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${driver}.leaf_index ${descending ? 'DESC' : 'ASC'} LIMIT ${bind(options.limit, 'integer')}`
  );
}

/** Runs one statement and resolves with its rows. */
export type RunSql = <Row>(sql: string, params: readonly unknown[]) => Promise<Row[]>;

/** A holding as the SQL below returns it: leaf_index is a bigint from SQLite, decimal text from PostgreSQL. */
interface HoldingRow {
  subject_type: string;
  subject_id: string;
  role: string;
  since: string;
  event_id: string;
  leaf_index: bigint | string;
}

/**
 * ReadModelStore.accessAt over SQL: `placeholder(n)` spells the n-th parameter (SQLite's positional `?` are bound
 * in the order they appear, which is the order of the parameters here).
 */
export async function accessAtSql(
  tenant: string,
  at: string,
  role: string | undefined,
  placeholder: (n: number) => string,
  run: RunSql,
): Promise<AccessHolding[]> {
  checkServerTime(at, 'at');
  const byRole = role === undefined ? '' : ` AND role = ${placeholder(2)}`;
  const scope = role === undefined ? [tenant] : [tenant, role];
  const [last] = await run<{ latest: string | null }>(`SELECT max(time) AS latest FROM role_changes WHERE tenant = ${placeholder(1)}${byRole}`, scope);
  const latest = last?.latest ?? null;
  if (latest === null) return [];
  // Past the last change, the replay up to `at` is the replay of everything: the holdings kept current.
  const rows =
    at >= latest
      ? await run<HoldingRow>(
          `SELECT subject_type, subject_id, role, since, granted_event_id AS event_id, granted_leaf_index AS leaf_index
           FROM role_holdings WHERE tenant = ${placeholder(1)}${byRole}`,
          scope,
        )
      : await run<HoldingRow>(holdingsAtSql(placeholder(1), placeholder(2), role === undefined ? undefined : placeholder(3)), [
          tenant,
          at,
          ...(role === undefined ? [] : [role]),
        ]);
  return sortHoldings(
    rows.map((row) => ({
      subject: { type: row.subject_type, id: row.subject_id },
      role: row.role,
      since: row.since,
      granted: { eventId: row.event_id, leafIndex: BigInt(row.leaf_index) },
    })),
  );
}

/**
 * The holdings at an instant, when some change of the tenant (or role) is later than it: replay the changes whose
 * time is at most `at`, in leaf order. A subject holds a role when a grant follows its last revoke; the holding
 * began with the first of those grants. The arguments are the placeholders of the tenant, the instant and the role.
 */
function holdingsAtSql(tenant: string, at: string, role: string | undefined): string {
  return `
    WITH c AS (
      SELECT leaf_index, role, kind, subject_type, subject_id, time, event_id
      FROM role_changes WHERE tenant = ${tenant} AND time <= ${at}${role === undefined ? '' : ` AND role = ${role}`}
    ),
    last_revoke AS (
      SELECT subject_type, subject_id, role, max(leaf_index) AS leaf_index
      FROM c WHERE kind = 'revoked' GROUP BY subject_type, subject_id, role
    ),
    first_grant AS (
      SELECT c.subject_type, c.subject_id, c.role, min(c.leaf_index) AS leaf_index
      FROM c LEFT JOIN last_revoke r ON r.subject_type = c.subject_type AND r.subject_id = c.subject_id AND r.role = c.role
      WHERE c.kind = 'granted' AND (r.leaf_index IS NULL OR c.leaf_index > r.leaf_index)
      GROUP BY c.subject_type, c.subject_id, c.role
    )
    SELECT c.subject_type, c.subject_id, c.role, c.time AS since, c.event_id, c.leaf_index
    FROM first_grant g JOIN c ON c.leaf_index = g.leaf_index AND c.role = g.role`;
}
